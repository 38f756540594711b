"""The consolidated report as an official document: what a reader of the XLSX and the PDF sees."""

import io
import unicodedata
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics

from haidang.reporting.documents import (
    Cell,
    DocumentMeta,
    IndicatorRow,
    ReportTable,
    Section,
    consolidated_pdf,
    consolidated_xlsx,
    register_fonts,
)
from haidang.reporting.documents.pdf import FONT_BOLD

# Decomposed input (as some keyboards and older files produce it) comes out composed.
RECEIVED = unicodedata.normalize("NFD", "Số nạn nhân được tiếp nhận")


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _table(rows: int = 2) -> ReportTable:
    indicators = [
        IndicatorRow.summed(
            "cases.received",
            RECEIVED,
            "người",
            [
                Cell("Nữ, dưới 16 tuổi", (3, 1)),
                Cell("Nữ, từ 18 tuổi trở lên", (5, 4)),
                Cell("Nam, từ 18 tuổi trở lên", (None, 2)),
            ],
            width=2,
        ),
        IndicatorRow.summed(
            "prevention.participants",
            "Số lượt người tham dự tuyên truyền",
            "lượt người",
            [Cell("Tổng", (50640, 48000))],
            width=2,
        ),
    ]
    indicators += [
        IndicatorRow.summed(
            f"extra.{index}", f"Chỉ tiêu bổ sung số {index}", "vụ", [Cell("Đường dây xuyên quốc gia", (index, None))], 2
        )
        for index in range(2, rows)
    ]
    return ReportTable(columns=("Kỳ báo cáo", "Cùng kỳ năm trước"), rows=tuple(indicators))


def _meta(**changes) -> DocumentMeta:
    values = {
        "parent_body": "UBND thành phố Hải Phòng",
        "issuing_body": "Sở Y tế",
        "number": "123/BC-UBND",
        "place": "Hải Phòng",
        "issued_on": date(2026, 8, 5),
        "subject": "Kết quả thực hiện Tháng hành động phòng, chống mua bán người",
        "period_label": "Tháng 7/2026",
        "sections": (
            Section("I. Kết quả đạt được", ("Các xã, phường đã tổ chức tuyên truyền tại khu dân cư.",)),
            Section("II. Khó khăn, vướng mắc", ("Một số đơn vị nộp báo cáo chậm.",)),
        ),
        "signer_authority": "KT. Giám đốc",
        "signer_position": "Phó Giám đốc",
        "signer_name": "Trần Thị Bình",
        "recipients": ("UBND thành phố", "Ban Chỉ đạo 138 thành phố"),
        "table_caption": "III. Số liệu tổng hợp",
    }
    values.update(changes)
    return DocumentMeta(**values)


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    # Lines wrap where the layout needs; compare words, not line breaks.
    return " ".join(_nfc("\n".join(page.extract_text() for page in reader.pages)).split())


def test_indicator_total_is_the_sum_of_its_breakdowns_and_blank_when_all_blank():
    row = IndicatorRow.summed("x", "x", "người", [Cell("a", (None, 1)), Cell("b", (None, 2))], width=2)
    assert row.total == (None, 3)


def test_xlsx_reads_back_with_heading_title_figures_and_totals():
    book = load_workbook(io.BytesIO(consolidated_xlsx(_table(), _meta())))
    sheet = book["Báo cáo"]
    texts = [cell.value for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]

    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in texts
    assert "Độc lập - Tự do - Hạnh phúc" in texts
    assert "UBND THÀNH PHỐ HẢI PHÒNG" in texts
    assert "SỞ Y TẾ" in texts
    assert "Số: 123/BC-UBND" in texts
    # Decree 30: the day below 10 has a leading zero, August does not.
    assert "Hải Phòng, ngày 05 tháng 8 năm 2026" in texts
    assert "BÁO CÁO" in texts
    assert "Tháng 7/2026" in texts
    assert "Nơi nhận:" in texts
    assert "- Lưu: VT." in texts
    assert "Trần Thị Bình" in texts

    rows = {row[1].value: [cell.value for cell in row] for row in sheet.iter_rows() if row[1].value}
    header = rows["Chỉ tiêu"]
    assert header[:5] == ["STT", "Chỉ tiêu", "Đơn vị tính", "Kỳ báo cáo", "Cùng kỳ năm trước"]
    received = rows["Số nạn nhân được tiếp nhận"]
    assert received[0] == "1" and received[2] == "người"
    assert received[3:5] == [8, 7]  # 3 + 5 (a blank cell adds nothing) and 1 + 4 + 2
    assert rows["Nam, từ 18 tuổi trở lên"][3:5] == [None, 2]
    assert rows["Số lượt người tham dự tuyên truyền"][3] == 50640

    motto = next(cell for row in sheet.iter_rows() for cell in row if cell.value == "Độc lập - Tự do - Hạnh phúc")
    assert motto.font.bold and motto.font.underline == "single"
    # Printed on A4 with the table header repeated on every page.
    assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)
    assert sheet.print_title_rows


def test_xlsx_data_sheet_has_one_row_per_figure():
    book = load_workbook(io.BytesIO(consolidated_xlsx(_table(), _meta())))
    data = list(book["Dữ liệu"].iter_rows(values_only=True))
    assert data[0] == ("Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị tính", "Phân tổ", "Cột", "Giá trị")
    assert ("cases.received", "Số nạn nhân được tiếp nhận", "người", "Tổng số", "Kỳ báo cáo", 8) in data
    assert ("cases.received", "Số nạn nhân được tiếp nhận", "người", "Nữ, dưới 16 tuổi", "Cùng kỳ năm trước", 1) in data


def test_pdf_text_keeps_the_national_heading_title_and_figures_with_diacritics():
    text = _pdf_text(consolidated_pdf(_table(), _meta()))

    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "Số: 123/BC-UBND" in text
    assert "Hải Phòng, ngày 05 tháng 8 năm 2026" in text
    assert "BÁO CÁO" in text
    assert "Kết quả thực hiện Tháng hành động phòng, chống mua bán người" in text
    assert "Số nạn nhân được tiếp nhận" in text
    assert "Nữ, dưới 16 tuổi" in text
    assert "50.640" in text  # thousands written the Vietnamese way
    assert "Nơi nhận:" in text
    assert "Trần Thị Bình" in text


def test_pdf_repeats_the_table_header_on_every_page_and_numbers_later_pages():
    reader = PdfReader(io.BytesIO(consolidated_pdf(_table(rows=60), _meta())))
    assert len(reader.pages) >= 3
    for page in reader.pages[1:]:
        words = " ".join(_nfc(page.extract_text()).split())  # header cells may wrap
        assert "Chỉ tiêu" in words and "Kỳ báo cáo" in words and "Cùng kỳ năm trước" in words
    assert _nfc(reader.pages[1].extract_text()).lstrip().startswith("2")


@pytest.mark.parametrize(
    "issued_on, expected",
    [(date(2026, 2, 9), "ngày 09 tháng 02 năm 2026"), (date(2026, 12, 25), "ngày 25 tháng 12 năm 2026")],
)
def test_date_line_follows_the_decree(issued_on, expected):
    text = _pdf_text(consolidated_pdf(_table(), _meta(issued_on=issued_on)))
    assert f"Hải Phòng, {expected}" in text


def test_english_document_when_asked():
    text = _pdf_text(consolidated_pdf(_table(), _meta(language="en")))
    assert "SOCIALIST REPUBLIC OF VIETNAM" in text


# --- The PDF page as Decree 30/2020 lays it out: read back by position -------------------------------


def _apply(matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = (float(value) for value in matrix)
    return a * x + c * y + e, b * x + d * y + f


def _page_layout(data: bytes, index: int = 0) -> tuple[list[tuple[float, float, str]], list[tuple]]:
    """The text lines (x, baseline y, text) and the horizontal rules (x0, x1, y) drawn on a page."""
    page = PdfReader(io.BytesIO(data)).pages[index]
    runs, rules, path = [], [], []

    def on_text(text, cm, tm, font, size):
        if text.strip():
            x, y = _apply(cm, *_apply(tm, 0, 0))
            runs.append((x, y, _nfc(text).strip()))

    def on_operator(operator, operands, cm, tm):
        if operator == b"m":
            path[:] = [_apply(cm, *operands)]
        elif operator == b"l":
            path.append(_apply(cm, *operands))
        elif operator == b"S":
            if len(path) == 2 and abs(path[0][1] - path[1][1]) < 0.01:
                (x0, y), (x1, _y) = path
                rules.append((min(x0, x1), max(x0, x1), y))
            path.clear()

    page.extract_text(visitor_text=on_text, visitor_operand_before=on_operator)
    return runs, rules


def _line(runs, wanted: str) -> tuple[float, float]:
    return next((x, y) for x, y, text in runs if text == wanted)


def _rule_under(rules, x: float, y: float, width: float) -> tuple:
    """The nearest rule below the baseline y whose middle is within the text's width."""
    below = [rule for rule in rules if rule[2] < y and x <= (rule[0] + rule[1]) / 2 <= x + width]
    return max(below, key=lambda rule: rule[2])


def test_the_motto_is_ruled_as_long_as_its_line_centred_and_below_its_letters():
    register_fonts()
    runs, rules = _page_layout(consolidated_pdf(_table(), _meta()))
    motto = "Độc lập - Tự do - Hạnh phúc"
    x, baseline = _line(runs, motto)
    width = pdfmetrics.stringWidth(motto, FONT_BOLD, 13)
    start, end, y = _rule_under(rules, x, baseline, width)
    # Decree 30: a drawn line as long as the motto, centred under it.
    assert end - start == pytest.approx(width, abs=0.5)
    assert (start + end) / 2 == pytest.approx(x + width / 2, abs=0.5)
    # Below the lowest mark of its letters (the dot under "ạ" reaches about a fifth of the size down),
    # and above the place and date.
    assert baseline - y >= 0.25 * 13
    assert y > _line(runs, "Hải Phòng, ngày 05 tháng 8 năm 2026")[1] + 13


def test_the_rule_under_the_issuing_body_is_a_short_centred_line():
    register_fonts()
    runs, rules = _page_layout(consolidated_pdf(_table(), _meta()))
    x, baseline = _line(runs, "SỞ Y TẾ")
    width = pdfmetrics.stringWidth("SỞ Y TẾ", FONT_BOLD, 12)
    start, end, y = _rule_under(rules, x, baseline, width)
    # One third to one half of its line, centred under it, below the letters.
    assert width / 3 <= end - start <= width / 2
    assert (start + end) / 2 == pytest.approx(x + width / 2, abs=0.5)
    assert baseline - y >= 0.25 * 12


def test_a_long_body_name_breaks_before_its_level_and_stays_centred():
    register_fonts()
    data = consolidated_pdf(_table(), _meta(parent_body="", issuing_body="Ủy ban nhân dân Thành phố Hà Nội"))
    runs, rules = _page_layout(data)
    texts = [text for _x, _y, text in runs]
    assert "ỦY BAN NHÂN DÂN" in texts and "THÀNH PHỐ HÀ NỘI" in texts
    x, baseline = _line(runs, "THÀNH PHỐ HÀ NỘI")
    width = pdfmetrics.stringWidth("THÀNH PHỐ HÀ NỘI", FONT_BOLD, 12)
    start, end, _y = _rule_under(rules, x, baseline, width)
    assert (start + end) / 2 == pytest.approx(x + width / 2, abs=0.5)


def test_the_pdf_reads_in_order_and_says_each_thing_once():
    meta = _meta(
        subject="Báo cáo kết quả thực hiện Tháng hành động phòng, chống mua bán người",
        recipients=("UBND thành phố", "- Ban Chỉ đạo 138 thành phố;", "UBND thành phố", "Lưu: VT, KGVX"),
    )
    text = _pdf_text(consolidated_pdf(_table(), meta))
    order = [
        "SỞ Y TẾ",
        "Số: 123/BC-UBND",
        "Hải Phòng, ngày 05 tháng 8 năm 2026",
        "BÁO CÁO",
        "Kết quả thực hiện Tháng hành động phòng, chống mua bán người",
        "Tháng 7/2026",
        "I. Kết quả đạt được",
        "III. Số liệu tổng hợp",
        "Số nạn nhân được tiếp nhận",
        "Nơi nhận:",
        "- UBND thành phố; - Ban Chỉ đạo 138 thành phố; - Lưu: VT, KGVX.",
        "Trần Thị Bình",
    ]
    positions = [text.index(part) for part in order]
    assert positions == sorted(positions)
    # The type is not repeated in the summary; the recipients and the archive line come once each.
    assert text.count("BÁO CÁO") == 1 and "Báo cáo kết quả" not in text
    for once in ("Nơi nhận:", "Lưu:", "UBND thành phố;", "Trần Thị Bình"):
        assert text.count(once) == 1, once


@pytest.mark.parametrize("rows", range(24, 34))
def test_the_signature_stays_with_the_last_rows_of_the_table(rows):
    reader = PdfReader(io.BytesIO(consolidated_pdf(_table(rows=rows), _meta())))
    pages = [" ".join(_nfc(page.extract_text()).split()) for page in reader.pages]
    signed = [index for index, page in enumerate(pages) if "Nơi nhận:" in page]
    assert len(signed) == 1
    page = pages[signed[0]]
    # The last indicator and its breakdown are on the signature's page, under the table's header.
    assert f"Chỉ tiêu bổ sung số {rows - 1}" in page and page.count("Đường dây xuyên quốc gia") >= 1
    assert "Chỉ tiêu" in page.split(f"Chỉ tiêu bổ sung số {rows - 1}")[0]
