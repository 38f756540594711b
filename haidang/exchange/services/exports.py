"""Exports in HTCDS v2, by audience (issue 12).

- **Case exchange with a named partner** (`request_partner_export`): identifiable; holds only the cases whose
  consent covers that recipient and the purpose "export", as the consent gate (`cases.services.check_disclosure`)
  decides; every case sent is recorded as a disclosure. The export says how many cases were left out for lack of
  consent, never which. Needs `import_export` and `view_identity`.
- **Pseudonymised research extract** (`request_research_extract`): no direct identifiers, keyed pseudonyms
  stable per recipient, dates to the month, age bands, k = 11 over the quasi-identifiers. A one-off release:
  asked for, approved by another user who may export in the area (`approve_export`), then downloaded once by
  the requester within `DOWNLOAD_HOURS`, as statistics releases are approved by a second person.

Each step is audited with the recipient, the purpose and the row count. The file is written from the records
when it is downloaded (`open_download`), streamed; record-level data is never published.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from itertools import islice
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from haidang.access.roles import Capability
from haidang.access.scope import scope_for
from haidang.audit.services import record_event
from haidang.cases.models import Consent, DisclosedCase, Disclosure
from haidang.cases.services import check_disclosure
from haidang.common.errors import StaleVersionError
from haidang.common.text import clean_text
from haidang.exchange.htcds import fields, records, writers
from haidang.exchange.htcds.codes import organisation_type
from haidang.exchange.htcds.privacy import K, k_anonymise, pseudonymiser
from haidang.exchange.models import Export, ExportAudience, ExportFormat, ExportStatus
from haidang.exchange.selectors.exports import exportable_cases
from haidang.places.models import AdministrativeUnit

PURPOSE = "export"  # the consent purpose an export is a disclosure for
DOWNLOAD_HOURS = 48
CHUNK = 2000
# Sealed columns a record does not need: never opened (decrypted) by an export.
_NOT_OPENED = ("person__other_names", "person__document_number", "person__contacts")
_NOT_OPENED_RESEARCH = (*_NOT_OPENED, "person__full_name", "person__address")


# --- Checks -----------------------------------------------------------------------------------------


def _check_may_export(actor, audience: str) -> None:
    scope = scope_for(actor)
    if not scope.can(Capability.IMPORT_EXPORT):
        raise PermissionDenied
    if audience == ExportAudience.PARTNER and not scope.can(Capability.VIEW_IDENTITY):
        raise PermissionDenied(_("An identifiable export needs the right to see identities."))


def _clean_request(*, recipient, file_format: str, purpose: str) -> str:
    errors: dict = {}
    if recipient is None:
        errors["recipient"] = [_("Choose the agency the export goes to.")]
    elif not recipient.is_active:
        errors["recipient"] = [_("This agency is no longer active.")]
    if file_format not in ExportFormat.values:
        errors["file_format"] = [_("Choose CSV or JSON.")]
    purpose = clean_text(purpose or "")
    if not purpose:
        errors["purpose"] = [_("Say what the data is for.")]
    elif len(purpose) > 200:
        errors["purpose"] = [_("Keep the purpose under 200 characters.")]
    if errors:
        raise ValidationError(errors)
    return purpose


def _area(actor) -> AdministrativeUnit:
    """The widest unit where the actor may export (the export's area, for who else may see it)."""
    paths = scope_for(actor).paths_for(Capability.IMPORT_EXPORT)
    ids = [int(path.strip("/").split("/")[-1]) for path in paths]
    return AdministrativeUnit.objects.filter(pk__in=ids).order_by("level", "pk").first()


# --- The consent gate -------------------------------------------------------------------------------


class _ConsentRow(NamedTuple):
    """What the consent gate reads of a consent (read as a row, not a model: an export checks thousands)."""

    pk: object
    case_id: object
    purpose: str
    recipient_id: object
    withdrawn_on: object


class _CaseRef(NamedTuple):
    pk: object


@dataclass
class Gate:
    """The cases a partner export may hold (with the consent that allows each) and how many are left out."""

    allowed: dict  # case id → consent id
    total: int

    @property
    def left_out(self) -> int:
        return self.total - len(self.allowed)


def consent_gate(actor, recipient) -> Gate:
    """Each case the actor may export, through `check_disclosure` with each consent that might cover it."""
    cases = exportable_cases(actor)
    candidates = (
        Consent.objects.filter(case__in=cases.values("pk"), purpose=PURPOSE)
        .filter(Q(recipient=recipient) | Q(recipient__isnull=True))
        .order_by("case_id", "-given_on")
    )
    allowed: dict = {}
    rows = candidates.values_list("pk", "case_id", "purpose", "recipient_id", "withdrawn_on")
    for row in rows.iterator(chunk_size=CHUNK):
        consent = _ConsentRow(*row)
        if consent.case_id in allowed:
            continue
        try:
            check_disclosure(case=_CaseRef(consent.case_id), purpose=PURPOSE, recipient=recipient, consent=consent)
        except ValidationError:
            continue
        allowed[consent.case_id] = consent.pk
    return Gate(allowed=allowed, total=cases.count())


# --- Asking for an export ---------------------------------------------------------------------------


def _audit(action: str, actor, export: Export, **extra) -> None:
    record_event(
        action=f"exchange.{action}",
        actor=actor,
        target=export,
        unit=export.unit,
        changes={
            "audience": export.audience,
            "recipient": str(export.recipient_id),
            "purpose": export.purpose,
            "format": export.file_format,
            "rows": export.row_count,
            "left_out_for_consent": export.left_out,
            **extra,
        },
    )


@transaction.atomic
def request_partner_export(*, actor, recipient, file_format: str, purpose: str) -> Export:
    """An identifiable case exchange with `recipient`: ready to download at once by the requester."""
    _check_may_export(actor, ExportAudience.PARTNER)
    purpose = _clean_request(recipient=recipient, file_format=file_format, purpose=purpose)
    gate = consent_gate(actor, recipient)
    export = Export.objects.create(
        audience=ExportAudience.PARTNER,
        recipient=recipient,
        purpose=purpose,
        file_format=file_format,
        unit=_area(actor),
        status=ExportStatus.READY,
        requested_by=actor,
        expires_at=timezone.now() + timedelta(hours=DOWNLOAD_HOURS),
        row_count=len(gate.allowed),
        left_out=gate.left_out,
    )
    _audit("export_requested", actor, export)
    return export


def _research_rows(actor, recipient) -> tuple[list[dict], dict]:
    pseudonymise = pseudonymiser(str(recipient.pk))
    cases = records.cases_for_export(exportable_cases(actor)).defer(*_NOT_OPENED_RESEARCH)
    places = records.Places()
    rows = [records.research_record(case, pseudonymise, places) for case in cases.iterator(chunk_size=CHUNK)]
    kept, report = k_anonymise(rows, k=K)
    return kept, report.as_dict()


@transaction.atomic
def request_research_extract(*, actor, recipient, file_format: str, purpose: str) -> Export:
    """A pseudonymised extract for `recipient`: waits for a second person's approval."""
    _check_may_export(actor, ExportAudience.RESEARCH)
    purpose = _clean_request(recipient=recipient, file_format=file_format, purpose=purpose)
    kept, report = _research_rows(actor, recipient)
    export = Export.objects.create(
        audience=ExportAudience.RESEARCH,
        recipient=recipient,
        purpose=purpose,
        file_format=file_format,
        unit=_area(actor),
        status=ExportStatus.REQUESTED,
        requested_by=actor,
        row_count=len(kept),
        redaction=report,
    )
    _audit("export_requested", actor, export, redaction=report)
    return export


# --- Approval ---------------------------------------------------------------------------------------


def _locked(export: Export, version: int | None) -> Export:
    locked = Export.objects.select_for_update().select_related("recipient", "unit").get(pk=export.pk)
    if version is not None and locked.version != version:
        raise StaleVersionError(locked.version)
    return locked


def _check_approver(actor, export: Export) -> None:
    if export.requested_by_id == actor.pk:
        raise ValidationError({"approved_by": [_("An export is approved by someone other than the one who asked.")]})
    if not scope_for(actor).covers_unit(export.unit, Capability.IMPORT_EXPORT):
        raise PermissionDenied


@transaction.atomic
def approve_export(*, actor, export: Export, version: int | None = None) -> Export:
    locked = _locked(export, version)
    if locked.status != ExportStatus.REQUESTED:
        raise ValidationError({"status": [_("Only an export waiting for approval can be approved.")]})
    _check_approver(actor, locked)
    now = timezone.now()
    locked.status, locked.approved_by, locked.approved_at = ExportStatus.READY, actor, now
    locked.expires_at = now + timedelta(hours=DOWNLOAD_HOURS)
    locked.version += 1
    locked.save(update_fields=["status", "approved_by", "approved_at", "expires_at", "version"])
    _audit("export_approved", actor, locked)
    return locked


@transaction.atomic
def refuse_export(*, actor, export: Export, reason: str = "", version: int | None = None) -> Export:
    locked = _locked(export, version)
    if locked.status != ExportStatus.REQUESTED:
        raise ValidationError({"status": [_("Only an export waiting for approval can be refused.")]})
    _check_approver(actor, locked)
    locked.status = ExportStatus.REFUSED
    locked.version += 1
    locked.save(update_fields=["status", "version"])
    record_event(action="exchange.export_refused", actor=actor, target=locked, unit=locked.unit, reason=reason)
    return locked


# --- The download -----------------------------------------------------------------------------------


@dataclass
class Download:
    export: Export
    filename: str
    content_type: str
    chunks: Iterator[str]


def _check_download(actor, export: Export) -> None:
    if export.requested_by_id != actor.pk:
        raise PermissionDenied(_("Only the person who asked for an export downloads it."))
    if export.status == ExportStatus.DOWNLOADED:
        raise ValidationError({"status": [_("This export has already been downloaded; ask for a new one.")]})
    if export.status != ExportStatus.READY:
        raise ValidationError({"status": [_("This export is not approved.")]})
    if export.expires_at is not None and export.expires_at < timezone.now():
        raise ValidationError({"status": [_("The time to download this export has passed; ask for a new one.")]})


def _header(export: Export, redaction: dict | None = None) -> dict:
    header = {
        "standard": "HTCDS",
        "standard_version": "2.0",
        "export_id": str(export.id),
        "audience": export.audience,
        "purpose": export.purpose,
        "created_at": timezone.now().isoformat(),
        "organisation": {"org_ShippingState": export.unit.name, "org_ShippingCountry": "VN"},
        "recipient": {"org_Name": export.recipient.name, "org_Type": organisation_type(export.recipient.agency_type)},
        "rows": export.row_count,
    }
    if export.audience == ExportAudience.PARTNER:
        header["left_out_for_consent"] = export.left_out
    if redaction is not None:
        header["redaction"] = redaction
    return header


def partner_records(actor, allowed: dict) -> Iterator[dict]:
    """The identifiable records of the allowed cases, read a chunk at a time."""
    consented = Consent.objects.filter(purpose=PURPOSE).values("case_id")
    cases = exportable_cases(actor).filter(pk__in=consented)
    cases = records.cases_for_export(cases).defer(*_NOT_OPENED)
    places = records.Places()
    for case in cases.iterator(chunk_size=CHUNK):
        if case.pk in allowed:
            yield records.partner_record(case, places)


def _record_disclosures(actor, export: Export, allowed: dict) -> Disclosure:
    """One disclosure for the export (to whom, why, when, by whom), and each case sent with the consent that
    allowed it as a compact `DisclosedCase` row, inserted in bulk in the order of the case index."""
    disclosure = Disclosure.objects.create(
        case=None, kind="export", recipient=export.recipient, purpose=PURPOSE, disclosed_by=actor
    )
    table = DisclosedCase._meta.db_table
    prep_case = DisclosedCase._meta.get_field("case").target_field.get_db_prep_value
    prep_consent = DisclosedCase._meta.get_field("consent").target_field.get_db_prep_value
    disclosure_id = Disclosure._meta.pk.get_db_prep_value(disclosure.pk, connection)
    rows = (
        (disclosure_id, prep_case(case_id, connection), prep_consent(allowed[case_id], connection))
        for case_id in sorted(allowed)
    )
    sql = f"INSERT INTO {table} (disclosure_id, case_id, consent_id) VALUES (%s, %s, %s)"  # noqa: S608
    with connection.cursor() as cursor:
        for chunk in iter(lambda: list(islice(rows, CHUNK * 5)), []):
            cursor.executemany(sql, chunk)
    return disclosure


@transaction.atomic
def open_download(*, actor, export: Export) -> Download:
    """Mark the export taken (once), record what leaves, and return the file as a stream of text."""
    locked = _locked(export, None)
    _check_download(actor, locked)
    redaction = None
    if locked.audience == ExportAudience.PARTNER:
        gate = consent_gate(actor, locked.recipient)
        locked.row_count, locked.left_out = len(gate.allowed), gate.left_out
        locked.disclosure = _record_disclosures(actor, locked, gate.allowed)
        columns, rows = fields.PARTNER_COLUMNS, partner_records(actor, gate.allowed)
    else:
        kept, redaction = _research_rows(actor, locked.recipient)
        locked.row_count, locked.redaction = len(kept), redaction
        columns, rows = fields.RESEARCH_COLUMNS, iter(kept)
    locked.status, locked.downloaded_at = ExportStatus.DOWNLOADED, timezone.now()
    locked.version += 1
    locked.save(
        update_fields=["status", "downloaded_at", "row_count", "left_out", "redaction", "version", "disclosure"]
    )
    _audit("export_downloaded", actor, locked)
    stamp = timezone.localtime().strftime("%Y%m%d")
    filename = f"htcds-{locked.audience}-{stamp}-{str(locked.pk)[:8]}.{locked.file_format}"
    if locked.file_format == ExportFormat.JSON:
        chunks = writers.json_stream(_header(locked, redaction), columns, rows)
        return Download(locked, filename, "application/json; charset=utf-8", chunks)
    return Download(locked, filename, "text/csv; charset=utf-8", writers.csv_stream(columns, rows))
