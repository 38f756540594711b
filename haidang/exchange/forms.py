"""Forms of the exchange pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from haidang.exchange.models import REGISTER_KINDS


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of register"), choices=REGISTER_KINDS)
    file = forms.FileField(
        label=_("File (Excel .xlsx or CSV in UTF-8)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    update_existing = forms.BooleanField(
        label=_("Update records imported before when their row has changed"), required=False
    )
