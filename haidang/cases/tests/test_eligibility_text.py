"""The eligibility engine's sentences reach the reader in the reader's language: every key the rules can
produce has a catalogue entry whose English is the engine's own, the support page shows Vietnamese, and
the API answers in the language asked for with the stable key beside the text."""

from datetime import date

import pytest
from django.utils import translation

from haidang.access.models import Agency
from haidang.cases import eligibility, services
from haidang.cases.eligibility_text import CATALOGUE, say
from haidang.cases.tests.steps import walk
from haidang.places.models import AdministrativeUnit

SAMPLE = {"regime": "ESS", "point": "a", "detail": "33", "cut": date(2025, 7, 1), "on": date(2025, 6, 1)}
SAMPLE |= {"identified_on": date(2025, 5, 1), "received_on": date(2025, 4, 1)}


def every_message():
    """Every sentence the engine can say, with the template it is made from."""
    messages = [
        eligibility.Message(key, text, **SAMPLE)
        for key, text in {**eligibility.REGIME_REASONS, **eligibility.NOTES}.items()
    ]
    for law in eligibility.LAWS.values():
        for rule in law.rules:
            messages.append(eligibility.Message(f"{rule.key}.category", rule.category, **SAMPLE))
            messages.extend(
                eligibility.Message(f"{rule.key}.{kind}.{field}", getattr(rule, f"{kind}_{field}"), **SAMPLE)
                for kind in ("grant", "refuse")
                for field in ("article", "reason")
                if getattr(rule, f"{kind}_{field}")
            )
            for override in rule.overrides:
                key = f"{rule.key}.{override.regime.value}"
                messages += [eligibility.Message(f"{key}.article", override.article, **SAMPLE)]
                messages += [eligibility.Message(f"{key}.reason", override.reason, **SAMPLE)]
        for regime, (article, reason) in law.absent.items():
            key = f"{law.regime.value}.absent.{regime.value}"
            messages += [
                eligibility.Message(f"{key}.article", article, **SAMPLE),
                eligibility.Message(f"{key}.reason", reason, **SAMPLE),
            ]
        for regime in law.conditions:
            messages += list(eligibility.conditions_of(law, regime))
    return messages


def test_every_sentence_of_the_rules_is_in_the_catalogue_with_the_same_english():
    messages = every_message()
    assert {m.key for m in messages} == set(CATALOGUE)
    with translation.override("en"):
        drifted = [m.key for m in messages if str(CATALOGUE[m.key]) != m.template]
    assert drifted == []


def test_every_sentence_is_vietnamese_in_vietnamese():
    with translation.override("vi"):
        same = [m.key for m in every_message() if say(m) == str(m)]
    assert same == []


def test_an_assessment_says_its_law_and_reasons_in_vietnamese():
    applicant = eligibility.Applicant(
        status="victim", nationality_class="vn_citizen", location="domestic", identified_on=date(2026, 3, 5)
    )
    assessment = eligibility.assess(applicant, regime_date=date(2026, 4, 1))
    medical = assessment.decision("MED")
    assert medical.reason.key == "2024.victim.grant.reason"
    assert str(medical.reason).startswith("A victim who is a Vietnamese citizen")  # the engine's own text stays English
    with translation.override("vi"):
        assert say(medical.reason) == (
            "Nạn nhân là công dân Việt Nam hoặc người không quốc tịch thường trú tại Việt Nam được hỗ trợ y tế "
            "theo điểm b khoản 1 Điều 37."
        )
        assert say(medical.article) == "Điểm b khoản 1 Điều 37 Luật 53/2024/QH15"
        assert say(assessment.legal_regime_reason) == (
            "Được xác định là nạn nhân ngày 05/03/2026, từ 01/07/2025 trở đi: áp dụng Luật 53/2024/QH15."
        )
    with translation.override("en"):
        assert say(medical.reason) == str(medical.reason)


@pytest.fixture
def case(demo_users):
    worker = demo_users["caseworker.hanoi"]
    hanoi = AdministrativeUnit.objects.get(code="01", valid_to__isnull=True)
    case = services.create_case(
        actor=worker,
        person_data={"full_name": "Hà Thị Xuân", "birth_year": 1999},
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
    return walk(case, worker, (("received", None), ("initial_verification", None), ("identified", identification)))


@pytest.mark.django_db
def test_the_support_page_shows_the_eligibility_table_in_vietnamese(demo_users, sign_in, case):
    html = sign_in(demo_users["caseworker.hanoi"]).get(f"/cases/{case.pk}/support/").content.decode()
    assert "Nạn nhân là công dân Việt Nam hoặc người không quốc tịch thường trú" in html
    assert "Điểm b khoản 1 Điều 37 Luật 53/2024/QH15" in html
    assert "Được xác định là nạn nhân ngày 03/05/2026" in html
    assert "is entitled to" not in html and "Art. 37" not in html


@pytest.mark.django_db
def test_the_support_page_in_english(demo_users, as_user, case):
    html = as_user("caseworker.hanoi").get(f"/cases/{case.pk}/support/").content.decode()
    assert (
        "A victim who is a Vietnamese citizen or a stateless permanent resident is entitled to medical support" in html
    )
    assert "Art. 37(1)(b) Law 53/2024/QH15" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "reason", "article"),
    [
        ("vi", "được hỗ trợ y tế theo điểm b khoản 1 Điều 37", "Điểm b khoản 1 Điều 37 Luật 53/2024/QH15"),
        ("en", "is entitled to medical support under Art. 37(1)(b)", "Art. 37(1)(b) Law 53/2024/QH15"),
    ],
)
def test_the_api_answers_in_the_language_asked_for_with_the_key(
    demo_users, api_client, client, case, language, reason, article
):
    api = api_client(demo_users["caseworker.hanoi"])
    response = client.get(f"/api/v1/cases/{case.pk}/eligibility", headers={**api.headers, "Accept-Language": language})
    item = response.json()["items"][0]
    medical = next(d for d in item["decisions"] if d["regime"] == "MED")
    assert reason in medical["reason"] and medical["article"] == article
    assert medical["reason_key"] == "2024.victim.grant.reason" and medical["article_key"] == "2024.victim.grant.article"
    assert (
        item["legal_regime_reason_key"] == "regime.identified_after" and item["category_key"] == "2024.victim.category"
    )
    essential = next(d for d in item["decisions"] if d["regime"] == "ESS")
    assert essential["condition_keys"] == ["2024.conditions.ESS.1"] and len(essential["conditions"]) == 1
