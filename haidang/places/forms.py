"""Filters for the unit browser: a search box, a level and a date (dd/mm/yyyy or ISO)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from haidang.places.models import UnitLevel

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


class UnitDateField(forms.DateField):
    default_error_messages = {"invalid": _("Enter a real date as dd/mm/yyyy, for example 01/07/2025.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", DATE_INPUT_FORMATS)
        kwargs.setdefault(
            "widget",
            forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}),
        )
        super().__init__(**kwargs)


class UnitDateForm(forms.Form):
    as_of = UnitDateField(required=False, label=_("On date"), help_text=_("dd/mm/yyyy; empty for today"))


class UnitFilterForm(UnitDateForm):
    q = forms.CharField(
        required=False,
        max_length=100,
        label=_("Name or code"),
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("e.g. Thạch Thất or thach that")}),
    )
    level = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        label=_("Level"),
        choices=[
            ("", _("All levels")),
            (UnitLevel.PROVINCE, _("Provinces")),
            (UnitLevel.DISTRICT, _("Districts (until 30/06/2025)")),
            (UnitLevel.COMMUNE, _("Communes")),
        ],
    )

    field_order = ["q", "level", "as_of"]
