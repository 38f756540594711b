"""The law's division of work and dates that tell when things happened, through the API and services:
who may identify, where the person is, the date of each step, back-dating with a reason."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from haidang.access.models import Agency
from haidang.audit.models import AuditEntry
from haidang.cases import services, support
from haidang.cases.eligibility import Regime
from haidang.cases.models import CaseEvent, CaseStatus
from haidang.places.models import AdministrativeUnit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

S = CaseStatus
RECEIVED = date(2026, 3, 1)
IDENTIFICATION = {
    "decision_date": "2026-03-05",
    "evidence_sources": ["b", "e"],
    "document_type": "police_certificate",
    "document_issuer": "Công an Thành phố Hà Nội",
    "document_number": "12/XN",
    "document_date": "2026-03-05",
}


def province(code):
    return AdministrativeUnit.objects.get(code=code, valid_to__isnull=True)


def commune(name, code="01"):
    return AdministrativeUnit.objects.get(parent__code=code, valid_to__isnull=True, name=name)


def verifying(demo_users, *, recorder, unit, agency, channel="self_report", notifier=None, **case_data):
    """A case received and in initial verification, notified the day after reception."""
    case = services.create_case(
        actor=demo_users[recorder],
        person_data={"full_name": "Lò Thị Dợ (minh họa)", "birth_year": 2000},
        case_data={
            "intake_channel": channel,
            "reception_date": RECEIVED,
            "unit": unit,
            "agency": Agency.objects.get(name=agency),
            **case_data,
        },
    )
    case = services.transition_case(actor=demo_users[recorder], case=case, target=S.RECEIVED, version=case.version)
    return services.transition_case(
        actor=demo_users[notifier or recorder],
        case=case,
        target=S.INITIAL_VERIFICATION,
        version=case.version,
        event_date=RECEIVED + timedelta(days=1),
    )


def identify(api, username, case):
    return api(username).post(
        f"/api/v1/cases/{case.pk}/transitions",
        {"target": "identified", "version": case.version, "data": IDENTIFICATION},
    )


@pytest.fixture
def hanoi_case(demo_users):
    return verifying(
        demo_users,
        recorder="commune.hanoi.a",
        unit=commune("Xã Thạch Thất"),
        agency="Ủy ban nhân dân Xã Thạch Thất",
        notifier="caseworker.hanoi",
    )


# --- Who may identify (Art. 27(2) as amended, Art. 30–33) ----------------------------------------------


def test_a_commune_officer_cannot_identify_and_is_told_who_may(api, hanoi_case):
    response = identify(api, "commune.hanoi.a", hanoi_case)
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "forbidden"
    assert "Provincial Department of Health" in error["message"] and "Art. 27(2) as amended" in error["message"]
    hanoi_case.refresh_from_db()
    assert hanoi_case.status == S.INITIAL_VERIFICATION and not hanoi_case.events.filter(to_status=S.IDENTIFIED)
    # The page does not offer the step to the commune.
    offered = api("commune.hanoi.a").get(f"/api/v1/cases/{hanoi_case.pk}").json()["allowed_transitions"]
    assert "identified" not in {t["target"] for t in offered}


def test_the_department_of_health_identifies(api, hanoi_case):
    response = identify(api, "supervisor.hanoi", hanoi_case)
    assert response.status_code == 200, response.content
    event = CaseEvent.objects.get(case=hanoi_case, to_status=S.IDENTIFIED)
    assert event.data["agency"] == "Sở Y tế Thành phố Hà Nội" and event.event_date == date(2026, 3, 5)


def test_the_provincial_police_identify(api, hanoi_case):
    assert identify(api, "police.hanoi", hanoi_case).status_code == 200
    assert CaseEvent.objects.get(case=hanoi_case, to_status=S.IDENTIFIED).data["agency"] == "Công an Thành phố Hà Nội"


def test_the_border_guard_identifies_a_person_handed_over_at_the_border(api, demo_users):
    case = verifying(
        demo_users,
        recorder="border.haiphong",
        unit=province("31"),
        agency="Bộ đội Biên phòng Thành phố Hải Phòng",
        channel="border_handover",
        found_abroad=True,
        found_country="CHN",
        return_border_gate="Cửa khẩu quốc tế Móng Cái (minh họa)",
    )
    assert case.returned_on == RECEIVED  # the handover at the border is the return
    response = identify(api, "border.haiphong", case)
    assert response.status_code == 200, response.content
    # The commune police of the same province may receive, not identify.
    assert identify(api, "commune.haiphong.a", case).status_code in (403, 404)


def test_a_mission_abroad_identifies_the_cases_it_handles_only(api, demo_users, hanoi_case):
    own = verifying(
        demo_users,
        recorder="mission.cambodia",
        unit=province("01"),
        agency="Đại sứ quán Việt Nam tại Vương quốc Campuchia (minh họa)",
        channel="mission_abroad",
        found_country="KHM",
    )
    assert identify(api, "mission.cambodia", own).status_code == 200
    other = identify(api, "mission.cambodia", hanoi_case)
    assert other.status_code == 403 and "handles" in other.json()["error"]["message"]


# --- Where the person is (Art. 37(3)) -------------------------------------------------------------------


def test_a_person_rescued_abroad_gets_a_to_d_until_the_return_is_recorded_then_a_to_g(api, demo_users):
    case = services.create_case(
        actor=demo_users["caseworker.hanoi"],
        person_data={"full_name": "Hà Thị Sim (minh họa)", "birth_year": 1999},
        case_data={
            "intake_channel": "rescue",
            "reception_date": RECEIVED,
            "unit": province("01"),
            "agency": Agency.objects.get(name="Sở Y tế Thành phố Hà Nội"),
            "found_abroad": True,
            "found_country": "KHM",
        },
    )
    a_to_d = {Regime.ESS, Regime.MED, Regime.INT, Regime.LEG}
    a_to_g = a_to_d | {Regime.AID, Regime.TRV, Regime.PSY}
    abroad = support.assess_case(case, on=date(2026, 3, 3))
    assert set(abroad.granted) == a_to_d and "Art. 37(3)" in abroad.decision("ESS").article
    path = f"/api/v1/cases/{case.pk}/return"
    bad = api("caseworker.hanoi").post(path, {"version": case.version, "returned_on": "2099-01-01", "border_gate": ""})
    assert bad.status_code == 400 and {"returned_on", "border_gate"} <= set(bad.json()["error"]["fields"])
    refused = api("commune.hanoi.b").post(
        path, {"version": case.version, "returned_on": "2026-03-04", "border_gate": "Mộc Bài"}
    )
    assert refused.status_code == 404  # outside the commune's area
    response = api("caseworker.hanoi").post(
        path, {"version": case.version, "returned_on": "2026-03-04", "border_gate": "Cửa khẩu quốc tế Mộc Bài"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["abroad"] is False and body["returned_on"] == "2026-03-04"
    assert body["timeline"][-1]["kind"] == "returned_to_vietnam" and body["timeline"][-1]["event_date"] == "2026-03-04"
    case.refresh_from_db()
    assert set(support.assess_case(case, on=date(2026, 3, 3)).granted) == a_to_d  # still abroad that day
    assert set(support.assess_case(case, on=date(2026, 3, 5)).granted) == a_to_g


# --- Event dates ------------------------------------------------------------------------------------------


def test_a_step_in_the_future_or_before_the_previous_one_is_named(api, demo_users, hanoi_case):
    path = f"/api/v1/cases/{hanoi_case.pk}/transitions"
    worker = api("caseworker.hanoi")
    body = {"target": "further_verification", "version": hanoi_case.version}
    future = (timezone.localdate() + timedelta(days=1)).isoformat()
    error = worker.post(path, {**body, "event_date": future}).json()["error"]
    assert list(error["fields"]) == ["event_date"] and "future" in error["fields"]["event_date"][0]
    error = worker.post(path, {**body, "event_date": "2026-03-01"}).json()["error"]
    assert (
        "before the previous step" in error["fields"]["event_date"][0]
        and "02/03/2026" in error["fields"]["event_date"][0]
    )
    ok = worker.post(path, {**body, "event_date": "2026-03-02"})
    assert ok.status_code == 200
    assert ok.json()["timeline"][-1]["event_date"] == "2026-03-02"


def test_the_received_step_is_dated_by_the_reception_and_notification_by_its_own_day(demo_users):
    worker = demo_users["caseworker.hanoi"]
    case = services.create_case(
        actor=worker,
        person_data={"full_name": "Đinh Thị Nga (minh họa)"},
        case_data={
            "intake_channel": "self_report",
            "reception_date": RECEIVED,
            "unit": province("01"),
            "agency": Agency.objects.get(name="Sở Y tế Thành phố Hà Nội"),
        },
    )
    with pytest.raises(ValidationError) as caught:
        services.transition_case(
            actor=worker, case=case, target=S.RECEIVED, version=case.version, event_date=date(2026, 3, 2)
        )
    assert "reception date" in caught.value.message_dict["event_date"][0]
    case = services.transition_case(actor=worker, case=case, target=S.RECEIVED, version=case.version)
    assert case.events.get(to_status=S.RECEIVED).event_date == RECEIVED
    case = services.transition_case(
        actor=worker, case=case, target=S.INITIAL_VERIFICATION, version=case.version, event_date=date(2026, 3, 3)
    )
    assert timezone.localtime(case.notified_at).date() == date(2026, 3, 3)


def test_back_dating_past_the_limit_needs_a_reason_which_is_audited(api, demo_users, hanoi_case, settings):
    settings.CASE_BACKDATE_DAYS_WITHOUT_REASON = 30
    path = f"/api/v1/cases/{hanoi_case.pk}/transitions"
    body = {"target": "further_verification", "version": hanoi_case.version, "event_date": "2026-03-02"}
    error = api("caseworker.hanoi").post(path, body).json()["error"]
    assert list(error["fields"]) == ["late_reason"] and "days ago" in error["fields"]["late_reason"][0]
    ok = api("caseworker.hanoi").post(path, {**body, "late_reason": "Hồ sơ giấy chuyển đến muộn (minh họa)"})
    assert ok.status_code == 200
    entry = AuditEntry.objects.filter(action="cases.case_transition", object_id=str(hanoi_case.pk)).latest("id")
    assert entry.changes["event_date"] == "2026-03-02" and "chuyển đến muộn" in entry.reason
    # Within the limit no reason is asked for.
    settings.CASE_BACKDATE_DAYS_WITHOUT_REASON = 3650
    case = hanoi_case.__class__.objects.get(pk=hanoi_case.pk)
    assert case.events.filter(to_status=S.FURTHER_VERIFICATION).get().data["late_reason"]


# --- Code lists -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("person", "case", "field"),
    [
        ({}, {"destination_country": "XYZ"}, "case.destination_country"),
        ({}, {"found_country": "QQQ"}, "case.found_country"),
        ({"nationality_class": "foreign", "nationality_country": "XYZ"}, {}, "person.nationality_country"),
        ({"ethnicity": "99"}, {}, "person.ethnicity"),
        ({"ethnicity": "Kinh"}, {}, "person.ethnicity"),  # the API takes codes
    ],
)
def test_unknown_codes_answer_400_naming_the_field(api, person, case, field):
    payload = {
        "person": {"full_name": "Lê Thị Hồng (minh họa)", **person},
        "case": {
            "intake_channel": "self_report",
            "reception_date": "2026-03-01",
            "unit": commune("Xã Thạch Thất").code,
            "agency": str(Agency.objects.get(name="Ủy ban nhân dân Xã Thạch Thất").pk),
            **case,
        },
    }
    response = api("commune.hanoi.a").post("/api/v1/cases", payload)
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]


def test_codes_are_stored_and_returned(api):
    payload = {
        "person": {"full_name": "Giàng Thị Mỷ (minh họa)", "ethnicity": "08"},
        "case": {
            "intake_channel": "self_report",
            "reception_date": "2026-03-01",
            "unit": commune("Xã Thạch Thất").code,
            "agency": str(Agency.objects.get(name="Ủy ban nhân dân Xã Thạch Thất").pk),
            "destination_country": "khm",
        },
    }
    response = api("commune.hanoi.a").post("/api/v1/cases", payload)
    assert response.status_code == 201, response.content
    assert response.json()["destination_country"] == "KHM"


# --- Consent of a child (Art. 3(10); Law on Children: the child's own consent from 7) -------------------


@pytest.mark.parametrize(
    ("birth", "given_by", "allowed"),
    [
        ({"birth_date": date(2019, 3, 11)}, "representative", True),  # 6 on 10/03/2026
        ({"birth_date": date(2019, 3, 11)}, "person", False),
        ({"birth_date": date(2019, 3, 10)}, "representative", False),  # 7 that day: both
        ({"birth_date": date(2019, 3, 10)}, "both", True),
        ({"birth_date": date(2010, 3, 11)}, "both", True),  # 15
        ({"birth_date": date(2010, 3, 11)}, "person", False),
        ({"birth_date": date(2010, 3, 10)}, "person", True),  # 16
        ({"birth_date": date(2010, 3, 10)}, "representative", False),
        ({"birth_year": 2010}, "both", True),  # a birth year alone: 15 until 31/12/2026
        ({"birth_year": 2010}, "person", False),
    ],
)
def test_who_consents_follows_the_age_on_the_consent_date(demo_users, birth, given_by, allowed):
    worker = demo_users["caseworker.hanoi"]
    case = services.create_case(
        actor=worker,
        person_data={"full_name": "Bé Lò Thị Hoa (minh họa)", **birth},
        case_data={
            "intake_channel": "self_report",
            "reception_date": RECEIVED,
            "unit": province("01"),
            "agency": Agency.objects.get(name="Sở Y tế Thành phố Hà Nội"),
        },
    )
    data = {
        "given_by": given_by,
        "representative_name": "Lò Văn Páo (minh họa)",
        "purpose": "referral",
        "given_on": date(2026, 3, 10),
        "method": "written",
    }
    if allowed:
        consent = services.record_consent(actor=worker, case=case, data=data)
        assert consent.given_by == given_by
    else:
        with pytest.raises(ValidationError) as caught:
            services.record_consent(actor=worker, case=case, data=data)
        assert list(caught.value.message_dict) == ["given_by"]


def test_the_code_lists_are_served_in_the_language_asked(api):
    groups = api("caseworker.hanoi").get("/api/v1/code-lists/ethnic-groups").json()
    assert groups["count"] == 54 and groups["items"][7] == {"code": "08", "name": "Mông"}
    countries = {
        row["code"]: row["name"] for row in api("caseworker.hanoi").get("/api/v1/code-lists/countries").json()["items"]
    }
    assert countries["KHM"] == "Cambodia" and "XYZ" not in countries
