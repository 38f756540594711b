"""The person's consent to a disclosure, its withdrawal, and a consent as an option."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haidang.cases.forms._common import ListedChoiceField, _blank, _clean_texts, _text
from haidang.cases.models import ConsentGiver
from haidang.common.forms import DayField

# The labels of the values the services accept (services.DISCLOSURE_PURPOSES and CONSENT_METHODS).
DISCLOSURE_PURPOSE_LABELS = {
    "referral": _("Referral to a service provider"),
    "transfer": _("Transfer of the case to another unit"),
    "export": _("Export of data"),
    "share": _("Sharing with another agency"),
}
CONSENT_METHOD_LABELS = {
    "written": _("In writing"),
    "verbal_witnessed": _("Verbally, before a witness"),
    "electronic": _("Electronically"),
}


class ConsentForm(forms.Form):
    """Who consented, to which disclosure, for which recipient, when and how."""

    given_by = forms.ChoiceField(
        label=_("Given by"), choices=ConsentGiver.choices, initial=ConsentGiver.PERSON, widget=forms.RadioSelect
    )
    representative_name = _text(
        _("Name of the legal representative"),
        help_text=_("Under 7 the representative consents; from 7 to under 16 the child and the representative."),
    )
    purpose = forms.ChoiceField(label=_("Consent to"), choices=_blank(DISCLOSURE_PURPOSE_LABELS.items()))
    recipient = ListedChoiceField(
        label=_("Recipient"),
        queryset=None,
        required=False,
        empty_label=_("Any recipient for this purpose"),
        error_messages={
            "invalid_choice": _("Choose an agency from the list."),
        },
    )
    given_on = DayField(label=_("Given on"))
    method = forms.ChoiceField(label=_("How"), choices=_blank(CONSENT_METHOD_LABELS.items()))

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].queryset = agencies

    def clean(self):
        cleaned = super().clean()
        _clean_texts(self, "representative_name")
        representative = cleaned.get("given_by") in (ConsentGiver.REPRESENTATIVE, ConsentGiver.BOTH)
        if representative and not cleaned.get("representative_name"):
            self.add_error("representative_name", _("Name the legal representative."))
        return cleaned


class WithdrawConsentForm(forms.Form):
    withdrawn_on = DayField(label=_("Withdrawn on"))

    def __init__(self, *args, consent=None, **kwargs):
        self.consent = consent
        super().__init__(*args, **kwargs)

    def clean_withdrawn_on(self):
        day = self.cleaned_data["withdrawn_on"]
        if day > timezone.localdate():
            raise ValidationError(_("%(day)s is in the future.") % {"day": day.strftime("%d/%m/%Y")})
        if self.consent is not None and day < self.consent.given_on:
            raise ValidationError(
                _("The consent was given on %(day)s; it cannot be withdrawn before that.")
                % {"day": self.consent.given_on.strftime("%d/%m/%Y")}
            )
        return day

    def clean(self):
        cleaned = super().clean()
        if self.consent is not None and self.consent.withdrawn_on is not None:
            raise ValidationError(_("This consent has already been withdrawn."))
        return cleaned


def consent_label(consent) -> str:
    """A consent as an option: purpose, recipient, date (never the representative's name)."""
    recipient = consent.recipient.name if consent.recipient_id else _("any recipient")
    return _("%(purpose)s · %(recipient)s · given %(day)s") % {
        "purpose": DISCLOSURE_PURPOSE_LABELS.get(consent.purpose, consent.purpose),
        "recipient": recipient,
        "day": consent.given_on.strftime("%d/%m/%Y"),
    }
