"""The intake: the person and the case, recorded together at the first contact."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haidang.cases.forms._common import CountryField, EthnicityField, _blank, _checkboxes, _text
from haidang.cases.models import DocumentType, Exploitation, IntakeChannel, NationalityClass, Recruitment, Route, Sex
from haidang.common.forms import DayField
from haidang.common.text import clean_text
from haidang.places.forms import UnitField, resolve_unit_field


class IntakeForm(forms.Form):
    """The person and the case, recorded together at the first contact."""

    # The person.
    full_name = _text(
        _("Full name"),
        required=True,
        error_messages={"required": _("Give the person's full name (or the name they give).")},
    )
    other_names = _text(_("Other names"), help_text=_("Nicknames, names used abroad, earlier names."))
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    birth_date = DayField(label=_("Date of birth"), required=False)
    birth_year = forms.IntegerField(
        label=_("Year of birth"),
        required=False,
        min_value=1900,
        help_text=_("When only the year is known."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "class": "short"}),
        error_messages={"invalid": _("Enter a year, for example 2004."), "min_value": _("Enter a year from 1900.")},
    )
    ethnicity = EthnicityField(label=_("Ethnicity"))
    nationality_class = forms.ChoiceField(
        label=_("Nationality"), choices=NationalityClass.choices, initial=NationalityClass.VN_CITIZEN
    )
    nationality_country = CountryField(
        label=_("Country of nationality"), help_text=_("For a foreign national: the country's name or code (CHN).")
    )
    document_type = forms.ChoiceField(
        label=_("Identity document"), choices=_blank(DocumentType.choices), required=False
    )
    document_number = _text(_("Document number"), max_length=60)
    residence_unit = UnitField(
        label=_("Place of residence (commune)"),
        required=False,
        date_field="reception_date",
        help_text=_("The commune of residence on the reception date: its name (with or without accents) or code."),
    )
    address = forms.CharField(
        label=_("Address"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    contacts = _text(_("Contacts"), max_length=255, help_text=_("Phone numbers, relatives to contact."))
    languages = _text(_("Languages"), max_length=120, help_text=_("For example: Vietnamese, Hmong."))

    # The case.
    intake_channel = forms.ChoiceField(label=_("Intake channel"), choices=_blank(IntakeChannel.choices))
    reception_date = DayField(label=_("Reception date"))
    agency = forms.ModelChoiceField(label=_("Receiving agency"), queryset=None, empty_label="—")
    unit = UnitField(
        label=_("Responsible unit"),
        required=True,
        date_field="reception_date",
        help_text=_("The commune or province responsible for the case on the reception date: its name or code."),
    )
    found_abroad = forms.BooleanField(label=_("Found abroad"), required=False)
    found_country = CountryField(label=_("Country where found"))
    returned_on = DayField(
        label=_("Returned to Vietnam on"),
        required=False,
        help_text=_("For a person found abroad who is already back; a handover at the border is the return."),
    )
    return_border_gate = _text(_("Border gate of return"), max_length=120, help_text=_("Or the airport."))
    exploitation_forms = _checkboxes(Exploitation.choices, _("Forms of exploitation"))
    destination_country = CountryField(label=_("Destination country"))
    route = forms.ChoiceField(label=_("Route"), choices=_blank(Route.choices), required=False)
    recruitment_method = forms.ChoiceField(
        label=_("Recruitment method"), choices=_blank(Recruitment.choices), required=False
    )
    criminal_proceeding_number = _text(_("Criminal proceeding number"), max_length=60)

    PERSON_FIELDS = (
        "full_name",
        "other_names",
        "sex",
        "birth_date",
        "birth_year",
        "ethnicity",
        "nationality_class",
        "nationality_country",
        "document_type",
        "document_number",
        "residence_unit",
        "address",
        "contacts",
        "languages",
    )
    CASE_FIELDS = (
        "intake_channel",
        "reception_date",
        "agency",
        "unit",
        "found_abroad",
        "found_country",
        "returned_on",
        "return_border_gate",
        "exploitation_forms",
        "destination_country",
        "route",
        "recruitment_method",
        "criminal_proceeding_number",
    )

    def __init__(self, *args, agencies=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        self.user = user

    @property
    def field_groups(self):
        def bound(names):
            return [self[name] for name in names]

        return [
            (_("The person"), bound(self.PERSON_FIELDS[:8])),
            (_("Identity document, residence and contacts"), bound(self.PERSON_FIELDS[8:])),
            (_("Reception"), bound(self.CASE_FIELDS[:4])),
            (_("Where and how"), bound(self.CASE_FIELDS[4:])),
        ]

    def clean_full_name(self):
        name = clean_text(self.cleaned_data.get("full_name"))
        if not name:
            raise ValidationError(_("Give the person's full name (or the name they give)."), code="required")
        return name

    def clean_birth_year(self):
        year = self.cleaned_data.get("birth_year")
        this_year = timezone.localdate().year
        if year is not None and year > this_year:
            raise ValidationError(_("Enter a year from 1900 to %(year)s.") % {"year": this_year}, code="max_value")
        return year

    def clean(self):
        cleaned = super().clean()
        day = cleaned.get("reception_date")
        resolve_unit_field(self, "unit", day, user=self.user)
        resolve_unit_field(self, "residence_unit", day, user=self.user)
        birth, year = cleaned.get("birth_date"), cleaned.get("birth_year")
        if birth is not None and year is not None and birth.year != year:
            self.add_error("birth_year", _("The year of birth does not match the date of birth."))
        if cleaned.get("document_number") and not cleaned.get("document_type"):
            self.add_error("document_type", _("Say which document this number belongs to."))
        if cleaned.get("found_abroad") and not cleaned.get("found_country") and "found_country" not in self.errors:
            self.add_error("found_country", _("Give the country where the person was found."))
        return cleaned

    def person_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.PERSON_FIELDS}

    def case_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.CASE_FIELDS}
