"""The page to upload a partner's HTCDS records; the import then follows the registers' pages (its progress,
its errors by record, field and value, and the explicit commit)."""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from haidang.access.permissions import require_capability
from haidang.access.roles import Capability
from haidang.cases.models import IntakeChannel
from haidang.exchange.models import ImportKind
from haidang.exchange.selectors.exports import recipients
from haidang.exchange.selectors.imports import imports_visible_to
from haidang.exchange.services import htcds_imports

require_import = require_capability(Capability.IMPORT_EXPORT)


class HtcdsImportForm(forms.Form):
    partner = forms.ModelChoiceField(label=gettext_lazy("Partner agency the records come from"), queryset=None)
    intake_channel = forms.ChoiceField(label=gettext_lazy("Intake channel"), choices=IntakeChannel.choices)
    file = forms.FileField(
        label=gettext_lazy("File (HTCDS CSV, JSON Lines or JSON, in UTF-8)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.json,.jsonl"}),
    )
    update_existing = forms.BooleanField(
        label=gettext_lazy("Update cases imported before when their record has changed"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = recipients()


@require_import
@require_http_methods(["GET", "POST"])
def htcds_import(request):
    form = HtcdsImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            batch = htcds_imports.start_htcds_import(
                actor=request.user,
                uploaded_file=data["file"],
                partner=data["partner"],
                intake_channel=data["intake_channel"],
                update_existing=data["update_existing"],
            )
        except ValidationError as error:
            for field, field_messages in error.message_dict.items():
                for message in field_messages:
                    form.add_error(field if field in form.fields else None, message)
        except PermissionDenied as refusal:
            form.add_error(None, str(refusal) or _("Your role does not allow this."))
        else:
            return redirect("exchange:import_detail", import_id=batch.pk)
    imports = imports_visible_to(request.user).filter(kind=ImportKind.HTCDS).select_related("partner")[:50]
    return render(request, "exchange/imports/htcds.html", {"form": form, "imports": imports})
