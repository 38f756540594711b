"""Forms for case pages: the intake (person and case on one form), the list filter, and one form
per allowed transition.

Forms check shape (a real dd/mm/yyyy date, a unit code valid on the reception date, a country
code, an agency the user may name); the services check the rules (required values, dates not in
the future, the unit inside the user's area, what each transition needs) and their errors are
put back on the field they name.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haidang.cases import workflow
from haidang.cases.models import (
    ApplicantKind,
    ApplicationStatus,
    AttachmentKind,
    CaseStatus,
    ConsentGiver,
    DocumentType,
    Exploitation,
    IntakeChannel,
    NationalityClass,
    ProtectionMeasure,
    Recruitment,
    ReferralStatus,
    ReintegrationRegime,
    Relationship,
    RiskLevel,
    Route,
    ServiceType,
    Sex,
    SubmissionChannel,
)
from haidang.common.text import clean_text
from haidang.places.errors import UnitLookupError
from haidang.places.selectors import resolve_unit

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
MAX_NOTE = 5_000

# Countries met most often on trafficking routes from and through Vietnam, offered as suggestions
# (any ISO 3166-1 alpha-3 code is accepted).
COUNTRY_SUGGESTIONS = {
    "KHM": _("Cambodia"),
    "CHN": _("China"),
    "LAO": _("Laos"),
    "MMR": _("Myanmar"),
    "THA": _("Thailand"),
    "MYS": _("Malaysia"),
    "PHL": _("Philippines"),
    "IDN": _("Indonesia"),
    "SGP": _("Singapore"),
    "TWN": _("Taiwan"),
    "KOR": _("Republic of Korea"),
    "JPN": _("Japan"),
    "ARE": _("United Arab Emirates"),
    "SAU": _("Saudi Arabia"),
    "RUS": _("Russia"),
    "DEU": _("Germany"),
    "GBR": _("United Kingdom"),
    "FRA": _("France"),
    "USA": _("United States"),
    "VNM": _("Viet Nam"),
}

# Documents confirming victim status (Law 53/2024 Art. 33(1); the list is to be verified, the legacy
# 2011 list and the confirmation certificate expected from Decree 162 are offered).
IDENTIFICATION_DOCUMENT_TYPES = (
    ("victim_confirmation", _("Victim confirmation certificate")),
    ("police_certificate", _("Certificate from the police")),
    ("rescue_certificate", _("Certificate from the rescuing body")),
    ("procedure_body_certificate", _("Certificate from an investigation body, procuracy or court")),
    ("foreign_document", _("Document of a competent foreign body, legalised")),
    ("other", _("Other document")),
)


class DayField(forms.DateField):
    """A date typed as dd/mm/yyyy (or ISO); 31/11/2023 is refused with a message, not a crash."""

    default_error_messages = {"invalid": _("Enter a real date as dd/mm/yyyy, for example 30/07/2026.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", DATE_INPUT_FORMATS)
        kwargs.setdefault(
            "widget",
            forms.DateInput(
                format="%d/%m/%Y",
                attrs={"type": "text", "placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"},
            ),
        )
        super().__init__(**kwargs)


class UnitCodeField(forms.CharField):
    """A unit given by its code; which unit it is depends on the date (resolved in the form's clean)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"})

    def clean(self, value):
        return (super().clean(value) or "").strip().upper()


class CountryField(forms.CharField):
    """An ISO 3166-1 alpha-3 country code, e.g. KHM; suggestions come from a datalist."""

    default_error_messages = {"invalid": _("Enter a three-letter country code, for example KHM for Cambodia.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("Three-letter code, e.g. KHM (Cambodia), CHN (China), LAO (Laos)."))
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {"autocomplete": "off", "list": "country-options", "spellcheck": "false", "class": "short"}
        )

    def clean(self, value):
        code = (super().clean(value) or "").strip().upper()
        if code and not (len(code) == 3 and code.isascii() and code.isalpha()):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return code


def _checkboxes(choices, label, **kwargs):
    kwargs.setdefault("required", False)
    return forms.MultipleChoiceField(label=label, choices=choices, widget=forms.CheckboxSelectMultiple, **kwargs)


def _text(label, *, max_length=255, required=False, **kwargs):
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        **kwargs,
    )


def _blank(choices):
    return [("", "—"), *choices]


def _resolve(form: forms.Form, field: str, day):
    """The unit with the code in `field` valid on `day`; on failure the reason goes on the field."""
    code = form.cleaned_data.get(field)
    if not code or day is None:
        return None
    try:
        return resolve_unit(code, day)
    except UnitLookupError as error:
        form.add_error(field, error.message)
        return None


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
    ethnicity = _text(_("Ethnicity"), max_length=60)
    nationality_class = forms.ChoiceField(
        label=_("Nationality"), choices=NationalityClass.choices, initial=NationalityClass.VN_CITIZEN
    )
    nationality_country = CountryField(
        label=_("Country of nationality"), help_text=_("For a foreign national: three-letter code, e.g. CHN.")
    )
    document_type = forms.ChoiceField(
        label=_("Identity document"), choices=_blank(DocumentType.choices), required=False
    )
    document_number = _text(_("Document number"), max_length=60)
    residence_unit = UnitCodeField(
        label=_("Place of residence (unit code)"),
        help_text=_("The code of the commune of residence valid on the reception date."),
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
    unit = UnitCodeField(
        label=_("Unit code"),
        required=True,
        help_text=_("The commune or province responsible for the case, valid on the reception date."),
    )
    found_abroad = forms.BooleanField(label=_("Found abroad"), required=False)
    found_country = CountryField(label=_("Country where found"))
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
        "exploitation_forms",
        "destination_country",
        "route",
        "recruitment_method",
        "criminal_proceeding_number",
    )

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        self.fields["unit"].widget.attrs["list"] = "unit-options"

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
        cleaned["unit"] = _resolve(self, "unit", day)
        cleaned["residence_unit"] = _resolve(self, "residence_unit", day)
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


class CaseFilterForm(forms.Form):
    number = forms.CharField(label=_("Case number"), required=False, max_length=20)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *CaseStatus.choices]
    )

    def clean_number(self):
        return clean_text(self.cleaned_data.get("number"))


class TransitionForm(forms.Form):
    """One step of the transition table. `version` and `target` keep their plain names (the page
    has one form per step, the other fields carry the step's prefix so their ids stay unique)."""

    PLAIN_FIELDS = ("version", "target")

    version = forms.IntegerField(
        label=_("Version"),
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={
            "required": _("The form was incomplete; reload the case and try again."),
            "invalid": _("The form was incomplete; reload the case and try again."),
            "min_value": _("The form was incomplete; reload the case and try again."),
        },
    )
    target = forms.CharField(
        label=_("Step"),
        max_length=30,
        widget=forms.HiddenInput,
        error_messages={"required": _("Choose one of the steps offered on this page.")},
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=MAX_NOTE, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, step: workflow.Transition | None = None, target: str = "", **kwargs):
        self.step = step
        self.step_target = step.target if step is not None else target
        kwargs.setdefault("prefix", f"step-{self.step_target or 'unknown'}")
        super().__init__(*args, **kwargs)
        for name in self.PLAIN_FIELDS:
            self.fields[name].widget.attrs["id"] = f"id_{self.prefix}-{name}"
        requires = step.requires if step is not None else ()
        if step is not None and step.needs_note:
            note = self.fields["note"]
            note.required = True
            note.label = _("Reason")
            note.error_messages["required"] = _("Give the reason.")
        if "decision_date" in requires:
            self.fields["decision_date"] = DayField(label=_("Decision date"))
            self.fields["evidence_sources"] = _checkboxes(
                list(workflow.EVIDENCE_SOURCES.items()),
                _("Evidence relied on (Art. 32)"),
                required=True,
                error_messages={"required": _("Tick at least one source of evidence.")},
            )
            self.fields["document_type"] = forms.ChoiceField(
                label=_("Confirming document"), choices=_blank(IDENTIFICATION_DOCUMENT_TYPES)
            )
            self.fields["document_issuer"] = _text(_("Issued by"), required=True)
            self.fields["document_number"] = _text(_("Document number"), max_length=60, required=True)
            self.fields["document_date"] = DayField(label=_("Document date"))
        if "closure_reasons" in requires:
            self.fields["closure_reasons"] = _checkboxes(
                list(workflow.CLOSURE_REASONS.items()),
                _("Reasons for closing"),
                required=True,
                error_messages={"required": _("Tick at least one reason for closing.")},
            )
        # The note last, after what the step needs.
        self.order_fields(
            [*self.PLAIN_FIELDS, *(n for n in self.fields if n not in (*self.PLAIN_FIELDS, "note")), "note"]
        )

    def add_prefix(self, field_name):
        return field_name if field_name in self.PLAIN_FIELDS else super().add_prefix(field_name)

    def clean_note(self):
        return clean_text(self.cleaned_data.get("note"))

    def clean(self):
        cleaned = super().clean()
        for name in ("document_issuer", "document_number"):
            if name in cleaned:
                cleaned[name] = clean_text(cleaned[name])
        return cleaned

    @property
    def visible_names(self) -> set[str]:
        return {name for name, field in self.fields.items() if not field.widget.is_hidden}

    def transition_data(self) -> dict:
        requires = self.step.requires if self.step is not None else ()
        return {name: self.cleaned_data.get(name) for name in requires if name in self.fields}


# --- Consent, support, referrals, transfers, visits, rates ---------------------------------------------

MAX_TEXT = 4_000
MAX_QUANTITY = 100_000
MAX_AMOUNT = 10**13  # fits the rate table's 14 digits

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
# What a rate is counted in; support items beyond `max_units` of it need an extension decision.
RATE_UNIT_LABELS = {
    "day": _("per day"),
    "month": _("per month"),
    "person": _("per person"),
    "once": _("once"),
}
TRANSFER_DECISIONS = (("accept", _("Accept the case")), ("decline", _("Decline")))


class ListedChoiceField(forms.ModelChoiceField):
    """A record chosen from a list; anything else (including a value that is not an id) is "not listed"."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError as error:
            if getattr(error, "code", None) == "invalid_choice":
                raise
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            ) from None


def _long_text(label, *, required=False, rows=3, **kwargs):
    return forms.CharField(
        label=label,
        required=required,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kwargs,
    )


def _count(label, *, required=True, max_value=MAX_QUANTITY, **kwargs):
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=1,
        max_value=max_value,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "class": "short"}),
        error_messages={
            "invalid": _("Enter a whole number, for example 10."),
            "min_value": _("Enter one or more."),
            "max_value": _("Enter at most %(limit_value)s."),
        },
        **kwargs,
    )


def _agency_choice(label, queryset, *, required=True, **kwargs):
    return ListedChoiceField(
        label=label,
        queryset=queryset,
        required=required,
        empty_label="—",
        error_messages={
            "invalid_choice": _("Choose an agency from the list."),
        },
        **kwargs,
    )


def _clean_texts(form: forms.Form, *names: str) -> None:
    for name in names:
        if name in form.cleaned_data:
            form.cleaned_data[name] = clean_text(form.cleaned_data[name])


class ConsentForm(forms.Form):
    """Who consented, to which disclosure, for which recipient, when and how."""

    given_by = forms.ChoiceField(
        label=_("Given by"), choices=ConsentGiver.choices, initial=ConsentGiver.PERSON, widget=forms.RadioSelect
    )
    representative_name = _text(
        _("Name of the legal representative"), help_text=_("Only when a legal representative consents for a child.")
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
        if cleaned.get("given_by") == ConsentGiver.REPRESENTATIVE and not cleaned.get("representative_name"):
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
    decided_by = _text(_("Decided by"), required=True, help_text=_("Who signed the decision."))

    def __init__(self, *args, regimes=(), **kwargs):
        kwargs.setdefault("auto_id", "id_extension_%s")
        super().__init__(*args, **kwargs)
        self.fields["regime"].choices = _blank(regimes)

    def clean(self):
        cleaned = super().clean()
        _clean_texts(self, "decision_number", "decided_by")
        day = cleaned.get("decided_on")
        if day is not None and day > timezone.localdate():
            self.add_error("decided_on", _("%(day)s is in the future.") % {"day": day.strftime("%d/%m/%Y")})
        return cleaned


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


class TransferForm(forms.Form):
    """Ask another unit of today's map to take the case, with consent for transfer or a legal basis."""

    to_unit = UnitCodeField(
        label=_("Receiving unit (code)"),
        required=True,
        help_text=_("The code of a commune or province of today's map, e.g. the person's home commune."),
    )
    to_agency = _agency_choice(
        _("Receiving agency"), None, help_text=_("Agencies of the receiving unit are listed once its code is entered.")
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
        self.fields["to_unit"].widget.attrs["list"] = "unit-options"
        self.fields["consent"].queryset = consents
        self.fields["consent"].label_from_instance = consent_label

    def clean(self):
        cleaned = super().clean()
        _clean_texts(self, "reason", "legal_basis")
        cleaned["to_unit"] = _resolve(self, "to_unit", timezone.localdate())
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


class VisitForm(forms.Form):
    visit_date = DayField(label=_("Visit date"))
    situation = _long_text(
        _("Situation"), required=True, help_text=_("How the person is doing: health, family, work or school, safety.")
    )
    needs = _long_text(_("Needs"), rows=2)
    next_visit_on = DayField(label=_("Next visit"), required=False)

    def clean(self):
        cleaned = super().clean()
        _clean_texts(self, "situation", "needs")
        return cleaned


class RateForm(forms.Form):
    """A provincial support rate with its validity period and legal basis."""

    province = ListedChoiceField(
        label=_("Province"),
        queryset=None,
        empty_label="—",
        error_messages={
            "invalid_choice": _("Choose a province from the list."),
        },
    )
    regime = forms.ChoiceField(label=_("Regime (Art. 37(1))"))
    item = _text(_("Item"), max_length=120, required=True, help_text=_("For example “Tiền ăn” (meals)."))
    unit_label = forms.ChoiceField(label=_("Counted"), choices=RATE_UNIT_LABELS.items(), initial="once")
    amount = forms.DecimalField(
        label=_("Amount (VND)"),
        min_value=0,
        max_value=MAX_AMOUNT - 1,
        max_digits=14,
        decimal_places=0,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "class": "short"}),
        error_messages={
            "invalid": _("Enter a whole number of đồng, without dots or spaces, for example 50000."),
            "max_decimal_places": _("Enter a whole number of đồng, without dots or spaces, for example 50000."),
            "max_digits": _("Enter at most 13 digits."),
            "max_whole_digits": _("Enter at most 13 digits."),
            "min_value": _("Enter an amount of zero or more."),
            "max_value": _("Enter at most 13 digits."),
        },
    )
    max_units = _count(_("Maximum units per case"), required=False, help_text=_("Leave empty when there is no limit."))
    valid_from = DayField(label=_("Valid from"))
    valid_to = DayField(label=_("Valid to"), required=False, help_text=_("Leave empty while it is in force."))
    legal_basis = _text(
        _("Legal basis"), required=True, help_text=_("The People's Council resolution or decision setting the rate.")
    )

    def __init__(self, *args, provinces=None, regimes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = provinces
        self.fields["regime"].choices = _blank(regimes)

    def clean(self):
        cleaned = super().clean()
        _clean_texts(self, "item", "legal_basis")
        start, end = cleaned.get("valid_from"), cleaned.get("valid_to")
        if start is not None and end is not None and end < start:
            self.add_error("valid_to", _("The end of validity is before its start."))
        return cleaned


class RateFilterForm(forms.Form):
    province = forms.CharField(label=_("Province code"), required=False, max_length=10)
    regime = forms.ChoiceField(label=_("Regime"), required=False)

    def __init__(self, *args, regimes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regime"].choices = [("", _("All regimes")), *regimes]

    def clean_province(self):
        return clean_text(self.cleaned_data.get("province")).upper()


def consent_label(consent) -> str:
    """A consent as an option: purpose, recipient, date (never the representative's name)."""
    recipient = consent.recipient.name if consent.recipient_id else _("any recipient")
    return _("%(purpose)s · %(recipient)s · given %(day)s") % {
        "purpose": DISCLOSURE_PURPOSE_LABELS.get(consent.purpose, consent.purpose),
        "recipient": recipient,
        "day": consent.given_on.strftime("%d/%m/%Y"),
    }


# --- Linked persons, protection, shelter stays, reintegration applications, attachments ---------------


def _row_id(kind: str, record) -> str | None:
    """auto_id for a form shown once per row of a list, so that its ids stay unique on the page."""
    return f"id_{kind}-{record.pk}_%s" if record is not None else None


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
    protection flag and the notes; the notes only for a role that sees identities. `seen` stands
    for the values the page showed, so that a change made meanwhile is not overwritten."""

    relationship = forms.ChoiceField(label=_("Relationship"), choices=_blank(Relationship.choices))
    is_protected = forms.BooleanField(label=_("Under protection"), required=False)
    notes = _long_text(_("Notes"), rows=2)
    seen = forms.CharField(
        max_length=64,
        widget=forms.HiddenInput,
        error_messages={"required": _("The form was incomplete; reload the case and try again.")},
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
        return {name: value for name, value in self.cleaned_data.items() if name != "seen"}


class ProtectionDecisionForm(forms.Form):
    subject = forms.ChoiceField(label=_("Protected person"))
    risk_assessment = _long_text(
        _("Risk assessment"), required=True, help_text=_("Who threatens the person, how, where. Kept sealed.")
    )
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=_blank(RiskLevel.choices))
    decided_on = DayField(label=_("Decided on"))
    decided_by = _text(_("Decided by (competent body)"), required=True)
    measures = _checkboxes(
        ProtectionMeasure.choices,
        _("Measures"),
        required=True,
        error_messages={"required": _("Choose at least one measure.")},
    )
    other_measure = _text(_("Other measure"), help_text=_("When “Other measure” is ticked."))

    def __init__(self, *args, subjects=(), **kwargs):
        kwargs.setdefault("auto_id", "id_protection_%s")
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = list(subjects)

    def clean(self):
        cleaned = super().clean()
        _clean_texts(self, "risk_assessment", "decided_by", "other_measure")
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


class _ExtensionFields(forms.Form):
    extension_decision_number = _text(_("Extension decision number"), max_length=60)
    extension_decided_on = DayField(label=_("Extension decided on"), required=False)
    extension_decided_by = _text(_("Extension decided by"))
    extended_until = DayField(label=_("Extended until"), required=False, help_text=_("The new last day of shelter."))

    def clean(self):
        cleaned = super().clean()
        _clean_texts(self, "extension_decision_number", "extension_decided_by")
        return cleaned


class StayStartForm(_ExtensionFields):
    """A stay at a facility; the extension fields only when the person's 120 days are used up."""

    person = forms.ChoiceField(label=_("Person"))
    facility = _agency_choice(_("Facility"), None)
    start_date = DayField(label=_("Start date"))

    field_order = ("person", "facility", "start_date")

    def __init__(self, *args, persons=(), agencies=None, **kwargs):
        kwargs.setdefault("auto_id", "id_stay_%s")
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = list(persons)
        self.fields["facility"].queryset = agencies
        for name in ("extension_decision_number", "extension_decided_on", "extension_decided_by", "extended_until"):
            self.fields[name].help_text = _("Only when the person has used the 120 days.")


class StayExtendForm(_ExtensionFields):
    def __init__(self, *args, stay=None, **kwargs):
        kwargs.setdefault("auto_id", _row_id("extend", stay))
        super().__init__(*args, **kwargs)
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


class ApplicationForm(forms.Form):
    """A Form 07 application, recorded on receipt."""

    beneficiary = forms.ChoiceField(label=_("Victim"))
    applicant = forms.ChoiceField(label=_("Filed by"), choices=ApplicantKind.choices, initial=ApplicantKind.PERSON)
    applicant_name = _text(_("Name of the family member who filed"), help_text=_("When the family files."))
    submitted_via = forms.ChoiceField(
        label=_("Submitted"), choices=SubmissionChannel.choices, initial=SubmissionChannel.IN_PERSON
    )
    received_on = DayField(label=_("Received on"))
    regimes = _checkboxes(
        ReintegrationRegime.choices,
        _("Support requested"),
        required=True,
        error_messages={"required": _("Choose at least one kind of support.")},
    )

    def __init__(self, *args, beneficiaries=(), **kwargs):
        kwargs.setdefault("auto_id", "id_application_%s")
        super().__init__(*args, **kwargs)
        self.fields["beneficiary"].choices = list(beneficiaries)

    def clean(self):
        cleaned = super().clean()
        _clean_texts(self, "applicant_name")
        return cleaned


APPLICATION_DECISIONS = (
    (ApplicationStatus.APPROVED, _("Approved")),
    (ApplicationStatus.REFUSED, _("Refused")),
)


class ApplicationDecisionForm(forms.Form):
    status = forms.ChoiceField(label=_("Decision"), choices=_blank(APPLICATION_DECISIONS))
    decided_on = DayField(label=_("Decided on"))
    decision_number = _text(_("Decision number"), max_length=60, help_text=_("Needed for an approval."))
    approved_regimes = _checkboxes(
        ReintegrationRegime.choices, _("Support approved"), help_text=_("Leave empty to approve all requested.")
    )
    reason = _long_text(_("Reason"), rows=2, help_text=_("Needed for a refusal."))

    def __init__(self, *args, application=None, **kwargs):
        kwargs.setdefault("auto_id", _row_id("decide", application))
        super().__init__(*args, **kwargs)
        if application is not None:
            labels = dict(ReintegrationRegime.choices)
            self.fields["approved_regimes"].choices = [(code, labels.get(code, code)) for code in application.regimes]

    def clean(self):
        cleaned = super().clean()
        _clean_texts(self, "decision_number", "reason")
        return cleaned


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of document"), choices=_blank(AttachmentKind.choices))
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, image (PNG, JPEG, GIF, WebP) or office document."),
        error_messages={
            "required": _("Choose a file."),
            "empty": _("The file is empty."),
            "invalid": _("Choose a file."),
            "missing": _("Choose a file."),
        },
    )


class BreakGlassForm(forms.Form):
    case_number = forms.CharField(label=_("Case number"), max_length=20, help_text=_("For example 01-2026-000123."))
    reason = forms.CharField(
        label=_("Why you need this case now"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
