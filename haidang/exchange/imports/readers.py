"""Reading an uploaded register row by row, never the whole file at once.

XLSX through openpyxl in read-only mode with `data_only=True`: a formula gives the value Excel saved
with it (or nothing), never evaluated; external links are not followed (`keep_links=False`). CSV in
UTF-8 (with or without its byte-order mark), separated by ";" (Excel in Vietnamese) or ",".

A large workbook is read ahead in a child process (forked, so it needs nothing set up again) that sends
the rows through a pipe in batches while this process checks them: openpyxl's parsing takes as long as
the checks, and the two then overlap on two cores. The pipe holds about 1 MB (a few thousand rows, enough
to keep the reader busy while a chunk is staged), so the reader never runs far ahead and memory stays
flat. It reads nothing else and writes nothing.
"""

import codecs
import contextlib
import csv
import fcntl
import io
import multiprocessing
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
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


def _damaged() -> str:
    return _("The workbook cannot be read: it is damaged or not an Excel workbook.")


def _xlsx_rows(stream, max_rows: int) -> Sheet:
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True, keep_links=False, keep_vba=False)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise ReadError(_damaged()) from error
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
        except ReadError:
            raise
        except Exception as error:  # damaged past its first row: the same answer as at the start
            raise ReadError(_damaged()) from error
        finally:
            workbook.close()

    return Sheet(header=list(header), rows=data(), close=workbook.close)


READ_AHEAD_BATCH = 500
PIPE_BYTES = 1024 * 1024  # at most /proc/sys/fs/pipe-max-size (1 MB by default) without privileges


def _send_rows(stream, max_rows: int, sender) -> None:
    """The reading process: ("header", cells), then ("rows", [(number, cells), ...]) batches and ("end", None);
    ("error", message) where reading fails. Stops quietly when the checking process has stopped listening."""
    try:
        try:
            sheet = _xlsx_rows(stream, max_rows)
            sender.send(("header", sheet.header))
            batch = []
            for item in sheet.rows:
                batch.append(item)
                if len(batch) == READ_AHEAD_BATCH:
                    sender.send(("rows", batch))
                    batch = []
            sender.send(("rows", batch))
            sender.send(("end", None))
        except ReadError as error:
            sender.send(("error", error.message))
    except (BrokenPipeError, ConnectionResetError):
        pass
    finally:
        sender.close()


def _read_ahead(stream, max_rows: int) -> Sheet:
    """`_xlsx_rows` with the reading done by a child process (see the module's note)."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    with contextlib.suppress(OSError, AttributeError):  # Linux only; elsewhere the system's pipe size
        fcntl.fcntl(sender.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    reader = context.Process(
        target=_send_rows, args=(stream, max_rows, sender), name="haidang-sheet-reader", daemon=True
    )
    reader.start()
    sender.close()  # the child holds the only sending end: its exit ends the pipe

    def stop() -> None:
        receiver.close()
        if reader.is_alive():
            reader.terminate()
        reader.join()

    def receive() -> tuple:
        try:
            return receiver.recv()
        except (EOFError, OSError):  # the reader died without a word
            return ("error", _damaged())

    kind, value = receive()
    if kind == "error":
        stop()
        raise ReadError(value)

    def data() -> Iterator[tuple[int, tuple]]:
        try:
            while True:
                kind, value = receive()
                if kind == "rows":
                    yield from value
                elif kind == "error":
                    raise ReadError(value)
                else:
                    return
        finally:
            stop()

    return Sheet(header=list(value), rows=data(), close=stop)


def _reads_ahead(stream) -> bool:
    """A workbook of at least IMPORT_READ_AHEAD_BYTES (0: never), where processes can be forked."""
    threshold = getattr(settings, "IMPORT_READ_AHEAD_BYTES", 0)
    if not threshold or "fork" not in multiprocessing.get_all_start_methods():
        return False
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size >= threshold


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
    if _reads_ahead(stream):
        return _read_ahead(stream, max_rows)
    return _xlsx_rows(stream, max_rows)
