"""The indicator catalogue: every figure the system reports, defined once.

Each indicator says what it counts and what is distinct, from which records, which date places
a record in a period, which filters apply and which breakdowns it allows. `query.run_query` is
the only code that turns an indicator into numbers; dashboards, releases and the API read the
definitions from here.

Counting rules that hold for every indicator:

* A record counts in the unit where the crosswalk places its unit today (`placement`), so a
  2024 record made under an old district counts in its successor and 2024 compares with 2026.
* A victim indicator counts **distinct persons**: a person with two cases (or two support items)
  in the period is one victim. Per unit, a person counts once in each unit where they have a
  record, so unit rows may add up to more than the total (`additive=False`). A breakdown by
  form of exploitation puts a person under every form recorded on their case (`multi=True`).
* Age bands of victims are the age on the day of reception, of suspects on the day the criminal
  case was detected, by the one age rule (`haidang.common.ages`: a birth year alone is born 31/12).
* Steps (identification, return home) count on the day they happened (their event date), not the
  day someone recorded them.
* Origin compares the victim's place of residence (placed on today's map) with the province
  that received the case: in the province, outside it, or not known.
* A report is placed in a period by its deadline (the day the directive asked for it), whatever
  period it covers, so "completeness this quarter" is about the reports due this quarter. A report
  is expected when its directive is issued (not draft, not cancelled) and its unit exists on the
  deadline day, exactly as `reporting.selectors.completeness` counts it: a unit dissolved before
  the deadline answers through its successor, so the rate never passes 100%. On time means handed
  in on or before the deadline day, Vietnam time.
"""

from dataclasses import dataclass, field

from django.db.models import Case, CharField, F, Q, Value, When
from django.db.models.functions import TruncDate
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from haidang.cases.eligibility import REGIME_INFO
from haidang.cases.models import CaseStatus, Exploitation, ReferralStatus, Route, ServiceType, Sex
from haidang.common.ethnicities import ethnicity_choices
from haidang.prevention.models import ActivityType, MaterialKind
from haidang.proceedings.models import AgeBand, Article, SuspectRole
from haidang.reporting.models import SUBMITTED_STATUSES, DirectiveStatus

UNKNOWN = "unknown"
NONE = "none"


class Origin:
    IN_PROVINCE = "in_province"
    OUTSIDE_PROVINCE = "outside_province"


ORIGIN_CHOICES = (
    (Origin.IN_PROVINCE, _("From this province")),
    (Origin.OUTSIDE_PROVINCE, _("From another province")),
    (UNKNOWN, _("Not known")),
)


class Timeliness:
    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"


TIMELINESS_CHOICES = (
    (Timeliness.ON_TIME, _("Submitted on time")),
    (Timeliness.LATE, _("Submitted late")),
    (Timeliness.MISSING, _("Not submitted")),
)


def _regime_choices() -> tuple:
    vietnamese = (get_language() or "vi").startswith("vi")
    return tuple((str(r), info.name_vi if vietnamese else info.name_en) for r, info in REGIME_INFO.items())


@dataclass(frozen=True)
class Breakdown:
    code: str
    label: str
    # The closed list of values (value, label) in display order; None for an open list (the values
    # found in the records, e.g. ethnicity or country codes).
    choices: tuple | None = None
    # A record may carry several values (forms of exploitation): it counts under each of them.
    multi: bool = False

    def value_labels(self) -> dict[str, str]:
        choices = _regime_choices() if self.code == "regime" else (self.choices or ())
        if self.code == "ethnicity":  # stored as codes of the official list, shown by name
            choices = ethnicity_choices()
        labels = {str(value): str(label) for value, label in choices}
        labels.setdefault(UNKNOWN, str(_("Not known")))
        labels.setdefault(NONE, str(_("None recorded")))
        return labels


BREAKDOWNS: dict[str, Breakdown] = {
    b.code: b
    for b in (
        Breakdown("sex", _("Sex"), tuple(Sex.choices)),
        Breakdown("age_band", _("Age band"), tuple(AgeBand.choices)),
        Breakdown("ethnicity", _("Ethnicity")),
        Breakdown("exploitation", _("Form of exploitation"), (*Exploitation.choices, (NONE, _("None recorded"))), True),
        Breakdown("destination_country", _("Destination country")),
        Breakdown("route", _("Route"), (*Route.choices, (UNKNOWN, _("Not known")))),
        Breakdown("origin", _("Origin"), ORIGIN_CHOICES),
        Breakdown("regime", _("Support regime"), tuple((str(r), str(r)) for r in REGIME_INFO)),
        Breakdown("outcome", _("Referral outcome"), tuple(ReferralStatus.choices)),
        Breakdown("service", _("Service referred to"), tuple(ServiceType.choices)),
        Breakdown("article", _("Criminal Code article"), tuple(Article.choices)),
        Breakdown("nationality", _("Nationality")),
        Breakdown("role", _("Role in the chain"), tuple(SuspectRole.choices)),
        Breakdown("activity_type", _("Type of activity"), tuple(ActivityType.choices)),
        Breakdown("material_kind", _("Kind of material"), tuple(MaterialKind.choices)),
        Breakdown("timeliness", _("Timeliness"), TIMELINESS_CHOICES),
    )
}

VICTIM_BREAKDOWNS = ("sex", "age_band", "ethnicity", "exploitation", "destination_country", "route", "origin")


class Measure:
    PERSONS = "persons"  # distinct persons
    RECORDS = "records"  # each record once
    SUM = "sum"  # the sum of a recorded quantity


@dataclass(frozen=True)
class Source:
    """Where an indicator's records are and how to read them (used by query.py only)."""

    model: str  # "app_label.ModelName"
    unit_path: str  # path to the AdministrativeUnit that places the record
    date_path: str  # path to the date that places it in a period
    measure: str
    measure_path: str = "pk"  # the distinct person, or the summed quantity
    # Paths for the breakdowns: to the victim case and the person (or "" when not a victim record).
    case_prefix: str = ""
    person_prefix: str = ""
    # Record conditions that always apply (e.g. only transitions to "identified").
    condition: Q = field(default_factory=Q)
    # The date is an ISO string inside a JSON field (compared as text).
    date_is_text: bool = False
    # Breakdown code -> field path, for breakdowns read straight from a field.
    fields: dict = field(default_factory=dict)
    # Breakdown code -> expression over the record, for breakdowns computed from several fields.
    computed: dict = field(default_factory=dict)
    # The record holding `unit_path`'s unit also stores its placement (places.placing: placed_province,
    # placed_commune): figures by unit read it instead of joining the map.
    placed: bool = False


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    counts: str  # what is counted and what is distinct
    placed_by: str  # the date that places a record in a period
    filters: str  # which records are included
    breakdowns: tuple[str, ...]
    sensitive: bool  # counts of persons: subject to disclosure control before publication
    additive: bool  # unit rows add up to the total (False when a person may count in two units)
    group: str
    source: Source | None = None
    pending: str = ""  # why the indicator cannot be computed yet

    @property
    def is_pending(self) -> bool:
        return bool(self.pending)


# --- Reports due under directives (the same rules as reporting.selectors.completeness) -------------

# Expected: the directive is issued and the report's unit exists on the deadline day.
REPORT_EXPECTED = (
    Q(directive__status=DirectiveStatus.ISSUED)
    & (Q(unit__valid_from__isnull=True) | Q(unit__valid_from__lte=F("deadline")))
    & (Q(unit__valid_to__isnull=True) | Q(unit__valid_to__gte=F("deadline")))
)
REPORT_SUBMITTED = Q(status__in=SUBMITTED_STATUSES)
# Deadlines are days: the submission's calendar day in the current (Vietnam) time zone.
REPORT_ON_TIME = REPORT_SUBMITTED & Q(LessThanOrEqual(TruncDate("submitted_at"), F("deadline")))
REPORT_TIMELINESS = Case(
    When(REPORT_ON_TIME, then=Value(Timeliness.ON_TIME)),
    When(REPORT_SUBMITTED, then=Value(Timeliness.LATE)),
    default=Value(Timeliness.MISSING),
    output_field=CharField(),
)


def _report_source(condition: Q) -> Source:
    return Source(
        model="reporting.Report",
        unit_path="unit",
        date_path="deadline",
        measure=Measure.RECORDS,
        condition=condition,
        computed={"timeliness": REPORT_TIMELINESS},
    )


CASE = "cases.Case"
EVENT = "cases.CaseEvent"

_VICTIM_FIELDS = {"sex": "sex", "ethnicity": "ethnicity"}


def _victim_source(model: str, *, unit: str, date: str, person: str, case: str, **extra) -> Source:
    return Source(
        model=model,
        unit_path=unit,
        date_path=date,
        measure=Measure.PERSONS,
        measure_path=f"{person}id" if person else "person_id",
        placed=True,  # the victim case's unit, stored placement
        case_prefix=case,
        person_prefix=person,
        **extra,
    )


INDICATORS: tuple[Indicator, ...] = (
    # --- Criminal proceedings ------------------------------------------------------------------------
    Indicator(
        code="criminal_cases_detected",
        label=_("Trafficking criminal cases detected"),
        counts=_("Criminal cases (Art. 150 and 151), each once."),
        placed_by=_("Date detected."),
        filters=_("Every criminal case in the register."),
        breakdowns=("article", "route", "destination_country", "exploitation"),
        sensitive=False,
        additive=True,
        group="proceedings",
        source=Source(
            model="proceedings.CriminalCase",
            unit_path="unit",
            placed=True,
            date_path="detected_on",
            measure=Measure.RECORDS,
            fields={"article": "article", "route": "route", "destination_country": "destination_country"},
        ),
    ),
    Indicator(
        code="criminal_cases_prosecuted",
        label=_("Trafficking criminal cases prosecuted"),
        counts=_("Criminal cases opened for prosecution, each once."),
        placed_by=_("Date prosecution opened."),
        filters=_("Criminal cases with a date of prosecution."),
        breakdowns=("article", "route", "destination_country", "exploitation"),
        sensitive=False,
        additive=True,
        group="proceedings",
        source=Source(
            model="proceedings.CriminalCase",
            unit_path="unit",
            placed=True,
            date_path="prosecution_opened_on",
            measure=Measure.RECORDS,
            fields={"article": "article", "route": "route", "destination_country": "destination_country"},
        ),
    ),
    Indicator(
        code="suspects_prosecuted",
        label=_("Suspects prosecuted"),
        counts=_("Suspects prosecuted, once per criminal case (a person prosecuted in two cases counts twice)."),
        placed_by=_("Date the suspect was prosecuted."),
        filters=_("Suspects with a date of prosecution."),
        breakdowns=("sex", "age_band", "nationality", "role", "article"),
        sensitive=True,
        additive=True,
        group="proceedings",
        source=Source(
            model="proceedings.Suspect",
            unit_path="criminal_case__unit",
            placed=True,
            date_path="prosecuted_on",
            measure=Measure.RECORDS,
            fields={
                "sex": "sex",
                "age_band": "age_band",
                "nationality": "nationality",
                "role": "role",
                "article": "criminal_case__article",
            },
        ),
    ),
    # --- Victims ------------------------------------------------------------------------------------
    Indicator(
        code="victims_received",
        label=_("Persons received"),
        counts=_("Distinct persons whose case was received (a person with two cases counts once)."),
        placed_by=_("Date of reception."),
        filters=_("Every victim case, whatever its outcome."),
        breakdowns=VICTIM_BREAKDOWNS,
        sensitive=True,
        additive=False,
        group="victims",
        source=_victim_source(CASE, unit="unit", date="reception_date", person="person__", case=""),
    ),
    Indicator(
        code="victims_identified",
        label=_("Victims identified"),
        counts=_("Distinct persons identified as victims."),
        placed_by=_("Date of the identification decision."),
        filters=_("Identification steps recorded on victim cases."),
        breakdowns=VICTIM_BREAKDOWNS,
        sensitive=True,
        additive=False,
        group="victims",
        source=_victim_source(
            EVENT,
            unit="case__unit",
            date="event_date",
            person="case__person__",
            case="case__",
            condition=Q(to_status=CaseStatus.IDENTIFIED),
        ),
    ),
    Indicator(
        code="victims_supported",
        label=_("Victims supported"),
        counts=_("Distinct persons who received support (victims and accompanying children)."),
        placed_by=_("Start date of the support."),
        filters=_("Support items recorded on victim cases."),
        breakdowns=("regime", *VICTIM_BREAKDOWNS),
        sensitive=True,
        additive=False,
        group="victims",
        source=_victim_source(
            "cases.SupportItem",
            unit="case__unit",
            date="start_date",
            person="beneficiary__",
            case="case__",
            fields={"regime": "regime"},
        ),
    ),
    Indicator(
        code="victims_referred",
        label=_("Victims referred to services"),
        counts=_("Distinct persons referred to a service provider."),
        placed_by=_("Date of the referral."),
        filters=_("Referrals recorded on victim cases."),
        breakdowns=("outcome", "service", *VICTIM_BREAKDOWNS),
        sensitive=True,
        additive=False,
        group="victims",
        source=_victim_source(
            "cases.Referral",
            unit="case__unit",
            date="created_at__date",
            person="case__person__",
            case="case__",
            fields={"outcome": "status", "service": "service_type"},
        ),
    ),
    Indicator(
        code="victims_returned",
        label=_("Victims returned home"),
        counts=_("Distinct persons whose return home was recorded."),
        placed_by=_("Date the person returned home (the step's event date, not the day it was recorded)."),
        filters=_("Steps to “returned home” on victim cases."),
        breakdowns=VICTIM_BREAKDOWNS,
        sensitive=True,
        additive=False,
        group="victims",
        source=_victim_source(
            EVENT,
            unit="case__unit",
            date="event_date",
            person="case__person__",
            case="case__",
            condition=Q(to_status=CaseStatus.RETURNED_HOME),
        ),
    ),
    # --- Prevention ----------------------------------------------------------------------------------
    Indicator(
        code="prevention_activities",
        label=_("Prevention activities"),
        counts=_("Activities, each once (a joint activity is one activity)."),
        placed_by=_("Start date of the activity."),
        filters=_("Every recorded prevention activity."),
        breakdowns=("activity_type",),
        sensitive=False,
        additive=True,
        group="prevention",
        source=Source(
            model="prevention.Activity",
            unit_path="unit",
            date_path="start_date",
            measure=Measure.RECORDS,
            fields={"activity_type": "activity_type"},
        ),
    ),
    Indicator(
        code="prevention_sessions",
        label=_("Prevention sessions held"),
        counts=_("Sum of the sessions recorded on activities (not recorded counts as none)."),
        placed_by=_("Start date of the activity."),
        filters=_("Activities with sessions recorded."),
        breakdowns=("activity_type",),
        sensitive=False,
        additive=True,
        group="prevention",
        source=Source(
            model="prevention.Activity",
            unit_path="unit",
            date_path="start_date",
            measure=Measure.SUM,
            measure_path="sessions",
            fields={"activity_type": "activity_type"},
        ),
    ),
    Indicator(
        code="prevention_participants",
        label=_("Participants in prevention activities"),
        counts=_("Sum of participants recorded (attendances: one person at two sessions counts twice)."),
        placed_by=_("Start date of the activity."),
        filters=_("Activities with participants recorded."),
        breakdowns=("activity_type",),
        sensitive=False,
        additive=True,
        group="prevention",
        source=Source(
            model="prevention.Activity",
            unit_path="unit",
            date_path="start_date",
            measure=Measure.SUM,
            measure_path="participants",
            fields={"activity_type": "activity_type"},
        ),
    ),
    Indicator(
        code="prevention_materials",
        label=_("Prevention materials distributed"),
        counts=_("Sum of items distributed (leaflets, posters, banners…)."),
        placed_by=_("Start date of the activity."),
        filters=_("Materials recorded on activities."),
        breakdowns=("material_kind",),
        sensitive=False,
        additive=True,
        group="prevention",
        source=Source(
            model="prevention.ActivityMaterial",
            unit_path="activity__unit",
            date_path="activity__start_date",
            measure=Measure.SUM,
            measure_path="distributed",
            fields={"material_kind": "kind"},
        ),
    ),
    # --- Reporting ----------------------------------------------------------------------------------
    Indicator(
        code="reports_expected",
        label=_("Reports due"),
        counts=_(
            "Reports due under directives: one per recipient of an issued directive whose unit exists on the "
            "deadline day. By timeliness: on time + late + not submitted = reports due."
        ),
        placed_by=_("Deadline of the report."),
        filters=_("Reports of issued directives (drafts and cancelled directives are left out)."),
        breakdowns=("timeliness",),
        sensitive=False,
        additive=True,
        group="reporting",
        source=_report_source(REPORT_EXPECTED),
    ),
    Indicator(
        code="report_completeness",
        label=_("Reports submitted"),
        counts=_(
            "Reports due that were handed in, on time or late (completeness rate = reports submitted ÷ "
            "reports due, never above 100%)."
        ),
        placed_by=_("Deadline of the report."),
        filters=_("Reports due that are submitted, approved or locked."),
        breakdowns=("timeliness",),
        sensitive=False,
        additive=True,
        group="reporting",
        source=_report_source(REPORT_EXPECTED & REPORT_SUBMITTED),
    ),
    Indicator(
        code="reports_on_time",
        label=_("Reports submitted on time"),
        counts=_("Reports due that were handed in on or before the deadline day (Vietnam time)."),
        placed_by=_("Deadline of the report."),
        filters=_("Reports due, submitted by the end of the deadline day."),
        breakdowns=(),
        sensitive=False,
        additive=True,
        group="reporting",
        source=_report_source(REPORT_EXPECTED & REPORT_ON_TIME),
    ),
)

# The completeness rate: numerator and denominator indicators (computed by the dashboard).
COMPLETENESS_INDICATORS = ("reports_expected", "report_completeness", "reports_on_time")

CATALOGUE: dict[str, Indicator] = {indicator.code: indicator for indicator in INDICATORS}

GROUP_LABELS = {
    "proceedings": _("Criminal proceedings"),
    "victims": _("Victims"),
    "prevention": _("Prevention"),
    "reporting": _("Reporting"),
}


def get_indicator(code: str) -> Indicator | None:
    return CATALOGUE.get(code)


def available_indicators() -> list[Indicator]:
    return [indicator for indicator in INDICATORS if not indicator.is_pending]
