"""Transfers of a case to another unit and the receiving unit's answer."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haidang.cases.forms._common import ListedChoiceField, _agency_choice, _clean_texts, _long_text, _text
from haidang.cases.forms.consent import consent_label
from haidang.places.forms import UnitField, resolve_unit_field

TRANSFER_DECISIONS = (("accept", _("Accept the case")), ("decline", _("Decline")))


class TransferForm(forms.Form):
    """Ask another unit of today's map to take the case, with consent for transfer or a legal basis."""

    to_unit = UnitField(
        label=_("Receiving unit"),
        required=True,
        help_text=_("A commune or province of today's map, e.g. the person's home commune: its name or code."),
    )
    to_agency = _agency_choice(
        _("Receiving agency"), None, help_text=_("Agencies of the receiving unit are listed once it is named.")
    )
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

    def __init__(self, *args, agencies=None, shown_agencies=(), consents=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Any active agency may receive a case; only those that can be meant are offered.
        self.fields["to_agency"].queryset = agencies
        self.fields["to_agency"].widget.choices = [("", "—"), *((a.pk, a.name) for a in shown_agencies)]
        self.fields["consent"].queryset = consents
        self.fields["consent"].label_from_instance = consent_label

    def clean(self):
        cleaned = super().clean()
        _clean_texts(self, "reason", "legal_basis")
        resolve_unit_field(self, "to_unit", timezone.localdate())
        return cleaned


class TransferDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Answer"),
        choices=TRANSFER_DECISIONS,
        widget=forms.HiddenInput,  # the form's two buttons
        error_messages={
            "required": _("Accept or decline the transfer."),
            "invalid_choice": _("Accept or decline the transfer."),
        },
    )
    note = _long_text(_("Note"), rows=2, help_text=_("Required when declining: say why."))

    def __init__(self, *args, transfer=None, **kwargs):
        if transfer is not None:
            kwargs.setdefault("auto_id", f"id_transfer-{transfer.pk}_%s")
        super().__init__(*args, **kwargs)
        self.transfer = transfer

    def clean(self):
        cleaned = super().clean()
        _clean_texts(self, "note")
        if cleaned.get("decision") == "decline" and not cleaned.get("note"):
            self.add_error("note", _("Give the reason."))
        return cleaned
