"""Referrals to service providers and their answers."""

from django import forms
from django.utils.translation import gettext_lazy as _

from haidang.cases.forms._common import ListedChoiceField, _agency_choice, _blank, _clean_texts, _long_text, _text
from haidang.cases.forms.consent import consent_label
from haidang.cases.models import ReferralStatus, ServiceType
from haidang.common.forms import DayField


class ReferralForm(forms.Form):
    """A referral to a service provider, with the person's consent for referral or a legal basis."""

    provider = _agency_choice(_("Service provider"), None)
    service_type = forms.ChoiceField(label=_("Service"), choices=_blank(ServiceType.choices))
    reason = _long_text(_("Reason"), required=True, error_messages={"required": _("Give the reason.")})
    consent = ListedChoiceField(
        label=_("Consent"),
        queryset=None,
        required=False,
        empty_label="—",
        error_messages={
            "invalid_choice": _("Choose one of the consents listed; it may have been withdrawn."),
        },
    )
    legal_basis = _text(
        _("Legal basis (when there is no consent)"), help_text=_("The provision that allows sharing without consent.")
    )
    follow_up_on = DayField(label=_("Follow up on"), required=False)

    def __init__(self, *args, agencies=None, consents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = agencies
        self.fields["consent"].queryset = consents
        self.fields["consent"].label_from_instance = consent_label

    def clean(self):
        cleaned = super().clean()
        _clean_texts(self, "reason", "legal_basis")
        return cleaned


class ReferralUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"))
    outcome = _long_text(_("Outcome"), rows=2)
    follow_up_on = DayField(label=_("Follow up on"), required=False)

    def __init__(self, *args, referral=None, moves=(), **kwargs):
        if referral is not None:
            kwargs.setdefault("auto_id", f"id_referral-{referral.pk}_%s")
        super().__init__(*args, **kwargs)
        self.referral = referral
        labels = dict(ReferralStatus.choices)
        self.fields["status"].choices = _blank([(value, labels[value]) for value in moves])

    def clean(self):
        cleaned = super().clean()
        _clean_texts(self, "outcome")
        return cleaned
