"""Pages of the imports: upload with the templates to download, the import's progress (HTMX polling)
and its result with every error, the error sheet, and the commit."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from haidang.access.permissions import require_capability
from haidang.access.roles import Capability
from haidang.exchange.forms import ImportForm
from haidang.exchange.models import REGISTER_KINDS, ImportStatus
from haidang.exchange.selectors.imports import get_import_for_user, imports_visible_to, row_messages
from haidang.exchange.services import imports as services
from haidang.exchange.templates_xlsx import error_workbook, template_workbook

require_import = require_capability(Capability.IMPORT_EXPORT)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHOWN = 500


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _batch(request, import_id):
    batch = get_import_for_user(request.user, import_id)
    if batch is None:
        raise Http404
    return batch


@require_import
@require_http_methods(["GET", "POST"])
def import_list(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.start_import(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                uploaded_file=form.cleaned_data["file"],
                update_existing=form.cleaned_data["update_existing"],
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                for message in messages:
                    form.add_error(field if field in form.fields else None, message)
        else:
            return redirect("exchange:import_detail", import_id=batch.pk)
    imports = imports_visible_to(request.user)[:50]
    return render(
        request,
        "exchange/imports/list.html",
        {"form": form, "imports": imports, "kinds": REGISTER_KINDS},
    )


@require_import
@require_GET
def import_template(request, kind):
    if kind not in dict(REGISTER_KINDS):
        raise Http404
    return _xlsx(template_workbook(kind), f"mau-nhap-{kind}.xlsx")


def _context(batch) -> dict:
    errors, warnings = row_messages(batch, limit=SHOWN)
    return {
        "batch": batch,
        "errors": errors,
        "warnings": warnings,
        "running": batch.status in (ImportStatus.QUEUED, ImportStatus.RUNNING),
        "can_commit": batch.status == ImportStatus.VALIDATED,
        "shown": SHOWN,
    }


@require_import
@require_GET
def import_detail(request, import_id):
    batch = _batch(request, import_id)
    return render(request, "exchange/imports/detail.html", _context(batch))


@require_import
@require_GET
def import_progress(request, import_id):
    """The part of the page that HTMX polls while the file is read."""
    batch = _batch(request, import_id)
    response = render(request, "exchange/imports/_progress.html", _context(batch))
    if batch.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING):
        response["HX-Refresh"] = "true"  # the whole page, with the result
    return response


@require_import
@require_GET
def import_errors(request, import_id):
    batch = _batch(request, import_id)
    if batch.status in (ImportStatus.QUEUED, ImportStatus.RUNNING):
        raise Http404
    return _xlsx(error_workbook(batch), "loi-nhap-du-lieu.xlsx")


@require_import
@require_POST
def import_commit(request, import_id):
    batch = _batch(request, import_id)
    try:
        batch = services.commit_import(actor=request.user, batch=batch)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if batch.status == ImportStatus.COMMITTED:
            messages.success(
                request,
                _("Committed: %(created)s records created, %(updated)s updated.")
                % {"created": batch.created_count, "updated": batch.updated_count},
            )
        else:
            messages.error(request, _("Nothing was committed: a row could not be written (see below)."))
    return redirect("exchange:import_detail", import_id=batch.pk)
