"""Linked persons: an accompanying child or a relative, and what may change on them."""

from django import forms
from django.utils.translation import gettext_lazy as _

from haidang.cases.forms._common import CountryField, _blank, _clean_texts, _long_text, _text
from haidang.cases.models import DocumentType, NationalityClass, Relationship, Sex
from haidang.common.forms import DayField


class LinkPersonForm(forms.Form):
    """An accompanying child or a relative: a person of their own, identities sealed as at intake."""

    relationship = forms.ChoiceField(label=_("Relationship"), choices=_blank(Relationship.choices))
    full_name = _text(_("Full name"), required=True)
    other_names = _text(_("Other names"))
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    birth_date = DayField(label=_("Date of birth"), required=False)
    birth_year = forms.IntegerField(
        label=_("Year of birth"),
        required=False,
        min_value=1900,
        max_value=9999,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "class": "short"}),
        error_messages={
            "invalid": _("Enter a year, for example 2004."),
            "min_value": _("Enter a year from 1900."),
            "max_value": _("Enter a year, for example 2004."),
        },
    )
    nationality_class = forms.ChoiceField(
        label=_("Nationality"), choices=NationalityClass.choices, initial=NationalityClass.VN_CITIZEN
    )
    nationality_country = CountryField(label=_("Country of nationality"))
    document_type = forms.ChoiceField(
        label=_("Identity document"), choices=_blank(DocumentType.choices), required=False
    )
    document_number = _text(_("Document number"), max_length=60)
    is_protected = forms.BooleanField(label=_("Under protection"), required=False)
    notes = _long_text(_("Notes"), rows=2)

    PERSON_FIELDS = (
        "full_name",
        "other_names",
        "sex",
        "birth_date",
        "birth_year",
        "nationality_class",
        "nationality_country",
        "document_type",
        "document_number",
    )

    def clean(self):
        cleaned = super().clean()
        _clean_texts(self, "full_name", "other_names", "document_number", "notes")
        if "full_name" in cleaned and not cleaned["full_name"]:
            self.add_error("full_name", _("This field is required."))
        if cleaned.get("document_number") and not cleaned.get("document_type"):
            self.add_error("document_type", _("Say which document this number belongs to."))
        return cleaned

    def person_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.PERSON_FIELDS}


class LinkEditForm(forms.Form):
    """What may change on a linked person (`protection.update_link`): the relationship, the
    protection flag and the notes; the notes only for a role that sees identities. `version` is the
    version the page showed, so that a change made meanwhile is not overwritten."""

    relationship = forms.ChoiceField(label=_("Relationship"), choices=_blank(Relationship.choices))
    is_protected = forms.BooleanField(label=_("Under protection"), required=False)
    notes = _long_text(_("Notes"), rows=2)
    version = forms.IntegerField(
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={
            "required": _("The form was incomplete; reload the case and try again."),
            "invalid": _("The form was incomplete; reload the case and try again."),
            "min_value": _("The form was incomplete; reload the case and try again."),
        },
    )

    def __init__(self, *args, show_notes: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not show_notes:
            del self.fields["notes"]

    def clean(self):
        cleaned = super().clean()
        _clean_texts(self, "notes")
        return cleaned

    def changes(self) -> dict:
        """The values for `protection.update_link` (the notes only where the form has them)."""
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}
