"""Support items: eligibility with its article, provincial rates in force on the date, limits, extensions."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from haidang.access.models import Agency
from haidang.cases import services, support
from haidang.cases.models import LinkedPerson, Person, SupportItem
from haidang.cases.tests.steps import walk
from haidang.places.models import AdministrativeUnit

pytestmark = pytest.mark.django_db

IDENTIFICATION = {
    "decision_date": date(2026, 3, 5),
    "evidence_sources": ["b"],
    "document_type": "police_certificate",
    "document_issuer": "Công an Thành phố Hà Nội",
    "document_number": "7/XN",
    "document_date": date(2026, 3, 5),
}


@pytest.fixture
def hanoi(db):
    return AdministrativeUnit.objects.get(code="01", valid_to__isnull=True)


@pytest.fixture
def case(demo_users, hanoi):
    worker = demo_users["caseworker.hanoi"]
    case = services.create_case(
        actor=worker,
        person_data={"full_name": "Vũ Thị Thanh (minh họa)", "birth_year": 2001},
        case_data={
            "intake_channel": "rescue",
            "reception_date": date(2026, 3, 1),
            "unit": hanoi,
            "agency": Agency.objects.get(name="Sở Y tế Thành phố Hà Nội"),
        },
    )
    case = walk(case, worker, (("received", None), ("initial_verification", None), ("identified", IDENTIFICATION)))
    return case


@pytest.fixture
def meals(demo_users, hanoi):
    coordinator = demo_users["coordinator.hanoi"]
    support.create_rate(
        actor=coordinator,
        data={
            "province": hanoi,
            "regime": "ESS",
            "item": "Tiền ăn",
            "unit_label": "day",
            "amount": Decimal(50000),
            "max_units": 120,
            "valid_from": date(2025, 1, 1),
            "valid_to": date(2026, 3, 31),
            "legal_basis": "Nghị quyết minh họa 01/2025/NQ-HĐND",
        },
    )
    return support.create_rate(
        actor=coordinator,
        data={
            "province": hanoi,
            "regime": "ESS",
            "item": "Tiền ăn",
            "unit_label": "day",
            "amount": Decimal(60000),
            "max_units": 120,
            "valid_from": date(2026, 4, 1),
            "legal_basis": "Nghị quyết minh họa 09/2026/NQ-HĐND",
        },
    )


def item(actor, case, **data):
    return support.record_support_item(
        actor=actor,
        case=case,
        data={
            "regime": "ESS",
            "item": "Tiền ăn",
            "provider": Agency.objects.get(name="Cơ sở trợ giúp nạn nhân Hà Nội (minh họa)"),
            "start_date": date(2026, 3, 10),
            "quantity": 20,
            **data,
        },
    )


def test_the_rate_valid_on_the_items_date_is_used(demo_users, case, meals):
    worker = demo_users["caseworker.hanoi"]
    march = item(worker, case)
    april = item(worker, case, start_date=date(2026, 4, 2), quantity=10)
    assert (march.unit_amount, march.total) == (Decimal(50000), Decimal(1000000))
    assert (april.unit_amount, april.total) == (Decimal(60000), Decimal(600000))


def test_an_item_beyond_the_limit_needs_an_extension_decision(demo_users, case, meals):
    worker = demo_users["caseworker.hanoi"]
    item(worker, case, start_date=date(2026, 4, 2), quantity=110)
    with pytest.raises(ValidationError) as caught:
        item(worker, case, start_date=date(2026, 4, 2), quantity=20)
    assert "quantity" in caught.value.message_dict and "120" in caught.value.message_dict["quantity"][0]
    support.record_extension(
        actor=worker,
        case=case,
        data={
            "regime": "ESS",
            "extra_units": 30,
            "decision_number": "15/QĐ-SYT",
            "decided_on": date(2026, 4, 3),
            "decided_by": Agency.objects.get(name="Sở Y tế Thành phố Hà Nội"),
        },
    )
    assert item(worker, case, start_date=date(2026, 4, 2), quantity=20).quantity == 20


def test_a_regime_the_law_does_not_grant_is_refused_with_its_article(demo_users, case, hanoi):
    worker = demo_users["caseworker.hanoi"]
    child = Person.objects.create(full_name="Bé (minh họa)", birth_year=2019, created_by=worker)
    LinkedPerson.objects.create(case=case, person=child, relationship="child")
    support.create_rate(
        actor=demo_users["coordinator.hanoi"],
        data={
            "province": hanoi,
            "regime": "VOC",
            "item": "Học nghề",
            "unit_label": "course",
            "amount": Decimal(3000000),
            "valid_from": date(2025, 7, 1),
            "legal_basis": "Nghị quyết minh họa",
        },
    )
    with pytest.raises(ValidationError) as caught:
        item(worker, case, regime="VOC", item="Học nghề", quantity=1, beneficiary=child)
    assert "Art. 37(2)" in caught.value.message_dict["regime"][0]
    # The victim herself is entitled to vocational training.
    assert item(worker, case, regime="VOC", item="Học nghề", quantity=1).total == Decimal(3000000)


def test_a_missing_rate_is_named_and_nothing_is_saved(demo_users, case):
    with pytest.raises(ValidationError) as caught:
        item(demo_users["caseworker.hanoi"], case)
    assert "Tiền ăn" in caught.value.message_dict["item"][0]
    assert not SupportItem.objects.exists()


def test_rate_tables_are_kept_by_the_province_and_never_overlap(demo_users, hanoi, meals):
    with pytest.raises(PermissionDenied):
        support.create_rate(
            actor=demo_users["coordinator.haiphong"],
            data={
                "province": hanoi,
                "regime": "ESS",
                "item": "Tiền ăn",
                "amount": 1,
                "valid_from": date(2027, 1, 1),
                "legal_basis": "x",
            },
        )
    with pytest.raises(ValidationError) as caught:
        support.create_rate(
            actor=demo_users["coordinator.hanoi"],
            data={
                "province": hanoi,
                "regime": "ESS",
                "item": "Tiền ăn",
                "amount": 1,
                "valid_from": date(2026, 6, 1),
                "legal_basis": "x",
            },
        )
    assert "valid_from" in caught.value.message_dict


def test_eligibility_of_a_case_explains_each_regime(demo_users, case):
    assessment = support.assess_case(case)
    assert assessment.legal_regime == "2024"
    assert {decision.regime for decision in assessment.decisions if decision.outcome == "granted"} >= {"ESS", "VOC"}
    assert all(decision.article and decision.reason for decision in assessment.decisions)
