"""A small synthetic world for the statistics tests, and plain-Python counting over it.

The records are written straight to the tables from the lists below (the services are tested
in their own apps; here the dates of steps must be set freely). `expected()` counts the same
lists in plain Python, without the query service, so a test compares two independent answers.

Where records sit (by hand, not through the crosswalk code): OLD_COMMUNE is a pre-2025 commune
that the crosswalk places in today's Xã Thạch Thất (both in Hà Nội, 01).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.utils import timezone

from haidang.access.models import Agency
from haidang.cases.models import Case, CaseEvent, Person, Referral, SupportItem
from haidang.places.models import AdministrativeUnit, UnitLevel
from haidang.prevention.models import Activity, ActivityMaterial
from haidang.proceedings.models import CriminalCase, Suspect

# Unit keys -> (province code today, commune code today or "" when the record is at province level)
PLACES = {
    "hanoi": ("01", ""),
    "thach_that": ("01", "09955"),
    "tay_phuong": ("01", "10006"),
    "old_commune": ("01", "09955"),
    "haiphong": ("31", ""),
    "hong_bang": ("31", "11311"),
}


@dataclass
class V:
    """One victim case: the person key and the case's facts."""

    person: str
    unit: str
    received: date
    sex: str = "female"
    birth_year: int | None = 2000
    ethnicity: str = "01"  # Kinh
    residence: str | None = "hanoi"  # a unit key, "other" (another province) or None
    forms: list = field(default_factory=lambda: ["forced_crime"])
    destination: str = "KHM"
    route: str = "vn_kh"
    identified: date | None = None
    returned: date | None = None
    support: list = field(default_factory=list)  # [(regime, start)]
    referrals: list = field(default_factory=list)  # [(status, service, day)]


VICTIMS = [
    # 2026 first half, Hà Nội
    V(
        "p1",
        "thach_that",
        date(2026, 1, 10),
        identified=date(2026, 1, 20),
        returned=date(2026, 2, 1),
        support=[("ESS", date(2026, 1, 12)), ("MED", date(2026, 1, 15))],
        referrals=[("accepted", "vocational", date(2026, 2, 3))],
    ),
    # the same person again, another case in another commune: one person in the totals
    V("p1", "tay_phuong", date(2026, 3, 5), identified=date(2026, 3, 15), support=[("ESS", date(2026, 3, 6))]),
    V(
        "p2",
        "thach_that",
        date(2026, 2, 14),
        sex="male",
        birth_year=2011,
        ethnicity="08",  # Mông
        residence="other",
        forms=["forced_labour", "sexual"],
        destination="CHN",
        route="vn_cn",
        identified=date(2026, 2, 20),
        referrals=[("declined", "legal_aid", date(2026, 2, 25))],
    ),
    V(
        "p3",
        "hanoi",
        date(2026, 4, 1),
        birth_year=2009,
        residence=None,
        forms=[],
        destination="",
        route="",
        support=[("TRV", date(2026, 4, 2))],
    ),
    V(
        "p4",
        "tay_phuong",
        date(2026, 6, 30),
        birth_year=None,
        ethnicity="",
        residence="tay_phuong",
        identified=date(2026, 7, 2),
    ),
    # 2026 first half, Hải Phòng
    V("p5", "hong_bang", date(2026, 5, 5), residence="hong_bang", returned=date(2026, 5, 20)),
    V(
        "p6",
        "haiphong",
        date(2026, 1, 2),
        sex="male",
        residence="hanoi",
        forms=["sexual"],
        destination="THA",
        route="other",
        identified=date(2026, 1, 30),
        support=[("MED", date(2026, 2, 1))],
    ),
    # 2025 first half (the comparison base): Hà Nội only, nothing in Hải Phòng
    V("p7", "old_commune", date(2025, 3, 3), identified=date(2025, 3, 10), returned=date(2025, 4, 1)),
    V("p8", "hanoi", date(2025, 5, 5), sex="male", support=[("ESS", date(2025, 5, 6))]),
    # 2024 first half under the old commune; 2026 first half under its successor has p1 and p2
    V("p9", "old_commune", date(2024, 2, 2), identified=date(2024, 2, 10)),
    V("p10", "old_commune", date(2024, 3, 3), sex="male", identified=date(2024, 3, 20)),
    # second half of 2026: outside the half-year asked
    V("p11", "thach_that", date(2026, 8, 8)),
]


@dataclass
class CC:
    number: str
    unit: str
    detected: date
    article: str = "150"
    prosecuted: date | None = None
    route: str = "vn_kh"
    destination: str = "KHM"
    forms: list = field(default_factory=lambda: ["forced_crime"])
    suspects: list = field(default_factory=list)  # [(sex, age_band, nationality, role, prosecuted)]


CRIMINAL_CASES = [
    CC(
        "1/VA",
        "hanoi",
        date(2026, 1, 5),
        prosecuted=date(2026, 1, 20),
        suspects=[
            ("male", "18_plus", "VNM", "recruiter", date(2026, 1, 25)),
            ("female", "16_17", "CHN", "broker", date(2026, 2, 1)),
            ("male", "unknown", "VNM", "transporter", None),
        ],
    ),
    CC(
        "2/VA",
        "thach_that",
        date(2026, 3, 3),
        article="151",
        route="vn_cn",
        destination="CHN",
        forms=["forced_marriage", "sexual"],
    ),
    CC(
        "3/VA",
        "old_commune",
        date(2024, 4, 4),
        prosecuted=date(2024, 5, 1),
        suspects=[("male", "18_plus", "VNM", "harbourer", date(2024, 5, 2))],
    ),
    CC(
        "4/VA",
        "hong_bang",
        date(2026, 6, 1),
        prosecuted=date(2026, 6, 20),
        forms=[],
        route="",
        destination="",
        suspects=[("female", "18_plus", "VNM", "receiver", date(2026, 6, 25))],
    ),
    CC(
        "5/VA",
        "hanoi",
        date(2025, 2, 2),
        prosecuted=date(2025, 2, 20),
        suspects=[("male", "18_plus", "VNM", "other", date(2025, 3, 1))],
    ),
]


@dataclass
class A:
    unit: str
    start: date
    activity_type: str = "communication_session"
    sessions: int | None = 1
    participants: int | None = 50
    materials: dict = field(default_factory=dict)  # kind -> distributed


ACTIVITIES = [
    A("thach_that", date(2026, 1, 20), sessions=2, participants=120, materials={"leaflet": 300}),
    A("old_commune", date(2024, 7, 30), sessions=1, participants=40, materials={"leaflet": 100}),
    A("hanoi", date(2026, 3, 1), activity_type="training", sessions=1, participants=35),
    A(
        "hong_bang",
        date(2026, 5, 5),
        activity_type="loudspeaker",
        sessions=None,
        participants=None,
        materials={"banner": 4, "poster": 20},
    ),
    A("tay_phuong", date(2025, 4, 1), sessions=3, participants=90, materials={"poster": 10}),
]


# --- Loading -------------------------------------------------------------------------------------


def load_units() -> dict:
    current = AdministrativeUnit.objects.filter(valid_to__isnull=True)
    hanoi = current.get(code="01")
    thach_that = current.get(code="09955")
    units = {
        "hanoi": hanoi,
        "thach_that": thach_that,
        "tay_phuong": current.get(code="10006"),
        "haiphong": current.get(code="31"),
        "hong_bang": current.get(code="11311"),
        "old_commune": AdministrativeUnit.objects.filter(
            placement=thach_that, valid_to__isnull=False, level=UnitLevel.COMMUNE
        )
        .order_by("code")
        .first(),
        "other": current.filter(level=UnitLevel.PROVINCE).exclude(code__in=["01", "31"]).order_by("code").first(),
    }
    return units


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def load(user) -> dict:
    """Write every record of the lists; returns the units by key."""
    units = load_units()
    agency = Agency.objects.create(name="Cơ quan thử nghiệm", agency_type="health_department", unit=units["hanoi"])
    add_victims(user, units, agency, VICTIMS, "T")
    add_criminal_cases(user, units)
    add_activities(user, units, agency)
    return units


def add_victims(user, units: dict, agency, victims: list, tag: str) -> None:
    persons: dict[str, Person] = {}
    for index, v in enumerate(victims, start=1):
        if v.person not in persons:
            residence = units[v.residence] if v.residence else None
            persons[v.person] = Person.objects.create(
                full_name=f"Người {v.person}",
                sex=v.sex,
                birth_year=v.birth_year,
                ethnicity=v.ethnicity,
                residence_unit=residence,
                created_by=user,
            )
        province = units["hanoi"] if PLACES[v.unit][0] == "01" else units["haiphong"]
        case = Case.objects.create(
            number=f"{tag}-{index:04d}",
            province=province,
            year=v.received.year,
            sequence=index + (10_000 if tag != "T" else 0),
            person=persons[v.person],
            legal_regime="2024",
            intake_channel="rescue",
            reception_date=v.received,
            agency=agency,
            unit=units[v.unit],
            exploitation_forms=v.forms,
            destination_country=v.destination,
            route=v.route,
            created_by=user,
        )
        if v.identified:
            CaseEvent.objects.create(
                case=case,
                kind="transition",
                to_status="identified",
                event_date=v.identified,
                recorded_at=_aware(v.identified),
                data={"decision_date": v.identified.isoformat()},
            )
        if v.returned:
            # Recorded today, counted on the day the person returned (its event date).
            CaseEvent.objects.create(
                case=case,
                kind="transition",
                to_status="returned_home",
                event_date=v.returned,
                recorded_at=timezone.now(),
            )
        for regime, start in v.support:
            SupportItem.objects.create(
                case=case,
                beneficiary=persons[v.person],
                regime=regime,
                item="x",
                provider=agency,
                start_date=start,
                quantity=1,
                unit_amount=1,
                total=1,
                recorded_by=user,
            )
        for status, service, day in v.referrals:
            referral = Referral.objects.create(
                case=case, provider=agency, service_type=service, reason="x", status=status, created_by=user
            )
            Referral.objects.filter(pk=referral.pk).update(created_at=_aware(day))


def add_criminal_cases(user, units: dict) -> None:
    police = Agency.objects.create(name="Công an thử nghiệm", agency_type="province_police", unit=units["hanoi"])
    for cc in CRIMINAL_CASES:
        criminal_case = CriminalCase.objects.create(
            number=cc.number,
            year=cc.detected.year,
            article=cc.article,
            detected_on=cc.detected,
            prosecution_opened_on=cc.prosecuted,
            investigating_agency=police,
            unit=units[cc.unit],
            route=cc.route,
            destination_country=cc.destination,
            exploitation_forms=cc.forms,
            created_by=user,
        )
        for sex, band, nationality, role, prosecuted in cc.suspects:
            Suspect.objects.create(
                criminal_case=criminal_case,
                full_name="Đối tượng",
                sex=sex,
                age_band=band,
                nationality=nationality,
                role=role,
                prosecuted_on=prosecuted,
                created_by=user,
            )


def add_activities(user, units: dict, agency) -> None:
    for index, a in enumerate(ACTIVITIES):
        activity = Activity.objects.create(
            activity_type=a.activity_type,
            title=f"Hoạt động {index}",
            start_date=a.start,
            end_date=a.start,
            unit=units[a.unit],
            organiser=agency,
            sessions=a.sessions,
            participants=a.participants,
            created_by=user,
        )
        for kind, distributed in a.materials.items():
            ActivityMaterial.objects.create(activity=activity, kind=kind, distributed=distributed)


# --- Counting in plain Python ---------------------------------------------------------------------


def _age_band(birth_year, day) -> str:
    """Counted by hand: a birth year alone is born on 31/12 of that year (common.ages)."""
    if birth_year is None:
        return "unknown"
    age = day.year - birth_year - (0 if (day.month, day.day) == (12, 31) else 1)
    return "under_16" if age < 16 else "16_17" if age < 18 else "18_plus"


def _origin(v: V) -> str:
    if v.residence is None:
        return "unknown"
    if v.residence == "other":
        return "outside_province"
    return "in_province" if PLACES[v.residence][0] == PLACES[v.unit][0] else "outside_province"


def _victim_values(v: V) -> dict:
    return {
        "sex": [v.sex],
        "age_band": [_age_band(v.birth_year, v.received)],
        "ethnicity": [v.ethnicity or "unknown"],
        "exploitation": v.forms or ["none"],
        "destination_country": [v.destination or "none"],
        "route": [v.route or "unknown"],
        "origin": [_origin(v)],
    }


def _items(indicator: str):
    """(unit key, day, distinct key or None, amount, {breakdown: [values]}) for each record."""
    if indicator in ("criminal_cases_detected", "criminal_cases_prosecuted"):
        for cc in CRIMINAL_CASES:
            day = cc.detected if indicator == "criminal_cases_detected" else cc.prosecuted
            values = {
                "article": [cc.article],
                "route": [cc.route or "unknown"],
                "destination_country": [cc.destination or "none"],
                "exploitation": cc.forms or ["none"],
            }
            yield cc.unit, day, None, 1, values
    elif indicator == "suspects_prosecuted":
        for cc in CRIMINAL_CASES:
            for sex, band, nationality, role, prosecuted in cc.suspects:
                values = {
                    "sex": [sex],
                    "age_band": [band],
                    "nationality": [nationality],
                    "role": [role],
                    "article": [cc.article],
                }
                yield cc.unit, prosecuted, None, 1, values
    elif indicator.startswith("victims_"):
        for v in VICTIMS:
            base = _victim_values(v)
            if indicator == "victims_received":
                yield v.unit, v.received, v.person, 1, base
            elif indicator == "victims_identified":
                yield v.unit, v.identified, v.person, 1, base
            elif indicator == "victims_returned":
                yield v.unit, v.returned, v.person, 1, base
            elif indicator == "victims_supported":
                for regime, start in v.support:
                    yield v.unit, start, v.person, 1, {**base, "regime": [regime]}
            elif indicator == "victims_referred":
                for status, service, day in v.referrals:
                    yield v.unit, day, v.person, 1, {**base, "outcome": [status], "service": [service]}
    else:
        for a in ACTIVITIES:
            values = {"activity_type": [a.activity_type]}
            if indicator == "prevention_activities":
                yield a.unit, a.start, None, 1, values
            elif indicator == "prevention_sessions":
                yield a.unit, a.start, None, a.sessions or 0, values
            elif indicator == "prevention_participants":
                yield a.unit, a.start, None, a.participants or 0, values
            elif indicator == "prevention_materials":
                for kind, distributed in a.materials.items():
                    yield a.unit, a.start, None, distributed, {"material_kind": [kind]}


def expected(
    indicator: str, start: date, end: date, *, province: str | None = None, level=None, breakdown=None
) -> dict:
    """{(unit code or None, breakdown value or None): figure} over the lists, only non-zero figures.

    `province` narrows to one province code; `level` 1 groups by province, 3 by commune ("" for
    records at the province itself).
    """
    persons: dict = defaultdict(set)
    sums: dict = defaultdict(int)
    for unit, day, person, amount, values in _items(indicator):
        if day is None or not start <= day <= end:
            continue
        province_code, commune_code = PLACES[unit]
        if province is not None and province_code != province:
            continue
        group = None if level is None else province_code if level == 1 else commune_code
        for value in values.get(breakdown, [None]) if breakdown else [None]:
            key = (group, value)
            if person is not None:
                persons[key].add(person)
            else:
                sums[key] += amount
    counted = {key: len(found) for key, found in persons.items()} or dict(sums)
    return {key: figure for key, figure in counted.items() if figure}
