"""The dry run: the file read row by row, each row validated and staged, progress written as it goes.
Nothing of the domain is written here; the commit (`commit.py`) turns staged rows into records."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from itertools import islice

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haidang.common.bulkinsert import insert_rows
from haidang.exchange.imports.readers import ReadError, open_sheet
from haidang.exchange.imports.registry import kind_for
from haidang.exchange.models import ImportBatch, ImportLink, ImportStatus, RowAction, StagedRow
from haidang.exchange.rows import RowError, RowResult, validate_rows

CHUNK = 1000


def max_rows() -> int:
    return getattr(settings, "IMPORT_MAX_ROWS", 200_000)


def _payload_json(payload: dict) -> str:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False)


def _list_json(items: list) -> str:
    return json.dumps(items, ensure_ascii=False) if items else "[]"  # most rows have no error and no warning


def _cells_by_key(columns, rows) -> Iterator[tuple[int, dict]]:
    for number, cells in rows:
        yield number, {column.key: value for column, value in zip(columns, cells, strict=False) if column is not None}


def _chunks(iterable, size: int):
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _stage(batch: ImportBatch, kind, results: list[RowResult], counts: dict) -> None:
    """Stage a chunk: one row each, inserted as plain rows (no model instances); the payload is
    serialised once, for its hash and inside the sealed JSON."""
    keys = [str(r.raw.get(kind.schema.source_key) or "").strip() for r in results if r.ok]
    links = {
        link.source_key: link
        for link in ImportLink.objects.filter(kind=batch.kind, unit=batch.unit, source_key__in=[k for k in keys if k])
    }
    staged = []
    for result in results:
        key = str(result.raw.get(kind.schema.source_key) or "").strip()[:120]
        row = {"batch_id": batch.pk, "row_number": result.row, "source_key": key, "row_hash": "", "target_id": ""}
        payload = "{}"
        if not result.ok:
            row["action"] = RowAction.ERROR
            counts["errors"] += len(result.errors)
        else:
            payload = _payload_json(kind.payload(result.values))
            row["row_hash"] = hashlib.sha256(payload.encode()).hexdigest()
            _decide(batch, kind, row, links.get(key), result)
        errors = [e.as_dict() for e in result.errors]
        warnings = [w.as_dict() for w in result.warnings]
        # The same JSON as `StagedRow.seal` writes (the payload's keys sorted), built around the payload's text.
        row["sealed"] = f'{{"p": {payload}, "e": {_list_json(errors)}, "w": {_list_json(warnings)}}}'
        row["error_count"], row["warning_count"] = len(errors), len(warnings)
        counts["warnings"] += len(result.warnings)
        counts[row["action"]] = counts.get(row["action"], 0) + 1
        staged.append(row)
    insert_rows(StagedRow, staged)


def _decide(batch: ImportBatch, kind, row: dict, link: ImportLink | None, result: RowResult) -> None:
    """Create, update or leave as it is: a row already imported with the same content changes nothing; a
    changed one is updated only when the importer asked, against the version read now."""
    if link is None:
        row["action"] = RowAction.CREATE
        return
    row["target_id"] = link.target_id
    if link.row_hash == row["row_hash"]:
        row["action"] = RowAction.UNCHANGED
        return
    if not batch.update_existing or not kind.updatable:
        row["action"] = RowAction.UNCHANGED
        message = (
            _("This row was imported before and has changed; choose “update existing records” to update it.")
            if kind.updatable
            else _("This row was imported before and has changed; a record of this kind is corrected on its page.")
        )
        result.warnings.append(kind.schema.error_for(result.row, kind.schema.source_key, result.raw, message))
        return
    row["action"] = RowAction.UPDATE
    row["target_version"] = kind.current_version(link.target_id)


def _file_error(batch: ImportBatch, errors: list[RowError]) -> None:
    batch.file_errors = [e.as_dict() for e in errors]
    batch.error_count = len(errors)
    batch.row_count = ImportBatch.objects.filter(pk=batch.pk).values_list("rows_done", flat=True).get()
    batch.status = ImportStatus.DRY_RUN
    batch.finished_at = timezone.now()
    batch.save()


def _check_and_stage(batch: ImportBatch, kind, ctx, columns, sheet, counts: dict) -> None:
    results = validate_rows(kind.schema, _cells_by_key(columns, sheet.rows), units=ctx.units, checks=kind.checks(ctx))
    done = 0
    check_chunk = getattr(kind, "check_chunk", None)
    for chunk in _chunks(results, CHUNK):
        if check_chunk is not None:
            check_chunk(ctx, chunk)  # checks that read the database once for the whole chunk
        done += len(chunk)
        # One transaction per chunk: on SQLite each row would otherwise be a transaction of its own.
        with transaction.atomic():
            _stage(batch, kind, chunk, counts)
            ImportBatch.objects.filter(pk=batch.pk).update(rows_done=done, row_count=max(done + 1, batch.row_count))


def dry_run(batch: ImportBatch) -> ImportBatch:
    """Read, validate and stage every row of the batch's file; the batch's counters say how far it is."""
    kind = kind_for(batch.kind)
    batch.status = ImportStatus.RUNNING
    batch.save(update_fields=["status"])
    StagedRow.objects.filter(batch=batch).delete()
    ctx = kind.context(batch.created_by, batch)
    counts = {"errors": 0, "warnings": 0}
    with batch.upload.file.open("rb") as stream:
        sheet = None
        try:
            # A kind may read its own format (HTCDS JSON); else the sheet or CSV.
            opener = getattr(kind, "open_sheet", None)
            if opener is not None:
                sheet = opener(stream, batch, max_rows=max_rows())
            else:
                sheet = open_sheet(stream, batch.content_type, max_rows=max_rows())
            columns, header_errors = kind.schema.match_headers(sheet.header)
            if header_errors:
                return _file_error(batch, header_errors)
            _check_and_stage(batch, kind, ctx, columns, sheet, counts)
        except ReadError as error:
            return _file_error(batch, [RowError(0, "", "", error.message)])
        finally:
            if sheet is not None and sheet.close is not None:
                sheet.close()  # a workbook still open, or its reading process still running
    batch.refresh_from_db(fields=["rows_done"])
    batch.row_count = batch.rows_done
    batch.error_count = counts["errors"]
    batch.warning_count = counts["warnings"]
    batch.created_count = counts.get(RowAction.CREATE, 0)
    batch.updated_count = counts.get(RowAction.UPDATE, 0)
    batch.unchanged_count = counts.get(RowAction.UNCHANGED, 0)
    batch.status = ImportStatus.DRY_RUN if counts["errors"] else ImportStatus.VALIDATED
    batch.finished_at = timezone.now()
    batch.save()
    return batch
