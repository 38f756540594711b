"""Writes for imports: upload (then the dry run as a job on the database worker), and commit."""

import hashlib

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from haidang.access.roles import ROLE_CAPABILITIES, Capability
from haidang.access.scope import scope_for
from haidang.audit.services import record_event
from haidang.common.filetypes import SPREADSHEET_TYPES, count_rows
from haidang.common.gcpause import frozen_heap
from haidang.exchange.imports import commit as committing
from haidang.exchange.imports import staging
from haidang.exchange.imports.registry import KINDS
from haidang.exchange.models import REGISTER_KINDS, ImportBatch, ImportFile, ImportStatus, StagedRow

MAX_IMPORT_BYTES = 50 * 1024 * 1024


def max_import_bytes() -> int:
    return getattr(settings, "IMPORT_MAX_BYTES", MAX_IMPORT_BYTES)


def _membership_for(actor, capability: str):
    """The importer's membership that may both import and write this kind: its unit is the import's."""
    for membership in actor.memberships.filter(is_active=True).select_related("agency", "unit"):
        granted = ROLE_CAPABILITIES.get(membership.role, frozenset())
        if Capability.IMPORT_EXPORT in granted and capability in granted:
            return membership
    return None


@transaction.atomic
def start_import(*, actor, kind: str, uploaded_file, update_existing: bool = False) -> ImportBatch:
    """Check and store the file, and queue its dry run; nothing of the domain is written."""
    if kind not in dict(REGISTER_KINDS):  # an HTCDS file names its partner: `htcds_imports.start_htcds_import`
        raise ValidationError({"kind": [_("Choose a kind of register from the list.")]})
    scope = scope_for(actor)
    membership = _membership_for(actor, KINDS[kind].capability) if scope.can(Capability.IMPORT_EXPORT) else None
    if membership is None:
        raise PermissionDenied(_("You may not import this kind of register."))
    if uploaded_file is None:
        raise ValidationError({"file": [_("Choose a file.")]})
    batch = ImportBatch(
        kind=kind,
        update_existing=bool(update_existing),
        unit=membership.unit,
        agency=membership.agency,
        created_by=actor,
        file_hash="",
    )
    batch.save()
    upload = ImportFile.store(
        uploaded_file,
        max_bytes=max_import_bytes(),
        uploaded_by=actor,
        checks={"accept": SPREADSHEET_TYPES, "max_rows": staging.max_rows()},
        batch=batch,
    )
    with upload.file.open("rb") as stream:
        content = stream.read()
    batch.file_hash = hashlib.sha256(content).hexdigest()
    batch.content_type = upload.content_type
    # What the file declares, for the progress bar until the rows are counted.
    batch.row_count = max(0, (count_rows(content, upload.content_type) or 1) - 1)
    batch.save(update_fields=["file_hash", "content_type", "row_count"])
    record_event(
        action="exchange.import_uploaded",
        actor=actor,
        target=batch,
        unit=batch.unit,
        changes={"kind": kind, "file_hash": batch.file_hash, **upload.audit_changes()},
    )
    dry_run_job.enqueue(str(batch.pk))
    return batch


def run_dry_run(batch_id) -> str:
    """The job's work: read, validate and stage; a failure marks the batch failed, never half-staged."""
    batch = ImportBatch.objects.select_related("upload", "created_by", "unit", "agency").get(pk=batch_id)
    if batch.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING):
        return batch.status
    # Not one transaction: each chunk of staged rows is committed with the progress, so that the page
    # polling it sees the rows counted; a failure removes what was staged and marks the batch failed.
    try:
        with frozen_heap():
            staging.dry_run(batch)
    except Exception:
        StagedRow.objects.filter(batch=batch).delete()
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.FAILED, finished_at=timezone.now())
        raise
    return batch.status


@task()
def dry_run_job(batch_id: str) -> str:
    return run_dry_run(batch_id)


def commit_import(*, actor, batch: ImportBatch) -> ImportBatch:
    """The second, explicit step: every staged row in one transaction, or nothing (the batch then
    records why, row by row)."""
    if batch.created_by_id != actor.pk:
        raise PermissionDenied(_("Only the person who uploaded the file may commit it."))
    try:
        with frozen_heap():
            return committing.commit(batch, actor=actor)
    except committing.CommitError as error:
        with transaction.atomic():
            ImportBatch.objects.filter(pk=batch.pk).update(
                status=ImportStatus.FAILED, file_errors=error.rows, error_count=len(error.rows)
            )
            record_event(
                action="exchange.import_failed",
                actor=actor,
                target=batch,
                unit=batch.unit,
                changes={"kind": batch.kind, "file_hash": batch.file_hash, "row": error.rows[0]["row"]},
            )
        batch.refresh_from_db()
        return batch
