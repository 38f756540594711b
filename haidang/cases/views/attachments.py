"""Files kept with a case: upload, list, audited download."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from haidang.cases import protection, selectors
from haidang.cases.forms import AttachmentForm
from haidang.cases.models import AttachmentKind
from haidang.cases.permissions import require_view_cases
from haidang.cases.views._common import Column, _case_context, _case_or_404, _editable_case, _label, _save_form

COLUMNS = (
    Column(gettext_lazy("File")),
    Column(gettext_lazy("Kind of document")),
    Column(gettext_lazy("Size"), "num"),
    Column(gettext_lazy("Uploaded")),
)


def _render_files(request, case, *, form=None, status: int = 200):
    user = request.user
    can_edit = selectors.can_edit_case(user, case)
    show_identity = selectors.can_see_identity(user, case)
    rows = [
        {
            "attachment": item,
            "name": item.original_name if show_identity else selectors.MASK,
            "kind": _label(AttachmentKind.choices, item.kind),
            "size": filesizeformat(item.size),
            "by": (item.uploaded_by.full_name or item.uploaded_by.username) if item.uploaded_by_id else "",
        }
        for item in selectors.attachments_for(case).select_related("uploaded_by")
    ]
    if can_edit and form is None:
        form = AttachmentForm()
    context = {
        **_case_context(request, case, "files", can_edit=can_edit),
        "columns": COLUMNS,
        "rows": rows,
        "form": form,
        "show_identity": show_identity,
        "max_size": filesizeformat(protection.max_attachment_bytes()),
    }
    return render(request, "cases/files.html", context, status=status)


@require_http_methods(["GET", "POST"])
@require_view_cases
def files(request, case_id):
    if request.method == "GET":
        return _render_files(request, _case_or_404(request, case_id, "attachments"))
    case = _editable_case(request, case_id, "attachments")
    form = AttachmentForm(request.POST, request.FILES)
    saved = _save_form(
        request,
        form,
        lambda data: protection.add_attachment(
            actor=request.user, case=case, kind=data["kind"], uploaded_file=data["file"]
        ),
        _("File kept with the case."),
        "cases:files",
        case,
    )
    return saved or _render_files(request, case, form=form, status=400)


@require_GET
@require_view_cases
def file_download(request, case_id, attachment_id):
    """The file itself, as a download: audited; 403 for a reader who sees identities masked."""
    attachment = selectors.get_attachment_for_user(request.user, attachment_id)
    if attachment is None or attachment.case_id != case_id:
        raise Http404
    result = protection.download_attachment(actor=request.user, attachment=attachment)
    if result is None:
        raise Http404
    name, content_type, content = result
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Length"] = str(len(content))
    return response
