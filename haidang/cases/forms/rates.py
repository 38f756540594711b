"""The provincial support rates and their filter."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haidang.cases.forms._common import ListedChoiceField, _blank, _clean_texts, _count, _text
from haidang.common.forms import DayField
from haidang.places.forms import UnitField, resolve_unit_field
from haidang.places.models import UnitLevel

MAX_AMOUNT = 10**13  # fits the rate table's 14 digits


# What a rate is counted in; support items beyond `max_units` of it need an extension decision.
RATE_UNIT_LABELS = {
    "day": _("per day"),
    "month": _("per month"),
    "person": _("per person"),
    "once": _("once"),
}


class RateForm(forms.Form):
    """A provincial support rate with its validity period and legal basis."""

    province = ListedChoiceField(
        label=_("Province"),
        queryset=None,
        empty_label="—",
        error_messages={
            "invalid_choice": _("Choose a province from the list."),
        },
    )
    regime = forms.ChoiceField(label=_("Regime (Art. 37(1))"))
    item = _text(_("Item"), max_length=120, required=True, help_text=_("For example “Tiền ăn” (meals)."))
    unit_label = forms.ChoiceField(label=_("Counted"), choices=RATE_UNIT_LABELS.items(), initial="once")
    amount = forms.DecimalField(
        label=_("Amount (VND)"),
        min_value=0,
        max_value=MAX_AMOUNT - 1,
        max_digits=14,
        decimal_places=0,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "class": "short"}),
        error_messages={
            "invalid": _("Enter a whole number of đồng, without dots or spaces, for example 50000."),
            "max_decimal_places": _("Enter a whole number of đồng, without dots or spaces, for example 50000."),
            "max_digits": _("Enter at most 13 digits."),
            "max_whole_digits": _("Enter at most 13 digits."),
            "min_value": _("Enter an amount of zero or more."),
            "max_value": _("Enter at most 13 digits."),
        },
    )
    max_units = _count(_("Maximum units per case"), required=False, help_text=_("Leave empty when there is no limit."))
    valid_from = DayField(label=_("Valid from"))
    valid_to = DayField(label=_("Valid to"), required=False, help_text=_("Leave empty while it is in force."))
    legal_basis = _text(
        _("Legal basis"), required=True, help_text=_("The People's Council resolution or decision setting the rate.")
    )

    def __init__(self, *args, provinces=None, regimes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = provinces
        self.fields["regime"].choices = _blank(regimes)

    def clean(self):
        cleaned = super().clean()
        _clean_texts(self, "item", "legal_basis")
        start, end = cleaned.get("valid_from"), cleaned.get("valid_to")
        if start is not None and end is not None and end < start:
            self.add_error("valid_to", _("The end of validity is before its start."))
        return cleaned


class RateFilterForm(forms.Form):
    province = UnitField(
        label=_("Province"),
        required=False,
        levels=(UnitLevel.PROVINCE,),
        help_text=_("A province of today's map by name or code."),
    )
    regime = forms.ChoiceField(label=_("Regime"), required=False)

    def __init__(self, *args, regimes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regime"].choices = [("", _("All regimes")), *regimes]

    def clean(self):
        cleaned = super().clean()
        resolve_unit_field(self, "province", timezone.localdate())
        return cleaned
