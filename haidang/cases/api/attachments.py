"""Files kept with the case: the list (metadata only), the upload, and the audited download."""

from uuid import UUID

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from ninja import File, Form, Status, UploadedFile

from haidang.access.roles import Capability
from haidang.cases import protection, selectors
from haidang.cases.api._common import _case_for, _editable, _require, _written, router
from haidang.cases.models import CaseAttachment
from haidang.cases.schemas import AttachmentList, AttachmentOut
from haidang.common.api import ErrorOut, not_found


def _attachment_out(item: CaseAttachment, show: bool) -> dict:
    return {
        "id": item.id,
        "kind": item.kind,
        "kind_label": str(item.get_kind_display()),
        "name": item.original_name if show else selectors.MASK,
        "content_type": item.content_type,
        "size": item.size,
        "uploaded_at": item.uploaded_at,
        "uploaded_by": item.uploaded_by.username if item.uploaded_by_id else None,
    }


@router.get(
    "/cases/{case_id}/attachments",
    response={200: AttachmentList, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Files kept with the case: metadata only (the file name masked unless identities are shown)",
    description="The read is audited (`cases.case_viewed`, purpose `attachments`). The content is read only by "
    "the download, which is audited on its own.",
)
def list_attachments(request, case_id: UUID):
    case = _case_for(request, case_id, "attachments")
    show = selectors.can_see_identity(request.user, case)
    rows = selectors.attachments_for(case).select_related("uploaded_by")
    if not show:
        rows = rows.defer("original_name")  # masked anyway: leave it sealed
    items = [_attachment_out(item, show) for item in rows]
    return {"items": items, "count": len(items), "identities_shown": show}


@router.post(
    "/cases/{case_id}/attachments",
    response={201: AttachmentOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Keep a file with the case (multipart: `kind` and `file`); the type is recognised from its content",
    description="PDF, images (PNG, JPEG, GIF, WebP) and office documents without macros, up to the configured "
    "size; the name sent is never trusted for the type. Refusals name `file` or `kind`. The file is sealed at rest.",
)
def create_attachment(request, case_id: UUID, kind: Form[str], file: File[UploadedFile] = None):
    # `file` is optional here so that a missing file is refused by the service, naming `file`.
    case = _editable(request, case_id, "attachments")
    attachment = _written(protection.add_attachment, actor=request.user, case=case, kind=kind, uploaded_file=file)
    item = selectors.attachments_for(case).select_related("uploaded_by").get(pk=attachment.pk)
    return Status(201, _attachment_out(item, selectors.can_see_identity(request.user, case)))


@router.get(
    "/cases/{case_id}/attachments/{attachment_id}/download",
    response={200: None, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="The file itself (audited); 403 for a reader who sees identities masked, 404 out of scope",
    description="A document may show who the person is: only readers who see identities on the case get it, and "
    "every download (and every refusal) is written to the audit log.",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, as an attachment, with its recognised content type.",
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def download_attachment(request, case_id: UUID, attachment_id: UUID):
    _require(request, Capability.VIEW_CASES)
    attachment = selectors.get_attachment_for_user(request.user, attachment_id)
    if attachment is None or attachment.case_id != case_id:
        raise not_found()
    result = protection.download_attachment(actor=request.user, attachment=attachment)
    if result is None:
        raise not_found()
    name, content_type, content = result
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Length"] = str(len(content))
    return response
