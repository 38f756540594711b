"""The commit: staged rows of a validated batch become records, all or nothing, in one transaction.

New rows are inserted set-based where the kind has a bulk form (prevention activities, whose checks
ran at the dry run; victim cases through `cases.services.create_cases`, which checks every row again
and writes the case numbers, the steps and one audit entry per victim's record in bulk), otherwise
through the domain's own service one row at a time; every record written has its audit entry. Updates
always go through the service with the version read at the dry run. Chunks read their references
(units, agencies, campaigns) in a few queries; the links from source keys to records are inserted in
bulk. One more audit entry records the import itself with its row count and file hash.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haidang.audit.services import record_event
from haidang.common.bulkinsert import insert_rows, page_cache
from haidang.common.errors import StaleVersionError
from haidang.common.jsontext import json_loads
from haidang.exchange.imports.kinds.base import Context, RowFailedError
from haidang.exchange.imports.registry import kind_for
from haidang.exchange.models import ImportBatch, ImportLink, ImportStatus, RowAction, StagedRow

CHUNK = 500


class _Staged:
    """A staged row as the commit reads it (its columns, the sealed JSON opened by the query), without
    building a `StagedRow` for each."""

    __slots__ = ("row_number", "source_key", "sealed", "action", "row_hash", "target_id", "target_version", "_opened")

    def __init__(self, row_number, source_key, sealed, action, row_hash, target_id, target_version):
        self.row_number, self.source_key, self.sealed, self.action = row_number, source_key, sealed, action
        self.row_hash, self.target_id, self.target_version = row_hash, target_id, target_version
        self._opened = None

    @property
    def payload(self) -> dict:
        if self._opened is None:
            self._opened = json_loads(self.sealed) if self.sealed else {"p": {}}
        return self._opened["p"]


class CommitError(ValidationError):
    """The commit stopped on a row: nothing was written. `rows` are the row errors."""

    def __init__(self, rows: list[dict]):
        super().__init__([row["message"] for row in rows])
        self.rows = rows


def _row_error(row: _Staged, error: Exception) -> dict:
    if isinstance(error, StaleVersionError):
        message = _("The record was changed in the system after this file was read; read the file again.")
    elif isinstance(error, ValidationError):
        message = "; ".join(str(m) for m in error.messages)
    else:
        message = str(error) or _("You may not make this change.")
    return {"row": row.row_number, "column": "", "value": row.source_key, "message": message}


def _link(ctx: Context, row: _Staged, target_id) -> dict:
    """An `ImportLink` row: the source key and the id of the record it became."""
    return {
        "kind": ctx.batch.kind,
        "unit_id": ctx.batch.unit_id,
        "source_key": row.source_key,
        "target_id": str(target_id),
        "row_hash": row.row_hash,
        "batch_id": ctx.batch.pk,
    }


def _create(kind, ctx: Context, rows: list[_Staged], refs: dict) -> list[dict]:
    """New records: set-based where the kind has a bulk form (`bulk_create`, giving the records' ids), else
    one service call each."""
    bulk = getattr(kind, "bulk_create", None)
    if bulk is not None and rows:
        try:
            ids = bulk(ctx, [row.payload for row in rows], refs)
        except RowFailedError as failed:
            raise CommitError([_row_error(rows[failed.index], failed.error)]) from failed
        except (ValidationError, PermissionDenied) as error:
            raise CommitError([_row_error(rows[0], error)]) from error
        return [_link(ctx, row, pk) for row, pk in zip(rows, ids, strict=True)]
    links = []
    for row in rows:
        try:
            links.append(_link(ctx, row, kind.create(ctx, row.payload, refs).pk))
        except (ValidationError, PermissionDenied, StaleVersionError) as error:
            raise CommitError([_row_error(row, error)]) from error
    return links


def _apply(kind, ctx: Context, rows: list[_Staged], counts: dict) -> None:
    refs = kind.prepare([row.payload for row in rows])
    creates = [row for row in rows if row.action == RowAction.CREATE]
    insert_rows(ImportLink, _create(kind, ctx, creates, refs))
    counts[RowAction.CREATE] += len(creates)
    for row in rows:
        if row.action != RowAction.UPDATE:
            continue
        try:
            kind.update(ctx, row.target_id, row.target_version, row.payload, refs)
        except (ValidationError, PermissionDenied, StaleVersionError) as error:
            raise CommitError([_row_error(row, error)]) from error
        ImportLink.objects.filter(kind=ctx.batch.kind, unit=ctx.batch.unit, source_key=row.source_key).update(
            row_hash=row.row_hash, batch=ctx.batch
        )
        counts[RowAction.UPDATE] += 1


@transaction.atomic
def commit(batch: ImportBatch, *, actor) -> ImportBatch:
    locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if locked.status != ImportStatus.VALIDATED:
        raise ValidationError({"status": [_("Only an import read without errors can be committed.")]})
    kind = kind_for(locked.kind)
    ctx = kind.context(actor, locked)
    counts = {RowAction.CREATE: 0, RowAction.UPDATE: 0}
    staged = (
        StagedRow.objects.filter(batch=locked, action__in=(RowAction.CREATE, RowAction.UPDATE))
        .order_by("row_number")
        .values_list(*_Staged.__slots__[:-1])
    )
    chunk: list[_Staged] = []
    with page_cache():
        for values in staged.iterator(chunk_size=CHUNK):
            chunk.append(_Staged(*values))
            if len(chunk) == CHUNK:
                _apply(kind, ctx, chunk, counts)
                chunk = []
        if chunk:
            _apply(kind, ctx, chunk, counts)
    locked.status = ImportStatus.COMMITTED
    locked.committed_at = timezone.now()
    locked.created_count = counts[RowAction.CREATE]
    locked.updated_count = counts[RowAction.UPDATE]
    locked.save()
    record_event(
        action="exchange.import_committed",
        actor=actor,
        target=locked,
        unit=locked.unit,
        changes={
            "kind": locked.kind,
            "row_count": locked.row_count,
            "file_hash": locked.file_hash,
            "created": locked.created_count,
            "updated": locked.updated_count,
            "unchanged": locked.unchanged_count,
        },
    )
    return locked
