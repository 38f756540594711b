"""Forms for the register's pages. They check shape (a real date, a code from the list, a unit
code valid on the date detected); the services check the rules and their errors come back on
the field they name."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from haidang.cases.models import Exploitation, Route, Sex
from haidang.common.forms import DayField
from haidang.common.text import clean_text
from haidang.places.forms import (
    UnitField,
    filter_unit_field,
    map_date_field,
    resolve_filter_territory,
    resolve_unit_field,
)
from haidang.proceedings.models import AgeBand, Article, SuspectRole


def _blank(choices, label):
    return [("", label), *choices]


class CriminalCaseForm(forms.Form):
    number = forms.CharField(
        label=_("Case number"), max_length=60, help_text=_("As numbered by the investigating agency.")
    )
    article = forms.ChoiceField(label=_("Criminal Code article"), choices=Article.choices)
    detected_on = DayField(label=_("Date detected"))
    prosecution_opened_on = DayField(label=_("Date prosecution opened"), required=False)
    investigating_agency = forms.ModelChoiceField(label=_("Investigating agency"), queryset=None)
    unit = UnitField(
        label=_("Unit"),
        date_field="detected_on",
        help_text=_("The commune or province of the investigation on the date detected: its name or code."),
    )
    route = forms.ChoiceField(label=_("Route"), choices=_blank(Route.choices, _("Not known")), required=False)
    destination_country = forms.CharField(
        label=_("Destination country"), max_length=3, required=False, help_text=_("Three-letter code, e.g. KHM, CHN.")
    )
    exploitation_forms = forms.MultipleChoiceField(
        label=_("Forms of exploitation"),
        choices=Exploitation.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "check-list"}),
    )

    def __init__(self, *args, agencies=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["investigating_agency"].queryset = agencies
        self.user = user

    def clean_number(self):
        return clean_text(self.cleaned_data["number"])

    def clean(self):
        cleaned = super().clean()
        resolve_unit_field(self, "unit", cleaned.get("detected_on"), user=self.user)
        return cleaned

    def case_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.fields}


class SuspectForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=255)
    document_number = forms.CharField(label=_("Identity document number"), max_length=60, required=False)
    address = forms.CharField(label=_("Address"), max_length=500, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    birth_year = forms.IntegerField(label=_("Year of birth"), required=False, min_value=1900, max_value=2100)
    age_band = forms.ChoiceField(
        label=_("Age band"),
        choices=AgeBand.choices,
        initial=AgeBand.UNKNOWN,
        help_text=_("Used when the year of birth is not known."),
    )
    nationality = forms.CharField(
        label=_("Nationality"), max_length=3, initial="VNM", help_text=_("Three-letter code.")
    )
    role = forms.ChoiceField(label=_("Role in the chain"), choices=SuspectRole.choices)
    prosecuted_on = DayField(label=_("Date prosecuted"), required=False)
    version = forms.IntegerField(label="", widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:  # a change names the version it was read at
            self.fields["version"].required = True
            self.fields["version"].error_messages["required"] = _(
                "The form was incomplete; reload the page and try again."
            )
        else:
            del self.fields["version"]

    def suspect_data(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


class RemoveSuspectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class VictimLinkForm(forms.Form):
    case_number = forms.CharField(
        label=_("Victim case number"), max_length=20, help_text=_("For example 01-2026-000012.")
    )


class CriminalCaseFilterForm(forms.Form):
    number = forms.CharField(label=_("Case number"), max_length=60, required=False)
    article = forms.ChoiceField(label=_("Article"), choices=_blank(Article.choices, _("All")), required=False)
    detected_from = DayField(label=_("Detected from"), required=False)
    detected_to = DayField(label=_("Detected to"), required=False)
    prosecuted = forms.ChoiceField(
        label=_("Prosecution"),
        choices=[("", _("All")), ("yes", _("Opened for prosecution")), ("no", _("Not yet"))],
        required=False,
    )
    unit = filter_unit_field()
    as_of = map_date_field()

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("detected_from"), cleaned.get("detected_to")
        if start and end and end < start:
            self.add_error("detected_to", _("The end date is before the start date."))
        cleaned["territory"] = resolve_filter_territory(self, start=start, end=end, user=self.user)
        return cleaned

    def filters(self) -> dict:
        data = self.cleaned_data
        prosecuted = {"yes": True, "no": False}.get(data.get("prosecuted") or "")
        return {
            "number": clean_text(data.get("number")),
            "article": data.get("article") or "",
            "detected_from": data.get("detected_from"),
            "detected_to": data.get("detected_to"),
            "prosecuted": prosecuted,
            "territory": data.get("territory"),
        }


def service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's {field: [message]} errors on the form's fields."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
