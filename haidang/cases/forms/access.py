"""Break-the-glass: a case opened outside the user's area, with the reason."""

from django import forms
from django.utils.translation import gettext_lazy as _


class BreakGlassForm(forms.Form):
    case_number = forms.CharField(label=_("Case number"), max_length=20, help_text=_("For example 01-2026-000123."))
    reason = forms.CharField(
        label=_("Why you need this case now"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
