"""HTCDS v2 records from a partner as a kind of import: the same upload, dry run on the database worker,
staged rows, progress and explicit all-or-nothing commit as the registers (`exchange.imports`).

The file is read as it streams: a CSV row by row (`imports.readers`), JSON Lines (one record per line) line by
line, and a JSON document (`{"header": …, "records": […]}` as `writers.json_stream` writes it, or a list)
record by record with ijson: no whole file in memory.

Re-import is safe: a record's source key is the partner agency with the partner's case id (`x_case_id`), kept
in `ImportLink`; a record imported before with the same content changes nothing, a changed one updates its case
only with "update existing", against the version read at the dry run.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from datetime import date

import ijson
from django.utils.translation import gettext as _

from haidang.access.roles import Capability
from haidang.cases import services as case_services
from haidang.cases.models import Case
from haidang.common.filetypes import JSON_TYPE
from haidang.exchange.htcds import importing
from haidang.exchange.imports.kinds.base import Context, Kind, units_by_pk
from haidang.exchange.imports.readers import ReadError, Sheet, open_sheet
from haidang.exchange.rows import Column, Schema, UnitCache, jsonable

SOURCE_KEY = "x_source_key"  # the partner agency and its case id: filled in by the reader, never by the file
SCHEMA = Schema(
    [*importing.SCHEMA.columns, Column(SOURCE_KEY, SOURCE_KEY, max_length=120)],
    source_key=SOURCE_KEY,
)
DAYS = ("x_registered_on", "prs_Birthdate")


def _source(partner, case_id) -> str:
    return f"{partner.pk.hex}:{str(case_id or '').strip()}" if str(case_id or "").strip() else ""


def _with_source(header: list, rows, partner, close=None) -> Sheet:
    """Drop the columns an export writes that the import derives again, and add the source key."""
    keep = [i for i, name in enumerate(header) if str(name or "").strip() not in importing.IGNORED]
    names = [header[i] for i in keep]
    folded = [str(name or "").strip() for name in names]
    case_at = next((i for i, name in enumerate(folded) if name in ("x_case_id", "id", "x_partner_id")), None)

    def data() -> Iterator[tuple[int, tuple]]:
        for number, cells in rows:
            kept = [cells[i] if i < len(cells) else None for i in keep]
            key = _source(partner, kept[case_at]) if case_at is not None else ""
            yield number, (*kept, key)

    return Sheet(header=[*names, SOURCE_KEY], rows=data(), close=close)


def _json_cells(record: dict) -> dict:
    return {key: ";".join(str(v) for v in value) if isinstance(value, list) else value for key, value in record.items()}


# A first line longer than this is not taken for a JSON Lines record: the file is read as one document.
FIRST_LINE_LIMIT = 1024 * 1024


def _skip_bom_and_space(stream) -> bytes:
    """The document's first significant byte, with the stream left at the start of the document."""
    start = 3 if stream.read(3) == codecs.BOM_UTF8 else 0
    stream.seek(start)
    while (byte := stream.read(1)) and byte.isspace():
        start += 1
    stream.seek(start)
    return byte


def _records_of_document(stream) -> Iterator[dict]:
    """The records of a JSON document, parsed as they stream (ijson), never the whole file at once."""
    first = _skip_bom_and_space(stream)
    prefix = "item" if first == b"[" else "records.item"
    try:
        for record in ijson.items(stream, prefix, use_float=True):
            if not isinstance(record, dict):
                raise ReadError(_("The JSON file has no list of records."))
            yield record
    except ijson.JSONError:
        raise ReadError(_("The file is not valid JSON.")) from None  # the parser quotes the file


def _records_of_lines(first: dict, text) -> Iterator[dict]:
    yield first
    for number, line in enumerate(text, start=2):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise ReadError(_("Line %(line)s is not a JSON record.") % {"line": number}) from error
        if not isinstance(record, dict):
            raise ReadError(_("Line %(line)s is not a JSON record.") % {"line": number})
        yield record


def _json_sheet(stream) -> tuple[list, Iterator[tuple[int, tuple]]]:
    stream.seek(0)
    text = codecs.getreader("utf-8-sig")(stream, errors="strict")
    try:
        first_line = text.readline(FIRST_LINE_LIMIT)
        try:
            first = json.loads(first_line)
        except json.JSONDecodeError:
            first = None
        if isinstance(first, dict) and "records" not in first and "header" not in first:
            records = _records_of_lines(first, text)
        else:
            stream.seek(0)
            records = _records_of_document(stream)
        head = next(records, None)
    except UnicodeDecodeError as error:
        raise ReadError(_("The file is not UTF-8 text.")) from error
    if head is None:
        raise ReadError(_("The JSON file has no list of records."))
    known = [column.key for column in importing.SCHEMA.columns]
    header = known + [key for key in head if key not in known and key not in importing.IGNORED]

    def data() -> Iterator[tuple[int, tuple]]:
        number = 1
        for record in _chain(head, records):
            cells = _json_cells(record)
            yield number, tuple(cells.get(key) for key in header)
            number += 1

    return header, data()


def _chain(head: dict, rest: Iterator[dict]) -> Iterator[dict]:
    yield head
    try:
        yield from rest
    except UnicodeDecodeError as error:
        raise ReadError(_("The file is not UTF-8 text.")) from error


class Htcds(Kind):
    code = "htcds"
    schema = SCHEMA
    capability = Capability.EDIT_CASES
    model = Case

    def file_sheet(self, stream, batch, *, max_rows: int) -> Sheet:
        """The batch's file as a sheet: a JSON file's records as rows of cells under their keys."""
        if batch.content_type == JSON_TYPE:
            header, rows = _json_sheet(stream)
            return Sheet(header=header, rows=_limited(rows, max_rows))
        return open_sheet(stream, batch.content_type, max_rows=max_rows)

    def open_sheet(self, stream, batch, *, max_rows: int) -> Sheet:
        """The sheet the dry run reads: the last column is the source key (partner + case id)."""
        if batch.partner is None:
            raise ReadError(_("An HTCDS file names its partner agency: upload it on the HTCDS import page."))
        sheet = self.file_sheet(stream, batch, max_rows=max_rows)
        return _with_source(list(sheet.header), sheet.rows, batch.partner, sheet.close)

    def context(self, actor, batch) -> Context:
        # No column names a unit by code: the mailing address goes through the address resolver.
        return Context(actor=actor, batch=batch, units=UnitCache(levels=()))

    def checks(self, ctx: Context) -> list:
        return [importing.check_name, importing.check_countries, importing.check_address]

    def payload(self, values: dict) -> dict:
        return jsonable({key: value for key, value in values.items() if key != SOURCE_KEY})

    def prepare(self, payloads: list[dict]) -> dict:
        return {"units": units_by_pk(p.get("residence_unit") for p in payloads)}

    def _values(self, payload: dict, refs: dict) -> dict:
        values = dict(payload)
        for key in DAYS:
            values[key] = date.fromisoformat(payload[key]) if payload.get(key) else None
        values["residence_unit"] = refs["units"].get(payload.get("residence_unit"))
        return values

    def create(self, ctx: Context, payload: dict, refs: dict):
        person, case = importing.person_and_case(
            self._values(payload, refs), agency=ctx.batch.agency, intake_channel=ctx.batch.intake_channel
        )
        return case_services.create_case(actor=ctx.actor, person_data=person, case_data=case)

    def update(self, ctx: Context, target_id: str, version: int, payload: dict, refs: dict):
        _person, data = importing.person_and_case(
            self._values(payload, refs), agency=ctx.batch.agency, intake_channel=ctx.batch.intake_channel
        )
        case = Case.objects.get(pk=target_id)
        changes = {key: data[key] for key in ("exploitation_forms", "destination_country", "recruitment_method")}
        return case_services.update_case(actor=ctx.actor, case=case, version=version, data=changes)


def _limited(rows, max_rows: int) -> Iterator[tuple[int, tuple]]:
    for count, row in enumerate(rows, start=1):
        if count > max_rows:
            raise ReadError(_("The file has more than %(count)s records.") % {"count": max_rows})
        yield row
