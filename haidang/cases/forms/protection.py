"""Protection decisions, refusals and ends."""

from django import forms
from django.utils.translation import gettext_lazy as _

from haidang.cases.forms._common import _agency_choice, _blank, _checkboxes, _clean_texts, _long_text, _row_id, _text
from haidang.cases.models import ProtectionMeasure, RiskLevel
from haidang.common.forms import DayField


class ProtectionDecisionForm(forms.Form):
    subject = forms.ChoiceField(label=_("Protected person"))
    risk_assessment = _long_text(
        _("Risk assessment"), required=True, help_text=_("Who threatens the person, how, where. Kept sealed.")
    )
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=_blank(RiskLevel.choices))
    decided_on = DayField(label=_("Decided on"))
    decided_by = _agency_choice(_("Decided by (competent body)"), None, help_text=_("Decree 162 Art. 13."))
    measures = _checkboxes(
        ProtectionMeasure.choices,
        _("Measures"),
        required=True,
        error_messages={"required": _("Choose at least one measure.")},
    )
    other_measure = _text(_("Other measure"), help_text=_("When “Other measure” is ticked."))

    def __init__(self, *args, subjects=(), deciders=None, **kwargs):
        kwargs.setdefault("auto_id", "id_protection_%s")
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = list(subjects)
        self.fields["decided_by"].queryset = deciders

    def clean(self):
        cleaned = super().clean()
        _clean_texts(self, "risk_assessment", "other_measure")
        return cleaned


class ProtectionRefusalForm(forms.Form):
    """The person refuses protection: the reason and the written commitment (attached or on paper)."""

    refusal_reason = _long_text(_("Reason given by the person"), rows=2, required=True)
    refused_on = DayField(label=_("Refused on"))
    commitment_file = forms.ChoiceField(
        label=_("Signed commitment (attachment)"),
        required=False,
        help_text=_("Upload it first under Files as a “Written commitment”."),
    )
    commitment_recorded = forms.BooleanField(label=_("The written commitment is kept on paper"), required=False)
    commitment_date = DayField(label=_("Date of the written commitment"), required=False)

    def __init__(self, *args, decision=None, commitments=(), **kwargs):
        kwargs.setdefault("auto_id", _row_id("refuse", decision))
        super().__init__(*args, **kwargs)
        self.fields["commitment_file"].choices = _blank(commitments)

    def clean(self):
        cleaned = super().clean()
        _clean_texts(self, "refusal_reason")
        return cleaned


class ProtectionEndForm(forms.Form):
    ended_on = DayField(label=_("Ended on"))
    end_reason = _long_text(_("Reason"), rows=2, required=True)

    def __init__(self, *args, decision=None, **kwargs):
        kwargs.setdefault("auto_id", _row_id("end", decision))
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        _clean_texts(self, "end_reason")
        return cleaned
