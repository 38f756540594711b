"""API: eligibility, support items, referrals with the consent gate, transfers, person search."""

from datetime import date
from decimal import Decimal

import pytest

from haidang.access.models import Agency
from haidang.cases import services, support
from haidang.cases.tests.steps import walk
from haidang.places.models import AdministrativeUnit

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(demo_users):
    worker = demo_users["caseworker.hanoi"]
    hanoi = AdministrativeUnit.objects.get(code="01", valid_to__isnull=True)
    case = services.create_case(
        actor=worker,
        person_data={"full_name": "Hà Thị Xuân", "birth_year": 1999, "document_number": "001199000777"},
        case_data={
            "intake_channel": "rescue",
            "reception_date": date(2026, 5, 1),
            "unit": hanoi,
            "agency": Agency.objects.get(name="Sở Y tế Thành phố Hà Nội"),
        },
    )
    identification = {
        "decision_date": date(2026, 5, 3),
        "evidence_sources": ["b"],
        "document_type": "police_certificate",
        "document_issuer": "Công an",
        "document_number": "1",
        "document_date": date(2026, 5, 3),
    }
    case = walk(case, worker, (("received", None), ("initial_verification", None), ("identified", identification)))
    support.create_rate(
        actor=demo_users["coordinator.hanoi"],
        data={
            "province": hanoi,
            "regime": "TRV",
            "item": "Tiền xe về nơi cư trú",
            "amount": Decimal(300000),
            "valid_from": date(2025, 7, 1),
            "legal_basis": "Nghị quyết minh họa",
        },
    )
    return case


def test_eligibility_lists_every_regime_with_its_article(demo_users, api_client, case):
    body = api_client(demo_users["caseworker.hanoi"]).get(f"/api/v1/cases/{case.pk}/eligibility").json()
    decisions = body["items"][0]["decisions"]
    assert len(decisions) == 11 and all(d["article"] for d in decisions)
    assert {d["regime"] for d in decisions if d["outcome"] == "granted"} >= {"ESS", "TRV", "VOC"}


def test_support_item_via_api_and_refusals_name_the_field(demo_users, api_client, case):
    api = api_client(demo_users["caseworker.hanoi"])
    provider = Agency.objects.get(name="Sở Y tế Thành phố Hà Nội")
    payload = {
        "regime": "TRV",
        "item": "Tiền xe về nơi cư trú",
        "provider": str(provider.pk),
        "start_date": "2026-05-10",
        "quantity": 1,
    }
    created = api.post(f"/api/v1/cases/{case.pk}/support-items", payload)
    assert created.status_code == 201 and created.json()["total"] == 300000
    missing_rate = api.post(f"/api/v1/cases/{case.pk}/support-items", {**payload, "item": "Tiền ăn"})
    assert missing_rate.status_code == 400 and "item" in missing_rate.json()["error"]["fields"]
    listed = api.get(f"/api/v1/cases/{case.pk}/support-items").json()
    assert listed["count"] == 1


def test_referral_needs_consent_via_api(demo_users, api_client, case):
    worker = demo_users["caseworker.hanoi"]
    api = api_client(worker)
    provider = Agency.objects.get(name="Trung tâm Trợ giúp pháp lý Hà Nội (minh họa)")
    payload = {"provider": str(provider.pk), "service_type": "legal_aid", "reason": "Tư vấn pháp luật"}
    refused = api.post(f"/api/v1/cases/{case.pk}/referrals", payload)
    assert refused.status_code == 400 and "consent" in refused.json()["error"]["fields"]
    consent = services.record_consent(
        actor=worker,
        case=case,
        data={"given_by": "person", "purpose": "referral", "given_on": date(2026, 5, 4), "method": "written"},
    )
    sent = api.post(f"/api/v1/cases/{case.pk}/referrals", {**payload, "consent": str(consent.pk)})
    assert sent.status_code == 201 and sent.json()["status"] == "sent"


def test_transfer_request_and_acceptance_via_api(demo_users, api_client, case):
    worker = demo_users["caseworker.hanoi"]
    receiving = Agency.objects.get(name="Ủy ban nhân dân Xã Thạch Thất")
    payload = {
        "to_unit": receiving.unit.code,
        "to_agency": str(receiving.pk),
        "reason": "Về nơi cư trú",
        "legal_basis": "Điều 30 Luật 53/2024/QH15",
    }
    requested = api_client(worker).post(f"/api/v1/cases/{case.pk}/transfer", payload)
    assert requested.status_code == 201
    transfer_id = requested.json()["id"]
    outsider = api_client(demo_users["commune.hanoi.b"]).post(
        f"/api/v1/cases/{case.pk}/transfer/{transfer_id}/decision", {"accept": True}
    )
    assert outsider.status_code == 404
    commune = api_client(demo_users["commune.hanoi.a"])
    accepted = commune.post(f"/api/v1/cases/{case.pk}/transfer/{transfer_id}/decision", {"accept": True})
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert commune.get(f"/api/v1/cases/{case.pk}").status_code == 200


def test_person_search_finds_any_spelling_and_masks_for_coordinators(demo_users, api_client, case):
    found = api_client(demo_users["caseworker.hanoi"]).get("/api/v1/persons/search", {"q": "xuan ha thi"}).json()
    assert found["count"] == 1 and found["items"][0]["full_name"] == "Hà Thị Xuân"
    masked = api_client(demo_users["coordinator.hanoi"]).get("/api/v1/persons/search", {"document": "001199000777"})
    assert masked.json()["items"][0]["full_name"] == "•••"
    assert api_client(demo_users["analyst"]).get("/api/v1/persons/search", {"q": "x"}).status_code == 403
    assert api_client(demo_users["caseworker.hanoi"]).get("/api/v1/persons/search").status_code == 400
