"""Shelter stays: the start, an extension decision and the end."""

from django import forms
from django.utils.translation import gettext_lazy as _

from haidang.cases.forms._common import _agency_choice, _clean_texts, _row_id, _text
from haidang.common.forms import DayField


class _ExtensionFields(forms.Form):
    extension_decision_number = _text(_("Extension decision number"), max_length=60)
    extension_decided_on = DayField(label=_("Extension decided on"), required=False)
    extension_decided_by = _agency_choice(_("Extension decided by"), None, required=False)
    extended_until = DayField(label=_("Extended until"), required=False, help_text=_("The new last day of shelter."))

    def clean(self):
        cleaned = super().clean()
        _clean_texts(self, "extension_decision_number")
        return cleaned


class StayStartForm(_ExtensionFields):
    """A stay at a facility; the extension fields only when the person's 120 days are used up."""

    person = forms.ChoiceField(label=_("Person"))
    facility = _agency_choice(_("Facility"), None)
    start_date = DayField(label=_("Start date"))

    field_order = ("person", "facility", "start_date")

    def __init__(self, *args, persons=(), agencies=None, deciders=None, **kwargs):
        kwargs.setdefault("auto_id", "id_stay_%s")
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = list(persons)
        self.fields["facility"].queryset = agencies
        self.fields["extension_decided_by"].queryset = deciders
        for name in ("extension_decision_number", "extension_decided_on", "extension_decided_by", "extended_until"):
            self.fields[name].help_text = _("Only when the person has used the 120 days.")


class StayExtendForm(_ExtensionFields):
    def __init__(self, *args, stay=None, deciders=None, **kwargs):
        kwargs.setdefault("auto_id", _row_id("extend", stay))
        super().__init__(*args, **kwargs)
        self.fields["extension_decided_by"].queryset = deciders
        self.fields["extension_decided_by"].required = True
        self.fields["extension_decision_number"].required = True
        self.fields["extension_decision_number"].error_messages["required"] = _(
            "Give the number of the extension decision."
        )
        self.fields["extension_decided_on"].required = True
        self.fields["extended_until"].required = True


class StayEndForm(forms.Form):
    end_date = DayField(label=_("End date"))

    def __init__(self, *args, stay=None, **kwargs):
        kwargs.setdefault("auto_id", _row_id("endstay", stay))
        super().__init__(*args, **kwargs)
