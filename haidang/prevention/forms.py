"""Forms for prevention work: the quick entry form, the full form, filters, campaigns and models.

Forms check shape (a real date, a whole number of zero or more, an agency the user may name);
the services check the rules (end after start, not far in the future, participants and
sessions) and their errors are put back on the field they name.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from haidang.common.forms import CountField, DayField, MoneyField
from haidang.common.text import clean_text, nfc
from haidang.places.forms import (
    UnitField,
    UnitListField,
    filter_unit_field,
    map_date_field,
    resolve_filter_territory,
    resolve_unit_field,
    resolve_unit_list_field,
)
from haidang.places.models import UnitLevel
from haidang.prevention.models import (
    ActivityType,
    FundingSource,
    JointTopic,
    MaterialKind,
    ModelKind,
    ModelStatus,
    TargetGroup,
)

MAX_NOTES = 10_000
MAX_UNIT_CODES = 200

MEASURE_FORM_FIELDS = (
    "sessions",
    "participants",
    "participants_female",
    "participants_male",
    "broadcast_minutes",
    "articles",
    "posts",
    "page_visits",
    "pledges",
)


def _checkboxes(choices, label, **kwargs):
    return forms.MultipleChoiceField(
        label=label,
        choices=choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "check-list"}),
        **kwargs,
    )


class ActivityFormBase(forms.Form):
    """Fields shared by the quick and the full form; the choices depend on who is entering."""

    activity_type = forms.ChoiceField(label=_("Type of activity"), choices=[("", "—"), *ActivityType.choices])
    title = forms.CharField(label=_("Title"), max_length=255, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    unit = UnitField(
        label=_("Unit"),
        date_field="start_date",
        help_text=_("The commune or province where it took place, on its date: its name or code."),
    )
    organiser = forms.ModelChoiceField(label=_("Organiser"), queryset=None, empty_label="—")
    campaign = forms.ModelChoiceField(
        label=_("Campaign"), queryset=None, required=False, empty_label=_("Not part of a campaign")
    )
    target_groups = _checkboxes(TargetGroup.choices, _("Target groups"))
    sessions = CountField(label=_("Sessions"))
    participants = CountField(label=_("Participants"), help_text=_("Everyone reached in person."))

    def __init__(self, *args, agencies=None, campaigns=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["organiser"].queryset = agencies
        self.fields["campaign"].queryset = campaigns
        self.fields["unit"].widget.date_field = self.start_field()
        if "co_organisers" in self.fields:
            self.fields["co_organisers"].queryset = agencies

    def clean_title(self):
        title = clean_text(self.cleaned_data.get("title"))
        if not title:
            raise ValidationError(_("Give the activity a title."), code="required")
        return title

    def start_field(self) -> str:
        return "start_date"

    def clean(self):
        cleaned = super().clean()
        resolve_unit_field(self, "unit", cleaned.get(self.start_field()), user=self.user)
        return cleaned

    def activity_data(self) -> dict:
        """The cleaned values as the services take them (call after is_valid())."""
        return dict(self.cleaned_data)


class QuickActivityForm(ActivityFormBase):
    """The common case on one screen: what, when (one day), where, who, for whom, how many."""

    date = DayField(label=_("Date"))

    # The services name the start and end dates; here both are the one date field.
    error_aliases = {"start_date": "date", "end_date": "date"}

    field_order = [
        "activity_type",
        "title",
        "date",
        "unit",
        "organiser",
        "campaign",
        "target_groups",
        "sessions",
        "participants",
    ]

    def start_field(self) -> str:
        return "date"

    def activity_data(self) -> dict:
        data = super().activity_data()
        day = data.pop("date")
        data.update({"start_date": day, "end_date": day})
        return data


class ActivityForm(ActivityFormBase):
    """Every field of an activity, with a row of produced/distributed counts per kind of material."""

    start_date = DayField(label=_("Start date"))
    end_date = DayField(label=_("End date"), required=False, help_text=_("Leave empty for a one-day activity."))
    place = forms.CharField(label=_("Place"), max_length=255, required=False)
    co_organisers = forms.ModelMultipleChoiceField(
        label=_("Co-organisers"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "check-list"}),
        help_text=_("Agencies that organised it jointly. A joint activity is counted once in totals."),
    )
    joint_topics = _checkboxes(JointTopic.choices, _("Joint topics"))
    language = forms.CharField(label=_("Language"), max_length=60, required=False, initial="Tiếng Việt")
    participants_female = CountField(label=_("Female participants"))
    participants_male = CountField(label=_("Male participants"))
    broadcast_minutes = CountField(label=_("Broadcast minutes"))
    articles = CountField(label=_("Articles"))
    posts = CountField(label=_("Posts"))
    page_visits = CountField(label=_("Page visits"))
    pledges = CountField(label=_("Pledges signed"))
    cost = MoneyField(label=_("Cost (VND)"))
    funding_source = forms.ChoiceField(
        label=_("Funding source"), choices=[("", "—"), *FundingSource.choices], required=False
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=MAX_NOTES, widget=forms.Textarea(attrs={"rows": 4})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    field_order = [
        "activity_type",
        "title",
        "start_date",
        "end_date",
        "unit",
        "place",
        "organiser",
        "co_organisers",
        "campaign",
        "joint_topics",
        "target_groups",
        "language",
        "sessions",
        "participants",
        "participants_female",
        "participants_male",
        "broadcast_minutes",
        "articles",
        "posts",
        "page_visits",
        "pledges",
        "cost",
        "funding_source",
        "notes",
    ]

    # Fields laid out in groups by the template, in this order.
    GROUPS = (
        (_("What and when"), ("activity_type", "title", "start_date", "end_date")),
        (_("Where and who"), ("unit", "place", "organiser", "co_organisers", "campaign")),
        (_("For whom"), ("target_groups", "joint_topics", "language")),
        (
            _("Reach"),
            (
                "sessions",
                "participants",
                "participants_female",
                "participants_male",
                "broadcast_minutes",
                "articles",
                "posts",
                "page_visits",
                "pledges",
            ),
        ),
        (_("Cost and notes"), ("cost", "funding_source", "notes")),
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in MaterialKind.choices:
            self.fields[f"material_{kind}_produced"] = CountField(label=_("%(kind)s produced") % {"kind": label})
            self.fields[f"material_{kind}_distributed"] = CountField(label=_("%(kind)s distributed") % {"kind": label})
        if editing:
            self.fields["version"].required = True

    def field_groups(self):
        return [(title, [self[name] for name in names]) for title, names in self.GROUPS]

    def material_rows(self):
        return [
            (label, self[f"material_{kind}_produced"], self[f"material_{kind}_distributed"])
            for kind, label in MaterialKind.choices
        ]

    def clean_place(self):
        return clean_text(self.cleaned_data.get("place"))

    def clean_language(self):
        return clean_text(self.cleaned_data.get("language"))

    def clean_notes(self):
        return nfc(self.cleaned_data.get("notes") or "").strip()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start_date") and "end_date" not in self.errors and not cleaned.get("end_date"):
            cleaned["end_date"] = cleaned["start_date"]
        return cleaned

    def activity_data(self) -> dict:
        data = super().activity_data()
        data.pop("version", None)
        data["co_organisers"] = list(data.get("co_organisers") or [])
        materials = []
        for kind in MaterialKind.values:
            produced = data.pop(f"material_{kind}_produced", None)
            distributed = data.pop(f"material_{kind}_distributed", None)
            if produced is not None or distributed is not None:
                materials.append({"kind": kind, "produced": produced, "distributed": distributed})
        data["materials"] = materials
        data["funding_source"] = data.get("funding_source") or ""
        return data


def initial_from_activity_data(data: dict) -> dict:
    """Form initial values from an activity's data (a copy, or the activity itself for editing)."""
    initial = {}
    for name, value in data.items():
        if name == "unit":
            initial["unit"] = value or ""
        elif name in ("organiser", "campaign"):
            initial[name] = getattr(value, "pk", value)
        elif name == "co_organisers":
            initial[name] = [getattr(item, "pk", item) for item in value or []]
        elif name == "materials":
            for material in value or []:
                kind = material.get("kind") if isinstance(material, dict) else material.kind
                for measure in ("produced", "distributed"):
                    amount = material.get(measure) if isinstance(material, dict) else getattr(material, measure)
                    initial[f"material_{kind}_{measure}"] = amount
        elif name in ("joint_topics", "target_groups"):
            initial[name] = list(value or [])
        else:
            initial[name] = value
    return initial


def initial_from_activity(activity) -> dict:
    """What the full form shows when editing an activity."""
    data = {
        name: getattr(activity, name)
        for name in (
            "activity_type",
            "title",
            "start_date",
            "end_date",
            "place",
            "joint_topics",
            "target_groups",
            "language",
            *MEASURE_FORM_FIELDS,
            "cost",
            "funding_source",
            "notes",
            "version",
        )
    }
    data.update(
        {
            "unit": activity.unit,
            "organiser": activity.organiser_id,
            "campaign": activity.campaign_id,
            "co_organisers": [agency.pk for agency in activity.co_organisers.all()],
            "materials": list(activity.materials.all()),
        }
    )
    if data["cost"] is not None:
        data["cost"] = int(data["cost"])
    return initial_from_activity_data(data)


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Photo or document"),
        help_text=_("A photo (JPEG, PNG), a PDF or an office document."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,.pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods"}
        ),
    )


class ActivityFilterForm(forms.Form):
    """The list's and the summary's filters; a bad value is named and no rows are shown."""

    campaign = forms.ModelChoiceField(
        label=_("Campaign"), queryset=None, required=False, empty_label=_("All campaigns")
    )
    date_from = DayField(label=_("From"), required=False)
    date_to = DayField(label=_("To"), required=False)
    unit = filter_unit_field()
    as_of = map_date_field()
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=None, required=False, empty_label=_("All agencies"))
    activity_type = forms.ChoiceField(
        label=_("Type of activity"), choices=[("", _("All types")), *ActivityType.choices], required=False
    )
    target_group = forms.ChoiceField(
        label=_("Target group"), choices=[("", _("All groups")), *TargetGroup.choices], required=False
    )

    def __init__(self, *args, campaigns=None, agencies=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns
        self.fields["agency"].queryset = agencies
        self.user = user

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_to < date_from:
            self.add_error("date_to", _("The end of the period must not be before its start."))
        cleaned["territory"] = resolve_filter_territory(self, start=date_from, end=date_to, user=self.user)
        return cleaned

    def filters(self) -> dict:
        """Keyword arguments for `selectors.filter_activities` (call after is_valid())."""
        data = self.cleaned_data
        return {
            "campaign": data.get("campaign"),
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
            "territory": data.get("territory"),
            "agency": data.get("agency"),
            "activity_type": data.get("activity_type") or "",
            "target_group": data.get("target_group") or "",
        }


GROUP_BY_CHOICES = [
    ("unit", _("Unit")),
    ("agency", _("Agency")),
    ("campaign", _("Campaign")),
    ("type", _("Type of activity")),
    ("month", _("Month")),
    ("quarter", _("Quarter")),
    ("year", _("Year")),
]


class SummaryForm(ActivityFilterForm):
    group_by = forms.ChoiceField(label=_("Group by"), choices=GROUP_BY_CHOICES, required=False, initial="unit")
    level = forms.TypedChoiceField(
        label=_("Unit level"),
        choices=[(UnitLevel.PROVINCE, _("Provinces")), (UnitLevel.COMMUNE, _("Communes"))],
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("For grouping by unit. Old units are counted in the unit that took them over."),
    )

    field_order = ["group_by", "level"]


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=255)
    theme = forms.CharField(label=_("Theme"), max_length=500, required=False)
    start_date = DayField(label=_("Start date"))
    end_date = DayField(label=_("End date"))
    issuing_agency = forms.ModelChoiceField(label=_("Issuing agency"), queryset=None, empty_label="—")
    directive_number = forms.CharField(
        label=_("Directive number"),
        max_length=60,
        required=False,
        help_text=_("The plan or directive that ordered it, e.g. 123/KH-UBND."),
    )
    target_units = UnitListField(
        label=_("Target units"),
        required=False,
        date_field="start_date",
        max_units=MAX_UNIT_CODES,
        help_text=_(
            "One commune or province per line, by name or code; leave empty for the whole area of the issuing agency."
        ),
    )

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuing_agency"].queryset = agencies

    def clean_name(self):
        name = clean_text(self.cleaned_data.get("name"))
        if not name:
            raise ValidationError(_("Give the campaign a name."), code="required")
        return name

    def clean_theme(self):
        return clean_text(self.cleaned_data.get("theme"))

    def clean_directive_number(self):
        return clean_text(self.cleaned_data.get("directive_number"))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date must not be before the start date."))
        resolve_unit_list_field(self, "target_units", start)
        cleaned["target_units"] = cleaned.get("target_units") or []
        return cleaned


class PreventionModelForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=255)
    kind = forms.ChoiceField(label=_("Kind"), choices=ModelKind.choices, initial=ModelKind.PREVENTION)
    unit = UnitField(
        label=_("Unit"),
        date_field="start_date",
        help_text=_("The commune or province where the model works, on its start date: its name or code."),
    )
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=None, empty_label="—")
    start_date = DayField(label=_("Start date"))
    beneficiaries = CountField(label=_("Beneficiaries"))
    status = forms.ChoiceField(label=_("Status"), choices=ModelStatus.choices, initial=ModelStatus.ACTIVE)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=MAX_NOTES, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, agencies=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        self.user = user

    def clean_name(self):
        name = clean_text(self.cleaned_data.get("name"))
        if not name:
            raise ValidationError(_("Give the model a name."), code="required")
        return name

    def clean_description(self):
        return nfc(self.cleaned_data.get("description") or "").strip()

    def clean(self):
        cleaned = super().clean()
        resolve_unit_field(self, "unit", cleaned.get("start_date"), user=self.user)
        return cleaned

    def model_data(self) -> dict:
        return dict(self.cleaned_data)
