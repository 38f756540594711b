"""Figures a report can take from the records: the registry of pre-fill sources.

Each source reads the records of one period under one unit's subtree, including records made
under old (pre-2025) units that the crosswalk places there, and yields one row per counted thing:
its dimension values and the amount it adds. `compute` sums the rows into every cell of the
indicator's breakdowns (total, per dimension, cross-product). These are aggregate counts for the
recipient's own area; they are not narrowed by the filing user's personal case scope and carry
no identities.

Which records belong to a recipient: a People's Committee (or a recipient without an agency)
reports for its whole area; any other agency reports its own work (activities it organised or
co-organised, cases it received), so that a province's health department and police do not each
count the same case.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from haidang.access.models import AgencyType
from haidang.cases.models import Case, CaseEvent, Referral, SupportItem
from haidang.places.territory import Territory
from haidang.prevention.models import Activity, ActivityMaterial
from haidang.reporting.dimensions import (
    UNKNOWN,
    Cell,
    age_band_for,
    cells,
    nationality_for,
    sex_for,
)

# Agencies whose reports speak for the whole unit.
AREA_AGENCY_TYPES = frozenset(
    {
        AgencyType.COMMUNE_PEOPLES_COMMITTEE,
        AgencyType.PROVINCIAL_PEOPLES_COMMITTEE,
        AgencyType.DISTRICT_PEOPLES_COMMITTEE,  # before 01/07/2025
    }
)

Row = tuple[dict[str, str], int]


@dataclass(frozen=True)
class Source:
    key: str
    label: str
    dimensions: tuple[str, ...]  # the breakdowns it can fill
    rows: Callable  # (unit, start, end, agency) -> Iterable[Row]


def _subtree_q(unit, field: str = "unit") -> Q:
    # The one territory rule: a current unit's records and the old units placed in it; an old unit (a
    # report for a period before 01/07/2025) only what was made under it.
    return Territory(unit).q(field)


def _speaks_for_area(agency) -> bool:
    return agency is None or agency.agency_type in AREA_AGENCY_TYPES


# --- Cases ----------------------------------------------------------------------------------------


def _case_queryset(unit, agency):
    queryset = Case.objects.filter(_subtree_q(unit))
    if not _speaks_for_area(agency):
        queryset = queryset.filter(agency=agency)
    return queryset


def _person_dims(sex, birth_date, birth_year, nationality, on: date) -> dict[str, str]:
    # Age is taken on the day the person was received: the band the law applied to them then.
    return {
        "sex": sex_for(sex),
        "age_band": age_band_for(birth_year, on, birth_date),
        "nationality": nationality_for(nationality),
    }


PERSON_FIELDS = ("person__sex", "person__birth_date", "person__birth_year", "person__nationality_class")


def _case_rows(values) -> Iterable[Row]:
    for row in values:
        yield (
            _person_dims(
                row["person__sex"],
                row["person__birth_date"],
                row["person__birth_year"],
                row["person__nationality_class"],
                row["reception_date"],
            ),
            1,
        )


def cases_received(unit, start: date, end: date, agency=None) -> Iterable[Row]:
    """Cases whose person was received in the period."""
    queryset = _case_queryset(unit, agency).filter(reception_date__gte=start, reception_date__lte=end)
    return _case_rows(queryset.values("reception_date", *PERSON_FIELDS))


def _cases_with_transition(unit, start, end, agency, status: str) -> Iterable[Row]:
    """Cases that moved to `status` in the period, on the day the step happened (its event date,
    not the day it was recorded)."""
    events = CaseEvent.objects.filter(to_status=status, case__in=_case_queryset(unit, agency).values("pk")).values(
        "case_id", "event_date"
    )
    counted: dict = {}
    for event in events:
        day = event["event_date"]
        # A case reopened and identified twice is counted once, on its first decision.
        if event["case_id"] not in counted or day < counted[event["case_id"]]:
            counted[event["case_id"]] = day
    ids = [case_id for case_id, day in counted.items() if start <= day <= end]
    return _case_rows(Case.objects.filter(pk__in=ids).values("reception_date", *PERSON_FIELDS))


def cases_identified(unit, start: date, end: date, agency=None) -> Iterable[Row]:
    return _cases_with_transition(unit, start, end, agency, "identified")


def cases_returned(unit, start: date, end: date, agency=None) -> Iterable[Row]:
    return _cases_with_transition(unit, start, end, agency, "returned_home")


def cases_supported(unit, start: date, end: date, agency=None) -> Iterable[Row]:
    """Cases with support given in the period (an item running at any time in it)."""
    items = SupportItem.objects.filter(case__in=_case_queryset(unit, agency).values("pk"), start_date__lte=end).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=start)
    )
    ids = items.values("case_id").distinct()
    return _case_rows(Case.objects.filter(pk__in=ids).values("reception_date", *PERSON_FIELDS))


def cases_referred(unit, start: date, end: date, agency=None) -> Iterable[Row]:
    """Cases referred to a service provider in the period (the day the referral was made)."""
    # __date converts to Vietnam time first: a referral made at 23:30 on the last day counts.
    referrals = Referral.objects.filter(
        case__in=_case_queryset(unit, agency).values("pk"), created_at__date__range=(start, end)
    )
    ids = referrals.values("case_id").distinct()
    return _case_rows(Case.objects.filter(pk__in=ids).values("reception_date", *PERSON_FIELDS))


# --- Prevention -----------------------------------------------------------------------------------


def _activities(unit, start: date, end: date, agency):
    # Counted in the period it starts in, so consecutive months add up to the quarter.
    queryset = Activity.objects.filter(_subtree_q(unit), start_date__gte=start, start_date__lte=end)
    if not _speaks_for_area(agency):
        queryset = queryset.filter(Q(organiser=agency) | Q(co_organisers=agency))
    return Activity.objects.filter(pk__in=queryset.values("pk"))


def prevention_activities(unit, start: date, end: date, agency=None) -> Iterable[Row]:
    for activity_type in _activities(unit, start, end, agency).values_list("activity_type", flat=True):
        yield {"activity_type": activity_type}, 1


def prevention_sessions(unit, start: date, end: date, agency=None) -> Iterable[Row]:
    for activity_type, sessions in _activities(unit, start, end, agency).values_list("activity_type", "sessions"):
        if sessions:
            yield {"activity_type": activity_type}, sessions


def prevention_participants(unit, start: date, end: date, agency=None) -> Iterable[Row]:
    values = _activities(unit, start, end, agency).values_list(
        "activity_type", "participants", "participants_female", "participants_male"
    )
    for activity_type, participants, female, male in values:
        female, male = female or 0, male or 0
        total = max(participants or 0, female + male)
        for sex, amount in (("female", female), ("male", male), (UNKNOWN, total - female - male)):
            if amount:
                yield {"activity_type": activity_type, "sex": sex}, amount


def prevention_materials(unit, start: date, end: date, agency=None) -> Iterable[Row]:
    """Materials handed out (or produced, where handing out was not recorded), by kind."""
    values = ActivityMaterial.objects.filter(activity__in=_activities(unit, start, end, agency)).values_list(
        "activity__activity_type", "kind", "produced", "distributed"
    )
    for activity_type, kind, produced, distributed in values:
        amount = distributed if distributed is not None else produced
        if amount:
            yield {"activity_type": activity_type, "material_kind": kind}, amount


PERSON_DIMENSIONS = ("sex", "age_band", "nationality")

SOURCES: dict[str, Source] = {
    source.key: source
    for source in (
        Source("cases.received", _("Victims received"), PERSON_DIMENSIONS, cases_received),
        Source("cases.identified", _("Victims identified"), PERSON_DIMENSIONS, cases_identified),
        Source("cases.supported", _("Victims supported"), PERSON_DIMENSIONS, cases_supported),
        Source("cases.referred", _("Victims referred to services"), PERSON_DIMENSIONS, cases_referred),
        Source("cases.returned", _("Victims returned home"), PERSON_DIMENSIONS, cases_returned),
        Source("prevention.activities", _("Prevention activities"), ("activity_type",), prevention_activities),
        Source("prevention.sessions", _("Prevention sessions"), ("activity_type",), prevention_sessions),
        Source(
            "prevention.participants", _("Prevention participants"), ("activity_type", "sex"), prevention_participants
        ),
        Source(
            "prevention.materials",
            _("Prevention materials handed out"),
            ("activity_type", "material_kind"),
            prevention_materials,
        ),
    )
}


def source_choices() -> list[tuple[str, str]]:
    return [("", _("Entered by hand"))] + [(key, source.label) for key, source in SOURCES.items()]


def unsupported_breakdowns(source_key: str, breakdowns) -> list[str]:
    """The breakdowns a source cannot fill (empty when it can fill them all)."""
    source = SOURCES.get(source_key)
    if source is None:
        return list(breakdowns or [])
    return [code for code in breakdowns or [] if code not in source.dimensions]


def sum_rows(rows: Iterable[Row], breakdowns) -> dict[Cell, int]:
    """Sum rows into every cell of `breakdowns` (cells with nothing are 0)."""
    breakdowns = list(breakdowns or [])
    totals: dict[Cell, int] = defaultdict(int)
    for dims, amount in rows:
        full = tuple((code, dims.get(code) or UNKNOWN) for code in breakdowns)
        totals[()] += amount
        if len(full) > 1:
            for pair in full:
                totals[(pair,)] += amount
        if full:
            totals[full] += amount
    return {cell: totals.get(cell, 0) for cell in cells(breakdowns)}


def compute(source_key: str, unit, start: date, end: date, breakdowns, agency=None) -> dict[Cell, int]:
    """{cell: figure} for one indicator of one recipient and period."""
    source = SOURCES[source_key]
    return sum_rows(source.rows(unit, start, end, agency), breakdowns)
