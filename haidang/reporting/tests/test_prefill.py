"""Pre-fill against records made in the test: cases by sex × age band at reception, old units
placed under today's map, prevention activities and their measures, agencies' own work."""

from datetime import date

import pytest
from django.utils import timezone

from haidang.cases import services as case_services
from haidang.cases.models import CaseEvent, CaseStatus, Referral
from haidang.places.models import AdministrativeUnit
from haidang.prevention import services as prevention_services
from haidang.reporting import prefill
from haidang.reporting.tests.conftest import agency, at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def after_the_quarter(clock):
    clock.move_to(at(date(2026, 10, 2)))


Q3 = (date(2026, 7, 1), date(2026, 9, 30))
PERSONS = ["sex", "age_band"]


@pytest.fixture
def receive(demo_users):
    def _receive(unit, received, *, sex="female", birth_year=None, birth_date=None, agency_name=None, **extra):
        return case_services.create_case(
            actor=demo_users["caseworker.hanoi"] if agency_name else demo_users["commune.hanoi.a"],
            person_data={
                "full_name": "Trần Thị Mẫu (minh họa)",
                "sex": sex,
                "birth_year": birth_year,
                "birth_date": birth_date,
                "document_number": "",
                **extra,
            },
            case_data={
                "intake_channel": "self_report",
                "reception_date": received,
                "unit": unit,
                "agency": agency(agency_name or "Ủy ban nhân dân Xã Thạch Thất"),
            },
        )

    return _receive


def figures(source, unit, period=Q3, breakdowns=PERSONS, agency_=None):
    return prefill.compute(source, unit, period[0], period[1], breakdowns, agency_)


def test_cases_received_by_sex_and_age_band_at_the_reception_date(demo_users, places, receive):
    thach_that = places["thach_that"]
    # Only the birth year: 2026 - 2011 - 1 = 14 at the youngest, a child under 16.
    receive(thach_that, date(2026, 7, 10), birth_year=2011)
    # 16 on 09/07/2026, received the next day: 16 to under 18.
    receive(thach_that, date(2026, 7, 10), birth_date=date(2010, 7, 9))
    # Turns 18 the day after being received: still 16 to under 18 at reception.
    receive(thach_that, date(2026, 8, 1), sex="male", birth_date=date(2008, 8, 2))
    receive(thach_that, date(2026, 9, 30), sex="male", birth_year=1990)
    receive(thach_that, date(2026, 9, 30), sex="unknown")
    receive(thach_that, date(2026, 6, 30), birth_year=1990)  # the quarter before: not counted

    got = figures("cases.received", thach_that)
    assert got[()] == 5
    assert got[(("sex", "female"),)] == 2
    assert got[(("sex", "male"),)] == 2
    assert got[(("sex", "unknown"),)] == 1
    assert got[(("sex", "female"), ("age_band", "under_16"))] == 1
    assert got[(("sex", "female"), ("age_band", "16_17"))] == 1
    assert got[(("sex", "male"), ("age_band", "16_17"))] == 1
    assert got[(("sex", "male"), ("age_band", "18_plus"))] == 1
    assert got[(("sex", "unknown"), ("age_band", "unknown"))] == 1
    assert got[(("age_band", "16_17"),)] == 2
    # Every cell of the breakdown is there, the empty ones as zero.
    assert got[(("sex", "female"), ("age_band", "18_plus"))] == 0


def test_an_old_commune_record_counts_under_its_successor_and_new_province(demo_users, places, receive):
    old = places["old_commune"]
    assert old.valid_to is not None and old.placement_id == places["thach_that"].pk
    receive(old, date(2024, 5, 6), birth_year=2000)  # the old three-tier map
    q2_2024 = (date(2024, 4, 1), date(2024, 6, 30))
    assert figures("cases.received", places["thach_that"], q2_2024)[()] == 1
    assert figures("cases.received", places["hanoi"], q2_2024)[(("sex", "female"), ("age_band", "18_plus"))] == 1
    assert figures("cases.received", places["tay_phuong"], q2_2024)[()] == 0
    assert figures("cases.received", places["haiphong"], q2_2024)[()] == 0


def test_an_old_communes_own_report_counts_only_its_own_records(demo_users, places, receive):
    """A 2024 report of an old commune counts what was made under it, not what its neighbours made under the
    other old communes that went into the same new commune (the one territory rule)."""
    old = places["old_commune"]
    neighbour = (
        AdministrativeUnit.objects.filter(placement=places["thach_that"], valid_to__isnull=False, level=3)
        .exclude(pk=old.pk)
        .first()
    )
    receive(old, date(2024, 5, 6), birth_year=2000)
    receive(neighbour, date(2024, 5, 7), birth_year=2001)
    q2_2024 = (date(2024, 4, 1), date(2024, 6, 30))
    assert figures("cases.received", old, q2_2024)[()] == 1
    assert figures("cases.received", neighbour, q2_2024)[()] == 1
    assert figures("cases.received", places["thach_that"], q2_2024)[()] == 2


def test_identified_returned_supported_and_referred_in_the_period(demo_users, places, receive, clock):
    thach_that = places["thach_that"]
    early = receive(thach_that, date(2026, 5, 2), birth_year=2000)
    late = receive(thach_that, date(2026, 7, 2), sex="male", birth_year=2012)
    clock.move_to(at(date(2026, 9, 30), 23, 30))  # the last evening of the quarter, Hà Nội time
    now = timezone.now()
    # Identified by a decision dated in the quarter, whatever day it was recorded.
    CaseEvent.objects.create(
        case=early,
        kind="transition",
        to_status=CaseStatus.IDENTIFIED,
        event_date=date(2026, 7, 3),
        recorded_at=now,
        data={"decision_date": "2026-07-03"},
    )
    CaseEvent.objects.create(
        case=late,
        kind="transition",
        to_status=CaseStatus.IDENTIFIED,
        event_date=date(2026, 10, 1),
        recorded_at=now,
        data={"decision_date": "2026-10-01"},
    )
    # Returned on the last day of the quarter, recorded that evening.
    CaseEvent.objects.create(
        case=late, kind="transition", to_status=CaseStatus.RETURNED_HOME, event_date=date(2026, 9, 30), recorded_at=now
    )
    Referral.objects.create(
        case=early,
        provider=agency("Trung tâm Dịch vụ việc làm Hà Nội (minh họa)"),
        service_type="employment",
        reason="Hỗ trợ tìm việc làm",
        created_by=demo_users["caseworker.hanoi"],
    )
    clock.move_to(at(date(2026, 10, 2)))
    identified = figures("cases.identified", thach_that)
    assert identified[()] == 1
    assert identified[(("sex", "female"), ("age_band", "18_plus"))] == 1
    returned = figures("cases.returned", thach_that)
    assert returned[(("sex", "male"), ("age_band", "under_16"))] == 1
    assert figures("cases.referred", thach_that)[()] == 1
    assert figures("cases.supported", thach_that)[()] == 0


def test_an_agency_other_than_the_committee_counts_its_own_cases(demo_users, places, receive):
    receive(places["thach_that"], date(2026, 7, 5), birth_year=2000)
    receive(places["hanoi"], date(2026, 7, 6), birth_year=2000, agency_name="Sở Y tế Thành phố Hà Nội")
    health = agency("Sở Y tế Thành phố Hà Nội")
    assert figures("cases.received", places["hanoi"])[()] == 2
    assert figures("cases.received", places["hanoi"], agency_=health)[()] == 1
    committee = agency("Ủy ban nhân dân Thành phố Hà Nội")
    assert figures("cases.received", places["hanoi"], agency_=committee)[()] == 2


def test_prevention_activities_sessions_participants_and_materials(demo_users, places):
    officer = demo_users["commune.hanoi.a"]
    own = agency("Ủy ban nhân dân Xã Thạch Thất")
    base = {"unit": places["thach_that"], "organiser": own, "title": "Tuyên truyền tại thôn"}
    prevention_services.create_activity(
        actor=officer,
        data={
            **base,
            "activity_type": "communication_session",
            "start_date": date(2026, 7, 10),
            "sessions": 3,
            "participants": 120,
            "participants_female": 70,
            "participants_male": 40,
            "materials": [{"kind": "leaflet", "produced": 500, "distributed": 450}, {"kind": "poster", "produced": 20}],
        },
    )
    prevention_services.create_activity(
        actor=officer,
        data={**base, "activity_type": "loudspeaker", "start_date": date(2026, 7, 12), "sessions": 10},
    )
    prevention_services.create_activity(  # before the quarter: not counted
        actor=officer, data={**base, "activity_type": "talk", "start_date": date(2026, 6, 28), "sessions": 1}
    )
    unit = places["thach_that"]
    activities = figures("prevention.activities", unit, breakdowns=["activity_type"])
    assert activities[()] == 2
    assert activities[(("activity_type", "loudspeaker"),)] == 1
    assert figures("prevention.sessions", unit, breakdowns=[])[()] == 13
    participants = figures("prevention.participants", unit, breakdowns=["sex"])
    assert participants[()] == 120
    assert participants[(("sex", "female"),)] == 70
    assert participants[(("sex", "unknown"),)] == 10
    materials = figures("prevention.materials", unit, breakdowns=["material_kind"])
    assert materials[(("material_kind", "leaflet"),)] == 450  # handed out
    assert materials[(("material_kind", "poster"),)] == 20  # only produced was recorded
    assert figures("prevention.sessions", places["hanoi"], breakdowns=[])[()] == 13
    assert figures("prevention.sessions", places["tay_phuong"], breakdowns=[])[()] == 0


def test_sources_say_which_breakdowns_they_can_fill():
    assert prefill.unsupported_breakdowns("cases.received", ["sex", "age_band"]) == []
    assert prefill.unsupported_breakdowns("prevention.sessions", ["sex"]) == ["sex"]
