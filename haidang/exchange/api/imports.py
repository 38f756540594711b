"""API: imports of registers. Upload (multipart) queues the dry run; the import is read back with its
progress and every error; committing is a second, explicit call. Scoped like the pages: an import
outside the user's scope answers 404 exactly like a missing one."""

from datetime import datetime
from uuid import UUID

from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status, UploadedFile

from haidang.access.roles import Capability
from haidang.access.scope import scope_for
from haidang.common.api import ApiError, ErrorOut, not_found, paginate
from haidang.exchange.models import ImportBatch
from haidang.exchange.selectors.imports import get_import_for_user, imports_visible_to, row_messages
from haidang.exchange.services import imports as services

router = Router(tags=["exchange"])
MAX_LISTED = 1000


class RowMessageOut(Schema):
    row: int
    column: str
    value: str
    message: str


class ImportOut(Schema):
    id: UUID
    kind: str
    status: str
    status_label: str
    progress: int
    row_count: int
    rows_done: int
    error_count: int
    warning_count: int
    created: int
    updated: int
    unchanged: int
    update_existing: bool
    file_hash: str
    unit: str
    created_at: datetime
    committed_at: datetime | None
    errors: list[RowMessageOut]
    warnings: list[RowMessageOut]


class ImportSummaryOut(Schema):
    id: UUID
    kind: str
    status: str
    status_label: str
    progress: int
    row_count: int
    error_count: int
    warning_count: int
    unit: str
    created_at: datetime
    committed_at: datetime | None


class ImportList(Schema):
    items: list[ImportSummaryOut]
    count: int
    page: int
    page_size: int


def _summary(batch: ImportBatch) -> dict:
    return {
        "id": batch.id,
        "kind": batch.kind,
        "status": batch.status,
        "status_label": str(batch.get_status_display()),
        "progress": batch.progress,
        "row_count": batch.row_count,
        "error_count": batch.error_count,
        "warning_count": batch.warning_count,
        "unit": batch.unit.code,
        "created_at": batch.created_at,
        "committed_at": batch.committed_at,
    }


def _out(batch: ImportBatch) -> dict:
    errors, warnings = row_messages(batch, limit=MAX_LISTED)
    return {
        "id": batch.id,
        "kind": batch.kind,
        "status": batch.status,
        "status_label": str(batch.get_status_display()),
        "progress": batch.progress,
        "row_count": batch.row_count,
        "rows_done": batch.rows_done,
        "error_count": batch.error_count,
        "warning_count": batch.warning_count,
        "created": batch.created_count,
        "updated": batch.updated_count,
        "unchanged": batch.unchanged_count,
        "update_existing": batch.update_existing,
        "file_hash": batch.file_hash,
        "unit": batch.unit.code,
        "created_at": batch.created_at,
        "committed_at": batch.committed_at,
        "errors": errors,
        "warnings": warnings,
    }


def _require(request) -> None:
    if not scope_for(request.user).can(Capability.IMPORT_EXPORT):
        raise ApiError(403, "forbidden", _("Your role does not allow this."))


@router.post(
    "/imports",
    response={202: ImportOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="Upload a register (multipart: `kind`, `file`, `update_existing`); its dry run is queued",
    description="`kind` is `cases`, `activities`, `criminal_cases` (one row per suspect) or `support`. "
    "XLSX (no macros) or CSV in UTF-8; the file is refused "
    "before anything is inflated when it would unpack to too much, and when it declares too many rows. "
    "Nothing is written to the records until `POST /imports/{id}/commit`.",
)
def create_import(request, kind: Form[str], update_existing: Form[bool] = False, file: File[UploadedFile] = None):
    _require(request)
    batch = services.start_import(actor=request.user, kind=kind, uploaded_file=file, update_existing=update_existing)
    batch.refresh_from_db()
    return Status(202, _out(batch))


@router.get(
    "/imports",
    response={200: ImportList, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="The imports of your area (yours always), newest first, without their row messages",
)
def list_imports(request, page: int = 1, page_size: int = 50):
    _require(request)
    return paginate(imports_visible_to(request.user).order_by("-created_at"), page, page_size, _summary)


@router.get(
    "/imports/{import_id}",
    response={200: ImportOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="An import with its progress (per cent), counts and every error and warning (row, column, value)",
)
def get_import(request, import_id: UUID):
    _require(request)
    batch = get_import_for_user(request.user, import_id)
    if batch is None:
        raise not_found()
    return _out(batch)


@router.post(
    "/imports/{import_id}/commit",
    response={200: ImportOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Commit an import read without errors: all rows or none",
    description="A row that fails at commit (a record changed since the dry run) stops it: nothing is written "
    "and the import is marked failed with that row's error.",
)
def commit_import(request, import_id: UUID):
    _require(request)
    batch = get_import_for_user(request.user, import_id)
    if batch is None:
        raise not_found()
    batch = services.commit_import(actor=request.user, batch=batch)
    return _out(batch)
