"""API: HTCDS v2 exports by audience (`/exports`): ask, approve (research extracts), download once."""

from datetime import datetime
from uuid import UUID

from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile

from haidang.access.models import Agency
from haidang.access.roles import Capability
from haidang.access.scope import scope_for
from haidang.common.api import ApiError, ErrorOut, invalid, paginate
from haidang.common.schemas import AgencyRef, CleanSchema, UnitRef, agency_ref, code_of, unit_ref
from haidang.exchange.api.imports import ImportOut
from haidang.exchange.api.imports import _out as import_out
from haidang.exchange.models import Export, ExportFormat
from haidang.exchange.selectors.exports import exports_visible_to, get_export_for_user, recipients
from haidang.exchange.services import exports as services
from haidang.exchange.services import htcds_imports

router = Router(tags=["exchange"])

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class ExportIn(CleanSchema):
    recipient: UUID = Field(description="The agency the export goes to (GET /agencies); for a partner, e.g. IOM.")
    purpose: str = Field(max_length=200, description="What the data is for, in words.")
    file_format: code_of(ExportFormat) = Field("csv", description="csv or json")  # type: ignore[valid-type]


class StepIn(CleanSchema):
    version: int | None = Field(None, description="The version read; another one answers 409.")
    reason: str = Field("", max_length=500)


class ExportOut(Schema):
    id: UUID
    audience: str = Field(description="partner (identifiable, consent-gated) or research (pseudonymised, k = 11)")
    recipient: AgencyRef
    purpose: str
    file_format: str
    unit: UnitRef
    status: str = Field(description="requested (waiting for a second person), ready, downloaded or refused")
    requested_by: str
    requested_at: datetime
    approved_by: str | None
    approved_at: datetime | None
    expires_at: datetime | None = Field(description="The download must be taken before this time.")
    downloaded_at: datetime | None
    row_count: int = Field(description="Records in the export.")
    left_out_for_consent: int = Field(description="Partner exports: cases left out for lack of consent (not which).")
    redaction: dict = Field(
        description="Research extracts: k, rows, kept, suppressed, share_redacted and the generalisation steps."
    )
    version: int


class ExportListOut(Schema):
    items: list[ExportOut]
    count: int
    page: int
    page_size: int


class ListParams(CleanSchema):
    page: int = 1
    page_size: int = 50


def _out(export: Export) -> dict:
    return {
        "id": export.id,
        "audience": export.audience,
        "recipient": agency_ref(export.recipient),
        "purpose": export.purpose,
        "file_format": export.file_format,
        "unit": unit_ref(export.unit),
        "status": export.status,
        "requested_by": export.requested_by.username,
        "requested_at": export.requested_at,
        "approved_by": export.approved_by.username if export.approved_by else None,
        "approved_at": export.approved_at,
        "expires_at": export.expires_at,
        "downloaded_at": export.downloaded_at,
        "row_count": export.row_count,
        "left_out_for_consent": export.left_out,
        "redaction": export.redaction,
        "version": export.version,
    }


def _require_export(request) -> None:
    if not scope_for(request.user).can(Capability.IMPORT_EXPORT):
        raise ApiError(403, "forbidden", _("Your role does not allow this."))


def _recipient(agency_id: UUID) -> Agency:
    agency = recipients().filter(pk=agency_id).first()
    if agency is None:
        raise invalid({"recipient": [_("No active agency has this identifier.")]})
    return agency


@router.get("/exports", response={200: ExportListOut, **ERRORS}, summary="Exports of your area and your own")
def list_exports(request, params: Query[ListParams]):
    _require_export(request)
    return paginate(exports_visible_to(request.user), params.page, params.page_size, _out)


@router.post(
    "/exports/partner",
    response={201: ExportOut, **ERRORS},
    summary="Case exchange with a named partner agency (identifiable, only the cases whose consent covers it)",
    description="Only the cases whose consent (purpose `export`) covers the recipient, as the consent gate decides; "
    "`left_out_for_consent` says how many were left out, not which. Ready to download at once, once, by you.",
)
def request_partner_export(request, payload: ExportIn):
    _require_export(request)
    export = services.request_partner_export(
        actor=request.user,
        recipient=_recipient(payload.recipient),
        file_format=payload.file_format,
        purpose=payload.purpose,
    )
    return Status(201, _out(export))


@router.post(
    "/exports/research",
    response={201: ExportOut, **ERRORS},
    summary="A pseudonymised research extract (k = 11), to be approved by a second person",
    description="No direct identifiers; pseudonyms stable per recipient; dates to the month; age bands; "
    "k-anonymity with k = 11 over the quasi-identifiers (`redaction` reports the share redacted). Another user who "
    "may export in the area approves it; then you download it once within 48 hours.",
)
def request_research_extract(request, payload: ExportIn):
    _require_export(request)
    export = services.request_research_extract(
        actor=request.user,
        recipient=_recipient(payload.recipient),
        file_format=payload.file_format,
        purpose=payload.purpose,
    )
    return Status(201, _out(export))


@router.get("/exports/{export_id}", response={200: ExportOut, **ERRORS}, summary="One export")
def get_export(request, export_id: UUID):
    _require_export(request)
    return _out(get_export_for_user(request.user, export_id))


@router.post(
    "/exports/{export_id}/approve",
    response={200: ExportOut, 409: ErrorOut, **ERRORS},
    summary="Approve a research extract (not the one who asked)",
)
def approve_export(request, export_id: UUID, payload: StepIn):
    _require_export(request)
    export = get_export_for_user(request.user, export_id)
    return _out(services.approve_export(actor=request.user, export=export, version=payload.version))


@router.post(
    "/exports/{export_id}/refuse",
    response={200: ExportOut, 409: ErrorOut, **ERRORS},
    summary="Refuse a research extract (not the one who asked)",
)
def refuse_export(request, export_id: UUID, payload: StepIn):
    _require_export(request)
    export = get_export_for_user(request.user, export_id)
    return _out(
        services.refuse_export(actor=request.user, export=export, reason=payload.reason, version=payload.version)
    )


@router.get(
    "/exports/{export_id}/download",
    response={200: None, **ERRORS},
    summary="Download the export once (CSV or JSON, streamed)",
    description="Only the person who asked, once, while `status` is ready and before `expires_at`.",
)
def download_export(request, export_id: UUID):
    _require_export(request)
    export = get_export_for_user(request.user, export_id)
    download = services.open_download(actor=request.user, export=export)
    response = StreamingHttpResponse(download.chunks, content_type=download.content_type)
    response["Content-Disposition"] = f'attachment; filename="{download.filename}"'
    response["Cache-Control"] = "no-store"
    return response


@router.post(
    "/htcds/import",
    response={202: ImportOut, **ERRORS},
    summary="Upload a partner's HTCDS v2 records (CSV, JSON Lines or JSON); their dry run is queued",
    description="Multipart: `file`, `partner` (the agency the records come from, GET /agencies), `intake_channel`, "
    "`update_existing` (default false). The answer is the import as `GET /imports/{id}` shows it: follow its "
    "`progress`, read every error (row, column, value, message), then `POST /imports/{id}/commit` (all or "
    "nothing). HTCDS codes are read back (Gender, TypeOfExploitation, alpha-2 countries) and the mailing address "
    "is placed on the map of the registration date. The partner's `x_case_id` with the partner is the source key: "
    "the same file imported again changes nothing; a changed record updates its case only with `update_existing`. "
    "Needs `import_export` and `edit_cases`.",
)
def import_htcds(
    request,
    partner: Form[UUID],
    intake_channel: Form[str],
    update_existing: Form[bool] = False,
    file: File[UploadedFile] = None,
):
    _require_export(request)
    found = recipients().filter(pk=partner).first()
    if found is None:
        raise invalid({"partner": [_("No active agency has this identifier.")]})
    batch = htcds_imports.start_htcds_import(
        actor=request.user,
        uploaded_file=file,
        partner=found,
        intake_channel=intake_channel,
        update_existing=update_existing,
    )
    batch.refresh_from_db()
    return Status(202, import_out(batch))
