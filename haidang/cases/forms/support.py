"""Support items and the decisions that extend support past its limit."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haidang.cases.forms._common import _agency_choice, _blank, _clean_texts, _count, _text
from haidang.common.forms import DayField


class SupportItemForm(forms.Form):
    """One support item: the rate comes from the province's table for the regime, item and start date."""

    beneficiary = forms.ChoiceField(label=_("Beneficiary"))
    regime = forms.ChoiceField(label=_("Regime (Art. 37(1))"))
    item = _text(
        _("Item"),
        max_length=120,
        required=True,
        help_text=_("As written in the province's rate table, e.g. “Tiền ăn”."),
    )
    provider = _agency_choice(_("Provided by"), None)
    start_date = DayField(label=_("Start date"))
    end_date = DayField(label=_("End date"), required=False)
    quantity = _count(_("Quantity"), help_text=_("In the rate's unit: days, months, persons or times."))
    decision_number = _text(
        _("Decision number"), max_length=60, help_text=_("Needed when the support is decided case by case.")
    )

    def __init__(self, *args, beneficiaries=(), regimes=(), agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["beneficiary"].choices = list(beneficiaries)
        self.fields["regime"].choices = _blank(regimes)
        self.fields["provider"].queryset = agencies
        # The items of the province's rates in force are suggested (the page's datalist).
        self.fields["item"].widget.attrs["list"] = "rate-items"

    def clean(self):
        cleaned = super().clean()
        _clean_texts(self, "item", "decision_number")
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start is not None and end is not None and end < start:
            self.add_error("end_date", _("The end date is before the start date."))
        return cleaned


class SupportExtensionForm(forms.Form):
    """A decision that lets support go past its limit (e.g. shelter beyond 120 days)."""

    regime = forms.ChoiceField(label=_("Regime (Art. 37(1))"))
    extra_units = _count(_("Additional units"), help_text=_("For example 30 more days."))
    decision_number = _text(_("Decision number"), max_length=60, required=True)
    decided_on = DayField(label=_("Decided on"))
    decided_by = _agency_choice(_("Decided by"), None, help_text=_("The agency whose head signed the decision."))

    def __init__(self, *args, regimes=(), deciders=None, **kwargs):
        kwargs.setdefault("auto_id", "id_extension_%s")
        super().__init__(*args, **kwargs)
        self.fields["regime"].choices = _blank(regimes)
        self.fields["decided_by"].queryset = deciders

    def clean(self):
        cleaned = super().clean()
        _clean_texts(self, "decision_number")
        day = cleaned.get("decided_on")
        if day is not None and day > timezone.localdate():
            self.add_error("decided_on", _("%(day)s is in the future.") % {"day": day.strftime("%d/%m/%Y")})
        return cleaned
