"""The consolidated report as a workbook: a printable "Report" sheet in the official layout and a
flat "Data" sheet (one row per figure) for anyone who re-uses the numbers."""

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins

from haidang.reporting.documents.model import DocumentMeta, ReportTable
from haidang.reporting.documents.pdf import MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP
from haidang.reporting.documents.wording import text, wording


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
        cell = self.sheet.cell(row=row, column=first, value=text(value))
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


def _xlsxtext(out: _ReportSheet, meta: DocumentMeta, words: dict) -> int:
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
        cell = sheet.cell(row=row, column=column, value=text(heading))
        cell.font, cell.alignment, cell.border = bold, out.centred, boxed
    row += 1
    for number, indicator in enumerate(table.rows, 1):
        lines = [(str(number), indicator.name, indicator.measure, indicator.total, bold, 0)]
        lines += [("", cell.label, "", cell.values, regular, 2) for cell in indicator.cells]
        for label_no, label, measure, values, style, indent in lines:
            texts = (label_no, label, measure)
            for column, value in enumerate(texts, 1):
                cell = sheet.cell(row=row, column=column, value=text(value) or None)
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
    recipients = words["recipient_lines"]
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
                [text(v) for v in (indicator.code, indicator.name, indicator.measure, words["total"], column, value)]
            )
        for cell in indicator.cells:
            for column, value in zip(table.columns, cell.values, strict=False):
                data.append(
                    [text(v) for v in (indicator.code, indicator.name, indicator.measure, cell.label, column, value)]
                )
    for letter, size in zip("ABCDEF", (22, 46, 11, 30, 16, 12), strict=True):
        data.column_dimensions[letter].width = size
    data.freeze_panes = "A2"


def consolidated_xlsx(table: ReportTable, meta: DocumentMeta) -> bytes:
    """The report as a workbook: a printable "Report" sheet in the official layout and a flat
    "Data" sheet (one row per figure) for anyone who re-uses the numbers."""
    words = wording(meta)
    book = Workbook()
    sheet = book.active
    sheet.title = words["report_sheet"]
    out = _ReportSheet(sheet, len(table.columns))
    _xlsx_heading(out, meta, words)
    header_row = _xlsxtext(out, meta, words)
    row = _xlsx_table(out, table, words, header_row)
    _xlsx_signature(out, meta, words, row + 1)
    _xlsx_page_setup(out, header_row)
    _xlsx_data_sheet(book, table, words)

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
