"""The person search: a name in any spelling, an identity document number, a year of birth."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haidang.common.text import clean_text


class PersonSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=150,
        help_text=_("In any spelling or word order, with or without accents."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    document = forms.CharField(
        label=_("Document number"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    birth_year = forms.IntegerField(
        label=_("Year of birth"),
        required=False,
        min_value=1900,
        help_text=_("Optional: ranks the same name born that year first."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "class": "short"}),
        error_messages={"invalid": _("Enter a year, for example 2004."), "min_value": _("Enter a year from 1900.")},
    )

    def clean_q(self):
        return clean_text(self.cleaned_data.get("q"))

    def clean_document(self):
        return clean_text(self.cleaned_data.get("document"))

    def clean_birth_year(self):
        year = self.cleaned_data.get("birth_year")
        this_year = timezone.localdate().year
        if year is not None and year > this_year:
            raise ValidationError(_("Enter a year from 1900 to %(year)s.") % {"year": this_year}, code="max_value")
        return year

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("q") and not cleaned.get("document"):
            self.add_error("q", _("Give a name or a document number."))
        return cleaned
