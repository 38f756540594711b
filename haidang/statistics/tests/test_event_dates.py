"""A step counts on the day it happened, not the day it was typed: a return home on 10/03 recorded on
03/12 counts in March, in statistics and in a report's pre-fill."""

from datetime import date, datetime

import pytest
import time_machine
from django.utils import timezone

from haidang.access.models import Agency
from haidang.cases import services
from haidang.cases.models import CaseEvent, CaseStatus
from haidang.places.models import AdministrativeUnit
from haidang.reporting import prefill
from haidang.reporting.periods import PeriodType, period
from haidang.statistics.query import run_query

pytestmark = pytest.mark.django_db

S = CaseStatus
MARCH = period(PeriodType.MONTH, 2026, 3)
DECEMBER = period(PeriodType.MONTH, 2026, 12)


@pytest.fixture
def returned_case(demo_users):
    """Received 01/03/2026, identified 05/03, home on 10/03 — every step entered on 03/12/2026."""
    hanoi = AdministrativeUnit.objects.get(code="01", valid_to__isnull=True)
    worker, supervisor = demo_users["caseworker.hanoi"], demo_users["supervisor.hanoi"]
    late = "Hồ sơ giấy nhận muộn (minh họa)"
    with time_machine.travel(timezone.make_aware(datetime(2026, 12, 3, 10, 0)), tick=False):
        case = services.create_case(
            actor=worker,
            person_data={"full_name": "Hà Thị Sim (minh họa)", "birth_year": 2001, "sex": "female"},
            case_data={
                "intake_channel": "self_report",
                "reception_date": date(2026, 3, 1),
                "unit": hanoi,
                "agency": Agency.objects.get(name="Sở Y tế Thành phố Hà Nội"),
            },
        )
        for actor, target, day, data in (
            (worker, S.RECEIVED, None, None),
            (worker, S.INITIAL_VERIFICATION, date(2026, 3, 2), None),
            (
                supervisor,
                S.IDENTIFIED,
                None,
                {
                    "decision_date": date(2026, 3, 5),
                    "evidence_sources": ["b"],
                    "document_type": "police_certificate",
                    "document_issuer": "Công an Thành phố Hà Nội",
                    "document_number": "1/XN",
                    "document_date": date(2026, 3, 5),
                },
            ),
            (worker, S.RETURNED_HOME, date(2026, 3, 10), None),
        ):
            case = services.transition_case(
                actor=actor,
                case=case,
                target=target,
                version=case.version,
                data=data,
                event_date=day,
                late_reason=late,
            )
    return case


def test_the_return_is_dated_by_its_day_and_recorded_on_another(returned_case):
    step = CaseEvent.objects.get(case=returned_case, to_status=S.RETURNED_HOME)
    assert step.event_date == date(2026, 3, 10)
    assert timezone.localtime(step.recorded_at).date() == date(2026, 12, 3)


def test_statistics_count_the_return_in_march(demo_users, returned_case):
    analyst = demo_users["analyst"]
    assert run_query(analyst, "victims_returned", MARCH, compare=False).total == 1
    assert run_query(analyst, "victims_returned", DECEMBER, compare=False).total == 0
    assert run_query(analyst, "victims_identified", MARCH, compare=False).total == 1


def test_report_prefill_counts_the_return_in_march(returned_case):
    hanoi = returned_case.province
    assert prefill.compute("cases.returned", hanoi, MARCH.start, MARCH.end, [])[()] == 1
    assert prefill.compute("cases.returned", hanoi, DECEMBER.start, DECEMBER.end, [])[()] == 0
