"""Pages for HTCDS exports: the list with the form to ask for one, an export with its approval and download."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from haidang.access.permissions import require_capability
from haidang.access.roles import Capability
from haidang.common.errors import StaleVersionError
from haidang.exchange.models import ExportAudience, ExportFormat, ExportStatus
from haidang.exchange.selectors.exports import exports_visible_to, get_export_for_user, recipients
from haidang.exchange.services import exports as services

require_export = require_capability(Capability.IMPORT_EXPORT)


class ExportForm(forms.Form):
    audience = forms.ChoiceField(label=gettext_lazy("Audience"), choices=ExportAudience.choices)
    recipient = forms.ModelChoiceField(label=gettext_lazy("Recipient"), queryset=recipients())
    purpose = forms.CharField(label=gettext_lazy("Purpose"), max_length=200)
    file_format = forms.ChoiceField(label=gettext_lazy("Format"), choices=ExportFormat.choices)


REQUEST = {
    ExportAudience.PARTNER: services.request_partner_export,
    ExportAudience.RESEARCH: services.request_research_extract,
}


def _add_errors(form, error: ValidationError) -> None:
    for field, field_messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, field_messages)


@require_export
@require_http_methods(["GET", "POST"])
def export_list(request):
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            export = REQUEST[data["audience"]](
                actor=request.user,
                recipient=data["recipient"],
                file_format=data["file_format"],
                purpose=data["purpose"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        except PermissionDenied as refusal:
            form.add_error("audience", str(refusal) or _("Your role does not allow this."))
        else:
            messages.success(request, _("Export prepared."))
            return redirect("exchange:export_detail", export_id=export.pk)
    exports = exports_visible_to(request.user)[:200]
    return render(request, "exchange/exports/list.html", {"form": form, "exports": exports})


@require_export
@require_GET
def export_detail(request, export_id):
    export = get_export_for_user(request.user, export_id)
    context = {
        "export": export,
        "is_requester": export.requested_by_id == request.user.pk,
        "waiting": export.status == ExportStatus.REQUESTED,
        "ready": export.status == ExportStatus.READY,
    }
    return render(request, "exchange/exports/detail.html", context)


@require_export
@require_POST
def export_step(request, export_id, step: str):
    export = get_export_for_user(request.user, export_id)
    action = {"approve": services.approve_export, "refuse": services.refuse_export}.get(step)
    if action is None:
        return redirect("exchange:export_detail", export_id=export.pk)
    try:
        action(actor=request.user, export=export, version=int(request.POST.get("version") or 0) or None)
    except (ValidationError, PermissionDenied, StaleVersionError) as error:
        text = " ".join(error.messages) if isinstance(error, ValidationError) else _("This step is not yours to take.")
        if isinstance(error, StaleVersionError):
            text = _("Someone changed this export in the meantime; here it is as it is now.")
        messages.error(request, text)
    else:
        messages.success(request, _("Done."))
    return redirect("exchange:export_detail", export_id=export.pk)


@require_export
@require_POST
def export_download(request, export_id):
    export = get_export_for_user(request.user, export_id)
    try:
        download = services.open_download(actor=request.user, export=export)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("exchange:export_detail", export_id=export.pk)
    except PermissionDenied as refusal:
        messages.error(request, str(refusal) or _("Your role does not allow this."))
        return redirect("exchange:export_detail", export_id=export.pk)
    response = StreamingHttpResponse(download.chunks, content_type=download.content_type)
    response["Content-Disposition"] = f'attachment; filename="{download.filename}"'
    response["Cache-Control"] = "no-store"
    return response
