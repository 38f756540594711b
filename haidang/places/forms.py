"""Filters for the unit browser: a search box, a level and a date (dd/mm/yyyy or ISO)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from haidang.common.forms import DayField
from haidang.places.models import UnitLevel


class UnitCodeField(forms.CharField):
    """A unit given by its code; which unit it is depends on the date (resolved in the form's clean)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault("label", _("Unit code"))
        kwargs.setdefault("help_text", _("The code of the commune or province where it took place, valid on its date."))
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {"autocomplete": "off", "list": "unit-options", "inputmode": "numeric", "spellcheck": "false"}
        )

    def clean(self, value):
        return (super().clean(value) or "").strip().upper()


class UnitDateForm(forms.Form):
    as_of = DayField(required=False, label=_("On date"), help_text=_("dd/mm/yyyy; empty for today"))


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
