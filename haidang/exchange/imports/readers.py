"""Reading an uploaded register row by row, never the whole file at once.

XLSX through openpyxl in read-only mode with `data_only=True`: a formula gives the value Excel saved
with it (or nothing), never evaluated; external links are not followed (`keep_links=False`). CSV in
UTF-8 (with or without its byte-order mark), separated by ";" (Excel in Vietnamese) or ",".
"""

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _
from openpyxl import load_workbook

from haidang.common.filetypes import CSV_TYPE

__all__ = ["ReadError", "Sheet", "open_sheet"]


class ReadError(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Sheet:
    """The header cells, and the data rows as (row number as the sheet shows it, cells)."""

    header: list
    rows: Iterator[tuple[int, tuple]]
    close: object = None


def _blank(cells) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def _xlsx_rows(stream, max_rows: int) -> Sheet:
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True, keep_links=False, keep_vba=False)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise ReadError(_("The workbook cannot be read: it is damaged or not an Excel workbook.")) from error
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        workbook.close()
        raise ReadError(_("The sheet is empty: the first row must hold the column headers."))

    def data() -> Iterator[tuple[int, tuple]]:
        try:
            for number, cells in enumerate(rows, start=2):
                if _blank(cells):
                    continue
                if number > max_rows + 1:
                    raise ReadError(
                        _("The file has more than %(count)s rows; split it into smaller files.") % {"count": max_rows}
                    )
                yield number, cells
        finally:
            workbook.close()

    return Sheet(header=list(header), rows=data(), close=workbook.close)


def _csv_rows(stream, max_rows: int) -> Sheet:
    stream.seek(0)
    text = codecs.getreader("utf-8-sig")(stream, errors="strict")
    try:
        first = text.readline()
    except UnicodeDecodeError as error:
        raise ReadError(_("The CSV file is not in UTF-8: save it as “CSV UTF-8”.")) from error
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    header = next(csv.reader([first], delimiter=delimiter), [])

    def data() -> Iterator[tuple[int, tuple]]:
        reader = csv.reader(text, delimiter=delimiter)
        try:
            for number, cells in enumerate(reader, start=2):
                if _blank(cells):
                    continue
                if number > max_rows + 1:
                    raise ReadError(
                        _("The file has more than %(count)s rows; split it into smaller files.") % {"count": max_rows}
                    )
                yield number, tuple(cells)
        except UnicodeDecodeError as error:
            raise ReadError(_("The CSV file is not in UTF-8: save it as “CSV UTF-8”.")) from error
        except csv.Error as error:
            raise ReadError(_("The CSV file cannot be read: %(error)s") % {"error": str(error)[:200]}) from error

    return Sheet(header=header, rows=data())


def open_sheet(stream, content_type: str, *, max_rows: int) -> Sheet:
    """The first sheet of a workbook, or the CSV, from a binary stream."""
    if isinstance(stream, bytes | bytearray):
        stream = io.BytesIO(stream)
    if content_type == CSV_TYPE:
        return _csv_rows(stream, max_rows)
    return _xlsx_rows(stream, max_rows)
