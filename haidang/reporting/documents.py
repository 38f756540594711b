"""The consolidated report as an official document: XLSX and PDF in the Vietnamese administrative
layout (Decree 30/2020/NĐ-CP on administrative documents).

Layout, top to bottom: the issuing body (parent body above, issuing agency in bold below) with the
document number on the left and the national heading with the motto on the right, then place and
date; the centred title; the body paragraphs; the table; the signature block with the list of
recipients ("Nơi nhận") on the left. A4, margins inside the decree's ranges.

Input is plain data (`DocumentMeta` and `ReportTable`), so this module never touches the database;
the consolidated view builds both from the selectors. Official documents are in Vietnamese, so the
fixed wording is rendered in `meta.language` (Vietnamese unless asked otherwise).
"""

import io
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from django.utils import translation
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.fonts import addMapping
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVuSerif"
FONT_BOLD = "DejaVuSerif-Bold"
FONT_ITALIC = "DejaVuSerif-Italic"

# Margins in millimetres, inside Decree 30/2020 Appendix I ranges (top/bottom 20–25, left 30–35,
# right 15–20).
MARGIN_TOP = 20
MARGIN_BOTTOM = 20
MARGIN_LEFT = 30
MARGIN_RIGHT = 15
A4_WIDTH_MM = 210


# --- Input ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """A body section: an optional heading and its paragraphs (the report's narratives)."""

    heading: str = ""
    paragraphs: tuple[str, ...] = ()


@dataclass(frozen=True)
class DocumentMeta:
    parent_body: str  # e.g. "UBND THÀNH PHỐ HÀ NỘI"; may be blank for a body with no parent line
    issuing_body: str  # e.g. "SỞ Y TẾ"
    number: str  # e.g. "123/BC-UBND"; blank leaves "Số:" with a gap to fill in by hand
    place: str  # e.g. "Hà Nội"
    issued_on: date
    subject: str  # what the report is about, e.g. "Kết quả thực hiện Tháng hành động phòng, chống mua bán người"
    period_label: str  # e.g. "Quý III/2026"
    sections: tuple[Section, ...] = ()
    signer_authority: str = ""  # e.g. "TM. ỦY BAN NHÂN DÂN" (blank when the head signs directly)
    signer_position: str = ""  # e.g. "CHỦ TỊCH"
    signer_name: str = ""
    recipients: tuple[str, ...] = ()  # the "Nơi nhận" list
    table_caption: str = ""
    language: str = "vi"


@dataclass(frozen=True)
class Cell:
    """One breakdown cell of an indicator, e.g. "Nữ, dưới 16 tuổi"; `values` per table column."""

    label: str
    values: tuple[int | None, ...]


@dataclass(frozen=True)
class IndicatorRow:
    code: str
    name: str
    measure: str  # the unit of count, e.g. "người"
    total: tuple[int | None, ...]
    cells: tuple[Cell, ...] = ()

    @classmethod
    def summed(cls, code: str, name: str, measure: str, cells: Sequence[Cell], width: int) -> "IndicatorRow":
        """A row whose total is the sum of its cells, column by column (blank if every cell is blank)."""
        return cls(
            code=code,
            name=name,
            measure=measure,
            total=sum_columns((c.values for c in cells), width),
            cells=tuple(cells),
        )


@dataclass(frozen=True)
class ReportTable:
    columns: tuple[str, ...]  # headings of the figure columns, e.g. ("Kỳ báo cáo",)
    rows: tuple[IndicatorRow, ...] = field(default_factory=tuple)


def sum_columns(rows: Iterable[Sequence[int | None]], width: int) -> tuple[int | None, ...]:
    totals: list[int | None] = [None] * width
    for values in rows:
        for index, value in enumerate(values[:width]):
            if value is not None:
                totals[index] = (totals[index] or 0) + value
    return tuple(totals)


# --- Wording ---------------------------------------------------------------------------------------


def _date_line(meta: DocumentMeta) -> str:
    # Decree 30: days below 10 and the months January and February are written with a leading zero.
    day = f"{meta.issued_on.day:02d}"
    month = f"{meta.issued_on.month:02d}" if meta.issued_on.month < 3 else str(meta.issued_on.month)
    return pgettext("official document", "%(place)s, day %(day)s month %(month)s year %(year)s") % {
        "place": meta.place,
        "day": day,
        "month": month,
        "year": meta.issued_on.year,
    }


def _number_line(meta: DocumentMeta) -> str:
    return pgettext("official document", "No.: %(number)s") % {"number": meta.number or "      /"}


def _title_lines(meta: DocumentMeta) -> list[str]:
    lines = [pgettext("official document", "REPORT")]
    if meta.subject:
        lines.append(meta.subject)
    if meta.period_label:
        lines.append(meta.period_label)
    return lines


def _text(value):
    # Decomposed diacritics (from older files or some keyboards) are composed before writing, so a
    # reader's search for "Hà Nội" finds them and the PDF font draws one glyph per letter.
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


def _figure(value: int | None) -> str:
    # Vietnamese writes thousands with a dot: 50.640.
    return "" if value is None else f"{value:,}".replace(",", ".")


def _wording(meta: DocumentMeta) -> dict:
    with translation.override(meta.language):
        return {
            "nation": pgettext("official document", "SOCIALIST REPUBLIC OF VIETNAM"),
            "motto": pgettext("official document", "Independence - Freedom - Happiness"),
            "number": _number_line(meta),
            "date": _date_line(meta),
            "title": _title_lines(meta),
            "no": pgettext("official document", "No."),
            "indicator": pgettext("official document", "Indicator"),
            "measure": pgettext("official document", "Unit of count"),
            "recipients": pgettext("official document", "Recipients:"),
            "archive": pgettext("official document", "- Filed: records office."),
            "data_sheet": pgettext("official document", "Data"),
            "report_sheet": pgettext("official document", "Report"),
            "code": pgettext("official document", "Indicator code"),
            "breakdown": pgettext("official document", "Breakdown"),
            "column": pgettext("official document", "Column"),
            "value": pgettext("official document", "Value"),
            "total": pgettext("official document", "Total"),
        }


# --- XLSX --------------------------------------------------------------------------------------------


class _ReportSheet:
    """The printable "Report" sheet being written: its columns (No. | Indicator | Unit | figures...),
    the two halves of the heading, the type faces, and `put` for a (possibly merged) cell."""

    def __init__(self, sheet, width: int):
        self.sheet = sheet
        self.width = width
        self.last_col = 3 + width  # No. | Indicator | Unit | figures...
        self.left_span = max(2, self.last_col // 2 - 1)
        self.right_first = self.left_span + 1
        self.font = "Times New Roman"
        self.regular = Font(name=self.font, size=12)
        self.bold = Font(name=self.font, size=12, bold=True)
        thin = Side(style="thin")
        self.boxed = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.centred = Alignment(horizontal="center", vertical="center", wrap_text=True)

    def put(self, row: int, first: int, last: int, value, style=None, align=None, height=None):
        style = self.regular if style is None else style
        align = self.centred if align is None else align
        if last > first:
            self.sheet.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
        cell = self.sheet.cell(row=row, column=first, value=_text(value))
        cell.font = style
        cell.alignment = align
        if height:
            self.sheet.row_dimensions[row].height = height
        return cell


def _xlsx_heading(out: _ReportSheet, meta: DocumentMeta, words: dict) -> None:
    """Heading: issuing body left, national heading right."""
    put, font, left_span, right_first, last_col = out.put, out.font, out.left_span, out.right_first, out.last_col
    put(1, 1, left_span, meta.parent_body.upper())
    put(1, right_first, last_col, words["nation"], out.bold)
    put(2, 1, left_span, meta.issuing_body.upper(), out.bold)
    put(2, right_first, last_col, words["motto"], Font(name=font, size=13, bold=True, underline="single"))
    put(3, 1, left_span, words["number"])
    put(3, right_first, last_col, words["date"], Font(name=font, size=12, italic=True))


def _xlsx_text(out: _ReportSheet, meta: DocumentMeta, words: dict) -> int:
    """The title, the body sections and the table's caption, from row 5; returns the next row."""
    put, last_col = out.put, out.last_col
    row = 5
    for index, line in enumerate(words["title"]):
        put(row, 1, last_col, line, Font(name=out.font, size=14 if index == 0 else 13, bold=True))
        row += 1
    row += 1

    justified = Alignment(horizontal="justify", vertical="top", wrap_text=True)
    for section in meta.sections:
        if section.heading:
            put(row, 1, last_col, section.heading, out.bold, Alignment(horizontal="left", wrap_text=True))
            row += 1
        for paragraph in section.paragraphs:
            # A merged cell does not grow with its text; estimate the lines so it prints whole.
            lines = max(1, len(paragraph) // (12 * last_col) + paragraph.count("\n") + 1)
            put(row, 1, last_col, paragraph, out.regular, justified, height=16 * lines)
            row += 1
    if meta.table_caption:
        put(row, 1, last_col, meta.table_caption, out.bold, Alignment(horizontal="left", wrap_text=True))
        row += 1
    return row


def _xlsx_table(out: _ReportSheet, table: ReportTable, words: dict, row: int) -> int:
    """The table of figures with its header row at `row`; returns the row after its last line."""
    sheet, bold, regular, boxed = out.sheet, out.bold, out.regular, out.boxed
    for column, heading in enumerate((words["no"], words["indicator"], words["measure"], *table.columns), 1):
        cell = sheet.cell(row=row, column=column, value=_text(heading))
        cell.font, cell.alignment, cell.border = bold, out.centred, boxed
    row += 1
    for number, indicator in enumerate(table.rows, 1):
        lines = [(str(number), indicator.name, indicator.measure, indicator.total, bold, 0)]
        lines += [("", cell.label, "", cell.values, regular, 2) for cell in indicator.cells]
        for label_no, label, measure, values, style, indent in lines:
            texts = (label_no, label, measure)
            for column, value in enumerate(texts, 1):
                cell = sheet.cell(row=row, column=column, value=_text(value) or None)
                cell.font, cell.border = style, boxed
                cell.alignment = Alignment(
                    horizontal="left" if column == 2 else "center", vertical="center", wrap_text=True, indent=indent
                )
            for offset, value in enumerate(values[: out.width]):
                cell = sheet.cell(row=row, column=4 + offset, value=value)
                cell.font, cell.border = style, boxed
                cell.number_format = "#,##0"
                cell.alignment = Alignment(horizontal="right", vertical="center")
            row += 1
    return row


def _xlsx_signature(out: _ReportSheet, meta: DocumentMeta, words: dict, row: int) -> None:
    """Signature block: recipients on the left, the signer on the right."""
    put, font, left_span, right_first, last_col = out.put, out.font, out.left_span, out.right_first, out.last_col
    signer = [line for line in (meta.signer_authority, meta.signer_position) if line]
    recipients = [*(f"- {name};" for name in meta.recipients), words["archive"]]
    put(
        row,
        1,
        left_span,
        words["recipients"],
        Font(name=font, size=12, bold=True, italic=True),
        Alignment(horizontal="left"),
    )
    for offset, line in enumerate(signer):
        put(row + offset, right_first, last_col, line.upper(), out.bold)
    for offset, line in enumerate(recipients, 1):
        put(row + offset, 1, left_span, line, Font(name=font, size=11), Alignment(horizontal="left"))
    if meta.signer_name:
        # Room for the signature and seal between the position and the name.
        put(row + max(len(signer), 1) + 4, right_first, last_col, meta.signer_name, out.bold)


def _xlsx_page_setup(out: _ReportSheet, header_row: int) -> None:
    """Column widths, and printing: A4 portrait, the decree's margins (inches), header row repeated
    on every page."""
    sheet = out.sheet
    sheet.column_dimensions["A"].width = 6
    sheet.column_dimensions["B"].width = 46
    sheet.column_dimensions["C"].width = 11
    for offset in range(out.width):
        sheet.column_dimensions[get_column_letter(4 + offset)].width = 14

    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins = PageMargins(
        left=MARGIN_LEFT / 25.4, right=MARGIN_RIGHT / 25.4, top=MARGIN_TOP / 25.4, bottom=MARGIN_BOTTOM / 25.4
    )
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.print_options.horizontalCentered = True


def _xlsx_data_sheet(book, table: ReportTable, words: dict) -> None:
    """The flat "Data" sheet: one row per figure."""
    data = book.create_sheet(words["data_sheet"])
    data.append(
        [words["code"], words["indicator"], words["measure"], words["breakdown"], words["column"], words["value"]]
    )
    for indicator in table.rows:
        for column, value in zip(table.columns, indicator.total, strict=False):
            data.append(
                [_text(v) for v in (indicator.code, indicator.name, indicator.measure, words["total"], column, value)]
            )
        for cell in indicator.cells:
            for column, value in zip(table.columns, cell.values, strict=False):
                data.append(
                    [_text(v) for v in (indicator.code, indicator.name, indicator.measure, cell.label, column, value)]
                )
    for letter, size in zip("ABCDEF", (22, 46, 11, 30, 16, 12), strict=True):
        data.column_dimensions[letter].width = size
    data.freeze_panes = "A2"


def consolidated_xlsx(table: ReportTable, meta: DocumentMeta) -> bytes:
    """The report as a workbook: a printable "Report" sheet in the official layout and a flat
    "Data" sheet (one row per figure) for anyone who re-uses the numbers."""
    words = _wording(meta)
    book = Workbook()
    sheet = book.active
    sheet.title = words["report_sheet"]
    out = _ReportSheet(sheet, len(table.columns))
    _xlsx_heading(out, meta, words)
    header_row = _xlsx_text(out, meta, words)
    row = _xlsx_table(out, table, words, header_row)
    _xlsx_signature(out, meta, words, row + 1)
    _xlsx_page_setup(out, header_row)
    _xlsx_data_sheet(book, table, words)

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- PDF ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def register_fonts() -> str:
    """Register the DejaVu Serif faces with reportlab once per process; returns the family name."""
    pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "DejaVuSerif.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSerif-Bold.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_ITALIC, str(FONT_DIR / "DejaVuSerif-Italic.ttf")))
    # No bold italic face ships; bold stands in for it.
    addMapping(FONT, 0, 0, FONT)
    addMapping(FONT, 1, 0, FONT_BOLD)
    addMapping(FONT, 0, 1, FONT_ITALIC)
    addMapping(FONT, 1, 1, FONT_BOLD)
    return FONT


def _styles():
    base = ParagraphStyle("base", fontName=FONT, fontSize=12, leading=15)
    return {
        "centre": ParagraphStyle("centre", parent=base, alignment=TA_CENTER, fontSize=10.5, leading=13.5),
        "nation": ParagraphStyle(
            "nation", parent=base, alignment=TA_CENTER, fontName=FONT_BOLD, fontSize=10.5, leading=13.5
        ),
        "motto": ParagraphStyle(
            "motto", parent=base, alignment=TA_CENTER, fontName=FONT_BOLD, fontSize=11.5, leading=14.5
        ),
        "date": ParagraphStyle(
            "date", parent=base, alignment=TA_CENTER, fontName=FONT_ITALIC, fontSize=11.5, leading=14.5
        ),
        "title": ParagraphStyle("title", parent=base, alignment=TA_CENTER, fontName=FONT_BOLD, fontSize=14, leading=18),
        "subtitle": ParagraphStyle(
            "subtitle", parent=base, alignment=TA_CENTER, fontName=FONT_BOLD, fontSize=13, leading=16.5
        ),
        "heading": ParagraphStyle("heading", parent=base, fontName=FONT_BOLD, spaceBefore=6, spaceAfter=3),
        "body": ParagraphStyle(
            "body", parent=base, alignment=TA_JUSTIFY, firstLineIndent=28, spaceAfter=6, fontSize=13, leading=18
        ),
        "cell": ParagraphStyle("cell", parent=base, alignment=TA_LEFT, fontSize=10.5, leading=13),
        "cell_bold": ParagraphStyle(
            "cell_bold", parent=base, alignment=TA_LEFT, fontName=FONT_BOLD, fontSize=10.5, leading=13
        ),
        "cell_centre": ParagraphStyle("cell_centre", parent=base, alignment=TA_CENTER, fontSize=10.5, leading=13),
        "cell_head": ParagraphStyle(
            "cell_head", parent=base, alignment=TA_CENTER, fontName=FONT_BOLD, fontSize=9.5, leading=12
        ),
        "figure": ParagraphStyle("figure", parent=base, alignment=TA_RIGHT, fontSize=10.5, leading=13),
        "figure_bold": ParagraphStyle(
            "figure_bold", parent=base, alignment=TA_RIGHT, fontName=FONT_BOLD, fontSize=10.5, leading=13
        ),
        "recipients_head": ParagraphStyle("recipients_head", parent=base, fontName=FONT_BOLD, fontSize=12, leading=14),
        "recipient": ParagraphStyle("recipient", parent=base, fontSize=11, leading=13),
        "signer": ParagraphStyle(
            "signer", parent=base, alignment=TA_CENTER, fontName=FONT_BOLD, fontSize=13, leading=16
        ),
    }


def _p(text: str, style):
    return Paragraph(escape(_text(text)).replace("\n", "<br/>"), style)


def consolidated_pdf(table: ReportTable, meta: DocumentMeta) -> bytes:
    """The report as an A4 PDF with embedded DejaVu Serif, so every diacritic survives."""
    register_fonts()
    words = _wording(meta)
    styles = _styles()
    frame_width = (A4_WIDTH_MM - MARGIN_LEFT - MARGIN_RIGHT) * mm
    left_width = frame_width * 0.4
    right_width = frame_width - left_width
    flat = TableStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
        ]
    )

    # Heading blocks. The short rule under the issuing body and under the motto is drawn as a
    # one-cell table line, as the decree shows it (a third to a half of the line above it).
    def rule(width_fraction: float, total: float):
        line = Table([[""]], colWidths=[total * width_fraction], rowHeights=[2])
        line.setStyle(TableStyle([("LINEABOVE", (0, 0), (-1, -1), 0.6, colors.black)]))
        line.hAlign = "CENTER"
        return line

    left = [_p(meta.parent_body.upper(), styles["centre"])] if meta.parent_body else []
    left += [
        _p(meta.issuing_body.upper(), styles["nation"]),
        rule(0.4, left_width),
        Spacer(1, 4),
        _p(words["number"], styles["centre"]),
    ]
    right = [
        _p(words["nation"], styles["nation"]),
        _p(words["motto"], styles["motto"]),
        rule(0.62, right_width),
        Spacer(1, 4),
        _p(words["date"], styles["date"]),
    ]
    heading = Table([[left, right]], colWidths=[left_width, right_width])
    heading.setStyle(flat)

    story = [heading, Spacer(1, 9 * mm)]
    for index, line in enumerate(words["title"]):
        story.append(_p(line, styles["title" if index == 0 else "subtitle"]))
    story.append(Spacer(1, 6 * mm))

    for section in meta.sections:
        if section.heading:
            story.append(_p(section.heading, styles["heading"]))
        story.extend(_p(paragraph, styles["body"]) for paragraph in section.paragraphs)
    if meta.table_caption:
        story.append(_p(meta.table_caption, styles["heading"]))

    story.append(_figures_table(table, words, styles, frame_width))
    story.append(Spacer(1, 8 * mm))
    story.append(KeepTogether(_signature(meta, words, styles, left_width, right_width, flat)))

    out = io.BytesIO()

    def number_pages(canvas, document):
        # Decree 30: page numbers centred in the top margin, from the second page on.
        canvas.saveState()
        canvas.setFont(FONT, 11)
        canvas.drawCentredString(A4[0] / 2, A4[1] - MARGIN_TOP * mm / 2, str(document.page))
        canvas.restoreState()

    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        topMargin=MARGIN_TOP * mm,
        bottomMargin=MARGIN_BOTTOM * mm,
        leftMargin=MARGIN_LEFT * mm,
        rightMargin=MARGIN_RIGHT * mm,
        title=" ".join(words["title"]),
        author=meta.issuing_body,
        subject=meta.subject,
    )
    document.build(story, onLaterPages=number_pages)
    return out.getvalue()


def _figures_table(table: ReportTable, words: dict, styles: dict, frame_width: float):
    width = len(table.columns)
    number_width, measure_width = 13 * mm, 20 * mm
    figure_width = min(26 * mm, (frame_width - number_width - measure_width - 55 * mm) / max(width, 1))
    name_width = frame_width - number_width - measure_width - figure_width * width
    head = [_p(text, styles["cell_head"]) for text in (words["no"], words["indicator"], words["measure"])]
    head += [_p(text, styles["cell_head"]) for text in table.columns]
    rows = [head]
    bold_rows = []
    for number, indicator in enumerate(table.rows, 1):
        bold_rows.append(len(rows))
        rows.append(
            [
                _p(str(number), styles["cell_centre"]),
                _p(indicator.name, styles["cell_bold"]),
                _p(indicator.measure, styles["cell_centre"]),
            ]
            + [_p(_figure(value), styles["figure_bold"]) for value in indicator.total[:width]]
        )
        rows.extend(
            ["", _p("– " + cell.label, styles["cell"]), ""]
            + [_p(_figure(value), styles["figure"]) for value in cell.values[:width]]
            for cell in indicator.cells
        )
    grid = Table(rows, colWidths=[number_width, name_width, measure_width] + [figure_width] * width, repeatRows=1)
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    # A heavier rule above each indicator groups its breakdown lines under it.
    commands += [("LINEABOVE", (0, index), (-1, index), 0.8, colors.black) for index in bold_rows]
    grid.setStyle(TableStyle(commands))
    return grid


def _signature(meta: DocumentMeta, words: dict, styles: dict, left_width: float, right_width: float, flat):
    recipients = [_p(words["recipients"], styles["recipients_head"])]
    recipients += [_p(f"- {name};", styles["recipient"]) for name in meta.recipients]
    recipients.append(_p(words["archive"], styles["recipient"]))
    signer = [_p(line.upper(), styles["signer"]) for line in (meta.signer_authority, meta.signer_position) if line]
    if meta.signer_name:
        signer += [Spacer(1, 24 * mm), _p(meta.signer_name, styles["signer"])]
    block = Table([[recipients, signer]], colWidths=[left_width, right_width])
    block.setStyle(flat)
    return [block]
