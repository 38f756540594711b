"""Stored data onto the new rules: the data migration's steps on real rows, and the list of values
left for correction (never dropped)."""

import importlib
from datetime import date, datetime
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from haidang.access.models import Agency
from haidang.cases import services
from haidang.cases.models import Case, CaseEvent, ProtectionDecision
from haidang.places.models import AdministrativeUnit

pytestmark = pytest.mark.django_db

dates_step = importlib.import_module("haidang.cases.migrations.0006_event_dates_and_legacy_values")
rules_step = importlib.import_module("haidang.cases.migrations.0008_existing_data_onto_the_rules")


@pytest.fixture
def case(demo_users):
    return services.create_case(
        actor=demo_users["caseworker.hanoi"],
        person_data={"full_name": "Trần Thị Mơ (minh họa)", "birth_year": 1998},
        case_data={
            "intake_channel": "border_handover",
            "reception_date": date(2026, 3, 1),
            "unit": AdministrativeUnit.objects.get(code="01", valid_to__isnull=True),
            "agency": Agency.objects.get(name="Sở Y tế Thành phố Hà Nội"),
            "found_abroad": True,
        },
    )


def test_steps_get_event_dates_from_what_is_known(case):
    recorded = timezone.make_aware(datetime(2026, 12, 3, 9, 0))
    identified = CaseEvent.objects.create(
        case=case,
        kind="transition",
        to_status="identified",
        event_date=date(2000, 1, 1),
        recorded_at=recorded,
        data={"decision_date": "2026-03-05"},
    )
    other = CaseEvent.objects.create(
        case=case, kind="transition", to_status="returned_home", event_date=date(2000, 1, 1), recorded_at=recorded
    )
    dates_step.date_existing_steps(apps, None)
    identified.refresh_from_db()
    other.refresh_from_db()
    assert identified.event_date == date(2026, 3, 5)  # the decision date
    assert other.event_date == date(2026, 12, 3)  # the day it was recorded, all that is known
    assert case.events.get(kind="created").event_date == date(2026, 3, 1)  # the reception date


def test_country_codes_become_alpha3_and_unknown_ones_are_kept_and_listed(case):
    Case.objects.filter(pk=case.pk).update(destination_country="kh", found_country="XYZ")
    rules_step.alpha3_country_codes(apps, None)
    case.refresh_from_db()
    assert case.destination_country == "KHM" and case.found_country == "XYZ"
    out = StringIO()
    call_command("code_corrections", stdout=out)
    assert f"{case.number}\tfound_country\tXYZ" in out.getvalue()


def test_free_text_deciders_become_agencies_or_stay_as_first_recorded(case, demo_users):
    decision = ProtectionDecision.objects.create(
        case=case,
        subject=case.person,
        risk_assessment="x",
        risk_level="high",
        decided_on=date(2026, 3, 6),
        decided_by_legacy="  công an thành phố hà nội ",
        measures=["safe_shelter"],
        recorded_by=demo_users["caseworker.hanoi"],
    )
    unknown = ProtectionDecision.objects.create(
        case=case,
        subject=case.person,
        risk_assessment="x",
        risk_level="low",
        decided_on=date(2026, 3, 6),
        decided_by_legacy="Ông Trưởng thôn (minh họa)",
        measures=["safe_shelter"],
        recorded_by=demo_users["caseworker.hanoi"],
    )
    rules_step.agencies_for_deciders(apps, None)
    decision.refresh_from_db()
    unknown.refresh_from_db()
    assert decision.deciding_agency.name == "Công an Thành phố Hà Nội" and decision.decided_by_legacy == ""
    assert unknown.deciding_agency is None and unknown.decided_by_label.startswith("Ông Trưởng thôn")
    out = StringIO()
    call_command("code_corrections", stdout=out)
    assert "decided_by_legacy\tÔng Trưởng thôn (minh họa)" in out.getvalue()


def test_regimes_and_returns_are_recomputed(case):
    Case.objects.filter(pk=case.pk).update(legal_regime="2011", returned_on=None)
    rules_step.returns_from_steps(apps, None)
    rules_step.regimes_by_the_engine(apps, None)
    case.refresh_from_db()
    assert case.returned_on == date(2026, 3, 1)  # handed over at the border on the day received
    assert case.legal_regime == "2024"  # not identified: today's law (Art. 63)
