"""The consolidated report as an official document: what a reader of the XLSX and the PDF sees."""

import io
import unicodedata
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from haidang.reporting.documents import (
    Cell,
    DocumentMeta,
    IndicatorRow,
    ReportTable,
    Section,
    consolidated_pdf,
    consolidated_xlsx,
)

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
