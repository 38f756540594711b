"""Streaming writers: CSV (UTF-8 with a byte-order mark, so that Excel reads Vietnamese) and JSON.

Both take an iterator of records (dicts keyed by HTCDS keys) and yield text a chunk at a time, for a
`StreamingHttpResponse` or a file a job writes; nothing holds the whole export in memory.
Multi-select fields are JSON arrays, or codes joined by ";" in CSV (HTCDS §7.1); dates are ISO 8601.
"""

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import date

from haidang.exchange.htcds.fields import MULTI

BATCH = 500


class _Lines:
    """A file-like target for csv.writer that hands back what was written."""

    def __init__(self):
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def take(self) -> str:
        text = "".join(self.parts)
        self.parts.clear()
        return text


def _cell(column: str, value) -> str:
    if value is None:
        return ""
    if column in MULTI or isinstance(value, list):
        return ";".join(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def csv_stream(columns: tuple[str, ...], records: Iterable[dict]) -> Iterator[str]:
    lines = _Lines()
    writer = csv.writer(lines, lineterminator="\r\n")
    writer.writerow(columns)
    yield "\ufeff" + lines.take()
    pending = 0
    for record in records:
        writer.writerow([_cell(column, record.get(column)) for column in columns])
        pending += 1
        if pending >= BATCH:
            yield lines.take()
            pending = 0
    if pending:
        yield lines.take()


def _json_default(value):
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# One encoder for the whole file (json.dumps with options builds a new one for every record).
_ENCODE = json.JSONEncoder(ensure_ascii=False, default=_json_default).encode


def json_stream(header: dict, columns: tuple[str, ...], records: Iterable[dict]) -> Iterator[str]:
    """{"header": {...}, "records": [...], "count": N}: the count comes last, once every record is written.
    Each record is on a line of its own."""
    yield '{"header": ' + _ENCODE(header) + ', "records": ['
    count = 0
    chunk: list[str] = []
    for record in records:
        chunk.append(_ENCODE({column: record.get(column) for column in columns}))
        count += 1
        if len(chunk) >= BATCH:
            yield ("," if count > len(chunk) else "") + "\n" + ",\n".join(chunk)
            chunk = []
    if chunk:
        yield ("," if count > len(chunk) else "") + "\n" + ",\n".join(chunk)
    yield f'\n], "count": {count}}}\n'
