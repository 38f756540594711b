"""Writes for an HTCDS import from a partner: the upload (then the dry run as a job on the database worker,
the same as a register's); the commit is the imports' own (`imports.commit_import`: all or nothing)."""

import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from haidang.access.roles import Capability
from haidang.access.scope import scope_for
from haidang.audit.services import record_event
from haidang.cases.models import IntakeChannel
from haidang.common.filetypes import CSV_TYPE, JSON_TYPE
from haidang.exchange.htcds import importing
from haidang.exchange.models import ImportBatch, ImportFile, ImportKind
from haidang.exchange.services.imports import _membership_for, dry_run_job

ACCEPTED = frozenset({CSV_TYPE, JSON_TYPE})


def _clean(*, partner, intake_channel: str, uploaded_file) -> None:
    errors: dict = {}
    if partner is None:
        errors["partner"] = [_("Choose the partner agency the records come from.")]
    elif not partner.is_active:
        errors["partner"] = [_("This agency is no longer active.")]
    if intake_channel not in IntakeChannel.values:
        errors["intake_channel"] = [_("Choose an intake channel from the list.")]
    if uploaded_file is None:
        errors["file"] = [_("Choose a file.")]
    if errors:
        raise ValidationError(errors)


def _declared_rows(upload: ImportFile) -> tuple[str, int]:
    """The file's hash and its lines (the progress bar's measure until the records are counted), read in
    chunks."""
    digest, lines = hashlib.sha256(), 0
    with upload.file.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
            lines += chunk.count(b"\n")
    return digest.hexdigest(), max(1, lines - (1 if upload.content_type == CSV_TYPE else 0))


def _content_type(upload: ImportFile) -> str:
    """JSON when the text opens an object or a list (the upload check may take JSON with commas for CSV)."""
    with upload.file.open("rb") as stream:
        head = stream.read(64).decode("utf-8-sig", errors="ignore").lstrip()
    return JSON_TYPE if head[:1] in ("{", "[") else upload.content_type


@transaction.atomic
def start_htcds_import(
    *, actor, uploaded_file, partner, intake_channel: str, update_existing: bool = False
) -> ImportBatch:
    """Check and store the partner's file and queue its dry run; nothing of the cases is written."""
    scope = scope_for(actor)
    membership = _membership_for(actor, Capability.EDIT_CASES) if scope.can(Capability.IMPORT_EXPORT) else None
    if membership is None:
        raise PermissionDenied(_("You may not import cases."))
    _clean(partner=partner, intake_channel=intake_channel, uploaded_file=uploaded_file)
    batch = ImportBatch.objects.create(
        kind=ImportKind.HTCDS,
        update_existing=bool(update_existing),
        unit=membership.unit,
        agency=membership.agency,
        partner=partner,
        intake_channel=intake_channel,
        created_by=actor,
        file_hash="",
    )
    upload = ImportFile.store(
        uploaded_file,
        max_bytes=importing.MAX_BYTES,
        uploaded_by=actor,
        checks={"accept": ACCEPTED, "max_rows": importing.MAX_ROWS},
        batch=batch,
    )
    batch.file_hash, batch.row_count = _declared_rows(upload)
    batch.content_type = _content_type(upload)
    batch.save(update_fields=["file_hash", "content_type", "row_count"])
    record_event(
        action="exchange.import_uploaded",
        actor=actor,
        target=batch,
        unit=batch.unit,
        changes={
            "kind": batch.kind,
            "partner": str(partner.pk),
            "file_hash": batch.file_hash,
            **upload.audit_changes(),
        },
    )
    dry_run_job.enqueue(str(batch.pk))
    return batch
