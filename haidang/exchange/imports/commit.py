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

from contextlib import contextmanager

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haidang.audit.services import record_event
from haidang.common.bulkinsert import insert_rows
from haidang.common.errors import StaleVersionError
from haidang.exchange.imports.kinds.base import Context, RowFailedError
from haidang.exchange.imports.registry import kind_for
from haidang.exchange.models import ImportBatch, ImportLink, ImportStatus, RowAction, StagedRow

CHUNK = 500
# SQLite's page cache during a commit, in KiB (its default is 2 MiB). A commit inserts into indexes with
# random keys (uuids, entry hashes) inside one transaction: past a few tens of thousands of rows those
# pages no longer fit the default cache, every insert reads them back from the write-ahead log, and the
# per-row cost grows with the file. 64 MiB holds them at 100,000 rows; memory stays bounded by it.
SQLITE_CACHE_KIB = 65_536


class CommitError(ValidationError):
    """The commit stopped on a row: nothing was written. `rows` are the row errors."""

    def __init__(self, rows: list[dict]):
        super().__init__([row["message"] for row in rows])
        self.rows = rows


def _row_error(row: StagedRow, error: Exception) -> dict:
    if isinstance(error, StaleVersionError):
        message = _("The record was changed in the system after this file was read; read the file again.")
    elif isinstance(error, ValidationError):
        message = "; ".join(str(m) for m in error.messages)
    else:
        message = str(error) or _("You may not make this change.")
    return {"row": row.row_number, "column": "", "value": row.source_key, "message": message}


def _link(ctx: Context, row: StagedRow, target_id) -> dict:
    """An `ImportLink` row: the source key and the id of the record it became."""
    return {
        "kind": ctx.batch.kind,
        "unit_id": ctx.batch.unit_id,
        "source_key": row.source_key,
        "target_id": str(target_id),
        "row_hash": row.row_hash,
        "batch_id": ctx.batch.pk,
    }


def _create(kind, ctx: Context, rows: list[StagedRow], refs: dict) -> list[dict]:
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


def _apply(kind, ctx: Context, rows: list[StagedRow], counts: dict) -> None:
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


@contextmanager
def _page_cache():
    """SQLite only: a larger page cache for the commit, then the connection's own size again."""
    connection = connections[router.db_for_write(ImportBatch)]
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        # Inside a transaction marked for rollback no statement may run (it would hide the error being
        # raised); the connection then keeps the larger cache until it is closed.
        if not connection.needs_rollback:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {int(before)}")


def commit(batch: ImportBatch, *, actor) -> ImportBatch:
    with _page_cache():
        return _commit(batch, actor=actor)


@transaction.atomic
def _commit(batch: ImportBatch, *, actor) -> ImportBatch:
    locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if locked.status != ImportStatus.VALIDATED:
        raise ValidationError({"status": [_("Only an import read without errors can be committed.")]})
    kind = kind_for(locked.kind)
    ctx = kind.context(actor, locked)
    counts = {RowAction.CREATE: 0, RowAction.UPDATE: 0}
    staged = StagedRow.objects.filter(batch=locked, action__in=(RowAction.CREATE, RowAction.UPDATE)).order_by(
        "row_number"
    )
    chunk: list[StagedRow] = []
    for row in staged.iterator(chunk_size=CHUNK):
        chunk.append(row)
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
