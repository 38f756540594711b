"""The filter of the case list."""

from django import forms
from django.utils.translation import gettext_lazy as _

from haidang.cases.models import CaseStatus
from haidang.common.text import clean_text


class CaseFilterForm(forms.Form):
    number = forms.CharField(label=_("Case number"), required=False, max_length=20)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *CaseStatus.choices]
    )

    def clean_number(self):
        return clean_text(self.cleaned_data.get("number"))
