"""The cases API for linked persons, protection decisions (and refusals), shelter stays, Form 07
applications and attachments: each write through its service, refusals naming the field (400),
scope (404 like missing), roles (403), masking, and audited reads and downloads."""

from datetime import date, timedelta
from functools import partial

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from haidang.access.models import Agency
from haidang.audit.models import AuditEntry
from haidang.cases import protection, services
from haidang.cases.models import CaseEvent, LinkedPerson, ProtectionDecision, ReintegrationApplication, ShelterStay
from haidang.cases.selectors import MASK
from haidang.cases.tests.steps import walk
from haidang.places.models import AdministrativeUnit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

IDENTIFICATION = {
    "decision_date": date(2026, 3, 5),
    "evidence_sources": ["b"],
    "document_type": "police_certificate",
    "document_issuer": "Công an Thành phố Hà Nội",
    "document_number": "7/XN",
    "document_date": date(2026, 3, 5),
}
RISK = "Đối tượng Trần Văn X đe doạ tại thôn Yên Bình (minh họa)"
CHILD = "Bé Vũ An (minh họa)"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
SHELTER = "Cơ sở trợ giúp nạn nhân Hà Nội (minh họa)"


@pytest.fixture
def worker(demo_users):
    return demo_users["caseworker.hanoi"]


@pytest.fixture
def case(worker):
    case = services.create_case(
        actor=worker,
        person_data={"full_name": "Vũ Thị Thanh (minh họa)", "birth_year": 2001},
        case_data={
            "intake_channel": "rescue",
            "reception_date": date(2026, 3, 1),
            "unit": AdministrativeUnit.objects.get(code="01", valid_to__isnull=True),
            "agency": Agency.objects.get(name="Sở Y tế Thành phố Hà Nội"),
        },
    )
    return walk(case, worker, (("received", None), ("initial_verification", None), ("identified", IDENTIFICATION)))


@pytest.fixture
def api(api):
    """This module's calls default to the Department of Health's case worker."""

    def _api(username="caseworker.hanoi"):
        return api(username)

    return _api


@pytest.fixture
def patch(client):
    def _patch(api, path, payload):
        return client.patch(path, payload, content_type="application/json", headers=api.headers)

    return _patch


@pytest.fixture
def upload(client):
    def _upload(api, path, data):
        return client.post(path, data, headers=api.headers)

    return _upload


def url(case, tail=""):
    return f"/api/v1/cases/{case.pk}/{tail}"


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == code and body["error"]["message"]
    return body["error"]


def reads(case, purpose):
    return [
        entry.changes
        for entry in AuditEntry.objects.filter(action="cases.case_viewed", object_id=str(case.pk)).order_by("id")
        if entry.changes.get("purpose") == purpose
    ]


def shelter_id():
    return str(Agency.objects.get(name=SHELTER).pk)


def link_child(worker, case):
    return protection.link_person(
        actor=worker, case=case, person_data={"full_name": CHILD, "birth_year": 2019}, relationship="child"
    )


def protect(worker, case, **data):
    return protection.decide_protection(
        actor=worker,
        case=case,
        data={
            "risk_assessment": RISK,
            "risk_level": "high",
            "decided_on": date(2026, 3, 6),
            "decided_by": Agency.objects.get(name="Công an Thành phố Hà Nội"),
            "measures": ["safe_shelter"],
            **data,
        },
    )


def commitment(worker, case):
    return protection.add_attachment(
        actor=worker,
        case=case,
        kind="protection_commitment",
        uploaded_file=SimpleUploadedFile("Cam ket Vu Thi Thanh.pdf", PDF, content_type="application/pdf"),
    )


# --- Linked persons --------------------------------------------------------------------------------------


def test_linked_persons_are_recorded_listed_and_changed(api, patch, worker, case):
    created = api().post(
        url(case, "linked-persons"),
        {"relationship": "child", "full_name": CHILD, "birth_date": "2019-05-02", "sex": "male", "notes": "Đi cùng mẹ"},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["relationship"] == "child" and body["person"]["full_name"] == CHILD
    assert body["person"]["birth_year"] == 2019 and body["birth_date"] == "2019-05-02"
    link = LinkedPerson.objects.get(pk=body["id"])
    assert link.case_id == case.pk and CaseEvent.objects.filter(case=case, kind="person_linked").exists()

    listed = api().get(url(case, "linked-persons")).json()
    assert listed["count"] == 1 and listed["identities_shown"] is True
    assert listed["items"][0]["person"]["full_name"] == CHILD and listed["items"][0]["notes"] == "Đi cùng mẹ"

    assert listed["items"][0]["version"] == 1
    changed = patch(
        api(), url(case, f"linked-persons/{link.pk}"), {"version": 1, "is_protected": True, "notes": "Khác"}
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["is_protected"] is True and changed.json()["relationship"] == "child"
    assert changed.json()["version"] == 2
    link.refresh_from_db()
    assert link.is_protected and link.notes == "Khác"
    # The same change from a stale read: 409, nothing written.
    stale = assert_error(
        patch(api(), url(case, f"linked-persons/{link.pk}"), {"version": 1, "notes": "Cũ"}), 409, "conflict"
    )
    assert stale["fields"]["current_version"] == ["2"]
    link.refresh_from_db()
    assert link.notes == "Khác"
    missing = assert_error(patch(api(), url(case, f"linked-persons/{link.pk}"), {"notes": "x"}), 400, "invalid")
    assert "version" in missing["fields"]


def test_linked_person_refusals_name_the_field(api, patch, worker, case):
    adult_child = {"relationship": "child", "full_name": "Vũ Văn Lớn (minh họa)", "birth_year": 1990}
    error = assert_error(api().post(url(case, "linked-persons"), adult_child), 400, "invalid")
    assert "relationship" in error["fields"]
    error = assert_error(api().post(url(case, "linked-persons"), {"relationship": "child"}), 400, "invalid")
    assert "full_name" in error["fields"]
    error = assert_error(
        api().post(url(case, "linked-persons"), {"relationship": "cousin", "full_name": CHILD}), 400, "invalid"
    )
    assert "relationship" in error["fields"]
    error = assert_error(
        api().post(url(case, "linked-persons"), {"relationship": "child", "full_name": CHILD, "document_number": "1"}),
        400,
        "invalid",
    )
    assert "document_type" in error["fields"]
    assert not LinkedPerson.objects.filter(case=case).exists()
    link = link_child(worker, case)
    protect(worker, case, subject=link.person)
    version = {"version": 1}
    error = assert_error(
        patch(api(), url(case, f"linked-persons/{link.pk}"), {**version, "is_protected": False}), 400, "invalid"
    )
    assert "is_protected" in error["fields"]
    error = assert_error(
        patch(api(), url(case, f"linked-persons/{link.pk}"), {**version, "relationship": None}), 400, "invalid"
    )
    assert "relationship" in error["fields"]
    assert_error(patch(api(), url(case, f"linked-persons/{case.pk}"), {**version, "notes": "x"}), 404, "not_found")


def test_linked_persons_are_masked_for_a_reader_without_identities(api, worker, case):
    link = link_child(worker, case)
    LinkedPerson.objects.filter(pk=link.pk).update(notes="Ở cùng bà ngoại tại thôn Yên Bình")
    body = api("coordinator.hanoi").get(url(case, "linked-persons")).json()
    item = body["items"][0]
    assert body["identities_shown"] is False and item["person"]["full_name"] == MASK
    assert item["notes"] == MASK and item["birth_date"] is None and item["person"]["birth_year"] == 2019
    assert CHILD not in str(body)
    assert reads(case, "linked_persons") == [{"purpose": "linked_persons", "identities_shown": False}]
    api().get(url(case, "linked-persons"))
    assert reads(case, "linked_persons")[-1] == {"purpose": "linked_persons", "identities_shown": True}


# --- Protection decisions ----------------------------------------------------------------------------------


def decision_payload(**overrides):
    police = overrides.pop("decided_by", None) or str(Agency.objects.get(name="Công an Thành phố Hà Nội").pk)
    return {
        "risk_assessment": RISK,
        "risk_level": "high",
        "decided_on": "2026-03-06",
        "decided_by": police,
        "measures": ["safe_shelter", "protect_personal_information"],
        **overrides,
    }


def test_a_protection_decision_for_a_linked_child_is_recorded_and_listed(api, worker, case):
    link = link_child(worker, case)
    response = api().post(url(case, "protection-decisions"), decision_payload(subject=str(link.person_id)))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["subject"] == "child" and body["risk_assessment"] == RISK and body["status"] == "active"
    assert body["measures"] == ["safe_shelter", "protect_personal_information"]
    link.refresh_from_db()
    assert link.is_protected
    listed = api().get(url(case, "protection-decisions")).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == body["id"]
    masked = api("coordinator.hanoi").get(url(case, "protection-decisions")).json()
    assert masked["identities_shown"] is False and masked["items"][0]["risk_assessment"] == MASK
    assert RISK not in str(masked)
    # The write, the worker's read and the coordinator's read, each saying whether identities were shown.
    assert [r["identities_shown"] for r in reads(case, "protection")] == [True, True, False]


def test_protection_refusals_name_the_field(api, worker, case, demo_users):
    error = assert_error(
        api().post(url(case, "protection-decisions"), decision_payload(risk_assessment="", measures=[])),
        400,
        "invalid",
    )
    assert {"risk_assessment", "measures"} <= set(error["fields"])
    error = assert_error(
        api().post(url(case, "protection-decisions"), decision_payload(risk_level="extreme")), 400, "invalid"
    )
    assert "risk_level" in error["fields"]
    error = assert_error(
        api().post(url(case, "protection-decisions"), decision_payload(decided_on="2026-11-31")), 400, "invalid"
    )
    assert "decided_on" in error["fields"]
    outsider = services.create_case(
        actor=worker,
        person_data={"full_name": "Người khác (minh họa)"},
        case_data={
            "intake_channel": "rescue",
            "reception_date": date(2026, 3, 1),
            "unit": case.unit,
            "agency": case.agency,
        },
    )
    error = assert_error(
        api().post(url(case, "protection-decisions"), decision_payload(subject=str(outsider.person_id))),
        400,
        "invalid",
    )
    assert "subject" in error["fields"]
    assert not ProtectionDecision.objects.filter(case=case).exists()


def test_a_refusal_needs_the_written_commitment_and_ending_is_recorded(api, worker, case):
    decision = protect(worker, case)
    refusal = url(case, f"protection-decisions/{decision.pk}/refusal")
    error = assert_error(
        api().post(refusal, {"refusal_reason": "Không muốn", "refused_on": "2026-03-07"}), 400, "invalid"
    )
    assert "commitment_file" in error["fields"]
    error = assert_error(
        api().post(
            refusal, {"refusal_reason": "Không muốn", "refused_on": "2026-03-07", "commitment_file": str(case.pk)}
        ),
        400,
        "invalid",
    )
    assert "commitment_file" in error["fields"]
    signed = commitment(worker, case)
    response = api().post(
        refusal, {"refusal_reason": "Không muốn", "refused_on": "2026-03-07", "commitment_file": str(signed.pk)}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (
        body["status"] == "refused" and body["commitment_file"] == str(signed.pk) and body["ended_on"] == "2026-03-07"
    )
    # No longer in force: refusing or ending again names the status.
    again = api().post(
        url(case, f"protection-decisions/{decision.pk}/end"), {"ended_on": "2026-03-08", "end_reason": "x"}
    )
    assert "status" in assert_error(again, 400, "invalid")["fields"]

    other = protect(worker, case)
    on_paper = api().post(
        url(case, f"protection-decisions/{other.pk}/refusal"),
        {"refusal_reason": "Không muốn", "refused_on": "2026-03-07", "commitment_recorded": True},
    )
    assert "commitment_date" in assert_error(on_paper, 400, "invalid")["fields"]
    ended = api().post(
        url(case, f"protection-decisions/{other.pk}/end"), {"ended_on": "2026-03-09", "end_reason": "Hết nguy cơ"}
    )
    assert ended.status_code == 200 and ended.json()["status"] == "ended"
    assert_error(
        api().post(url(case, f"protection-decisions/{case.pk}/end"), {"ended_on": "2026-03-09", "end_reason": "x"}),
        404,
        "not_found",
    )


# --- Shelter stays ----------------------------------------------------------------------------------------


def test_a_shelter_stay_is_started_extended_and_ended(api, worker, case):
    response = api().post(url(case, "shelter-stays"), {"facility": shelter_id(), "start_date": "2026-03-06"})
    assert response.status_code == 201, response.content
    stay = response.json()
    assert stay["person"] == "person" and stay["facility"] == SHELTER and stay["end_date"] is None
    assert stay["due"] == (date(2026, 3, 6) + timedelta(days=119)).isoformat()
    extended = api().post(
        url(case, f"shelter-stays/{stay['id']}/extension"),
        {"extended_until": "2026-08-30", "extension_decision_number": "5/QĐ", "extension_decided_on": "2026-03-07"},
    )
    # The deciding body is an agency the law allows (Decree 162 Art. 17), named by its id.
    assert "extension_decided_by" in assert_error(extended, 400, "invalid")["fields"]
    police = str(Agency.objects.get(name="Công an Thành phố Hà Nội").pk)
    health = str(Agency.objects.get(name="Sở Y tế Thành phố Hà Nội").pk)
    extension = {
        "extended_until": "2026-08-30",
        "extension_decision_number": "5/QĐ",
        "extension_decided_on": "2026-03-07",
    }
    wrong = api().post(
        url(case, f"shelter-stays/{stay['id']}/extension"), {**extension, "extension_decided_by": police}
    )
    assert "cannot take this decision" in assert_error(wrong, 400, "invalid")["fields"]["extension_decided_by"][0]
    extended = api().post(
        url(case, f"shelter-stays/{stay['id']}/extension"), {**extension, "extension_decided_by": health}
    )
    assert extended.status_code == 200, extended.content
    assert extended.json()["extension_decided_by"]["name"] == "Sở Y tế Thành phố Hà Nội"
    assert extended.json()["due"] == "2026-08-30" and extended.json()["extension_decision_number"] == "5/QĐ"
    ended = api().post(url(case, f"shelter-stays/{stay['id']}/end"), {"end_date": "2026-03-20"})
    assert ended.status_code == 200 and ended.json()["end_date"] == "2026-03-20"
    masked = api("coordinator.hanoi").get(url(case, "shelter-stays")).json()
    assert masked["items"][0]["facility"] == MASK and masked["items"][0]["facility_id"] is None
    assert SHELTER not in str(masked)
    assert [r["identities_shown"] for r in reads(case, "shelter")][-1] is False


def test_shelter_stay_refusals_name_the_field(api, worker, case):
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    error = assert_error(
        api().post(url(case, "shelter-stays"), {"facility": shelter_id(), "start_date": future}), 400, "invalid"
    )
    assert "start_date" in error["fields"]
    error = assert_error(
        api().post(url(case, "shelter-stays"), {"facility": str(case.pk), "start_date": "2026-03-06"}), 400, "invalid"
    )
    assert "facility" in error["fields"]
    error = assert_error(
        api().post(
            url(case, "shelter-stays"), {"facility": shelter_id(), "start_date": "2026-03-06", "person": str(case.pk)}
        ),
        400,
        "invalid",
    )
    assert "person" in error["fields"]
    first = api().post(url(case, "shelter-stays"), {"facility": shelter_id(), "start_date": "2026-03-06"}).json()
    error = assert_error(
        api().post(url(case, "shelter-stays"), {"facility": shelter_id(), "start_date": "2026-03-08"}), 400, "invalid"
    )
    assert "start_date" in error["fields"]
    error = assert_error(
        api().post(url(case, f"shelter-stays/{first['id']}/end"), {"end_date": "2026-03-01"}), 400, "invalid"
    )
    assert "end_date" in error["fields"]
    assert ShelterStay.objects.filter(case=case).count() == 1


# --- Reintegration applications ------------------------------------------------------------------------------


def test_a_form_07_application_is_received_and_decided(api, worker, case):
    response = api().post(
        url(case, "reintegration-applications"), {"received_on": "2026-03-09", "regimes": ["VOC", "HAR"]}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "received" and body["beneficiary"] == "person" and body["regimes"] == ["VOC", "HAR"]
    assert body["due"] == "2026-03-20" and body["decided_on"] is None
    decision = url(case, f"reintegration-applications/{body['id']}/decision")
    # The Department of Health decides (Decree 162 Art. 24): a case worker without that right is told who may.
    refused = assert_error(api().post(decision, {"status": "approved", "decided_on": "2026-03-10"}), 403, "forbidden")
    assert "Department of Health" in refused["message"]
    api = partial(api, "supervisor.hanoi")
    error = assert_error(api().post(decision, {"status": "approved", "decided_on": "2026-03-10"}), 400, "invalid")
    assert "decision_number" in error["fields"]
    error = assert_error(api().post(decision, {"status": "maybe", "decided_on": "2026-03-10"}), 400, "invalid")
    assert "status" in error["fields"]
    decided = api().post(
        decision,
        {"status": "approved", "decided_on": "2026-03-10", "decision_number": "9/QĐ-SYT", "approved_regimes": ["VOC"]},
    )
    assert decided.status_code == 200, decided.content
    assert decided.json()["status"] == "approved" and decided.json()["approved_regimes"] == ["VOC"]
    assert decided.json()["decided_late"] is False
    assert decided.json()["decided_by"]["name"] == "Sở Y tế Thành phố Hà Nội"
    again = api().post(decision, {"status": "refused", "decided_on": "2026-03-11", "reason": "x"})
    assert "status" in assert_error(again, 400, "invalid")["fields"]
    listed = api().get(url(case, "reintegration-applications")).json()
    assert listed["count"] == 1 and listed["items"][0]["decision_number"] == "9/QĐ-SYT"


def test_application_refusals_name_the_field(api, worker, case):
    error = assert_error(
        api().post(url(case, "reintegration-applications"), {"received_on": "2026-03-09", "regimes": []}),
        400,
        "invalid",
    )
    assert "regimes" in error["fields"]
    error = assert_error(api().post(url(case, "reintegration-applications"), {"regimes": ["VOC"]}), 400, "invalid")
    assert "received_on" in error["fields"]
    relative = protection.link_person(
        actor=worker,
        case=case,
        person_data={"full_name": "Vũ Văn Bố (minh họa)", "birth_year": 1970},
        relationship="parent",
    )
    error = assert_error(
        api().post(
            url(case, "reintegration-applications"),
            {"received_on": "2026-03-09", "regimes": ["VOC"], "beneficiary": str(relative.person_id)},
        ),
        400,
        "invalid",
    )
    assert "beneficiary" in error["fields"]
    error = assert_error(
        api().post(
            url(case, "reintegration-applications"),
            {"received_on": "2026-03-09", "regimes": ["VOC"], "applicant": "family"},
        ),
        400,
        "invalid",
    )
    assert "applicant_name" in error["fields"]
    assert not ReintegrationApplication.objects.filter(case=case).exists()


def test_the_applicant_name_is_masked_for_a_reader_without_identities(api, worker, case):
    protection.receive_application(
        actor=worker,
        case=case,
        data={
            "received_on": date(2026, 3, 9),
            "regimes": ["EDU"],
            "applicant": "family",
            "applicant_name": "Vũ Văn Bố",
        },
    )
    shown = api().get(url(case, "reintegration-applications")).json()["items"][0]
    masked = api("coordinator.hanoi").get(url(case, "reintegration-applications")).json()["items"][0]
    assert shown["applicant_name"] == "Vũ Văn Bố" and masked["applicant_name"] == MASK


# --- Attachments --------------------------------------------------------------------------------------


def test_attachments_are_listed_by_metadata_and_downloaded_with_an_audit(api, upload, worker, case):
    uploaded = upload(
        api(),
        url(case, "attachments"),
        {"kind": "decision", "file": SimpleUploadedFile("QĐ bảo vệ Vũ Thị Thanh.pdf", PDF, content_type="text/plain")},
    )
    assert uploaded.status_code == 201, uploaded.content
    item = uploaded.json()
    assert item["content_type"] == "application/pdf" and item["size"] == len(PDF)
    assert item["name"] == "QĐ bảo vệ Vũ Thị Thanh.pdf" and item["uploaded_by"] == "caseworker.hanoi"
    listed = api().get(url(case, "attachments")).json()
    assert listed["count"] == 1 and listed["items"][0] == item and "content" not in listed["items"][0]
    masked = api("coordinator.hanoi").get(url(case, "attachments")).json()
    assert masked["items"][0]["name"] == MASK and "Thanh" not in str(masked)

    download = api().get(url(case, f"attachments/{item['id']}/download"))
    assert download.status_code == 200 and download.content == PDF
    assert download["Content-Type"] == "application/pdf" and download["Cache-Control"] == "private, no-store"
    assert "attachment" in download["Content-Disposition"]
    done = AuditEntry.objects.filter(action="cases.attachment_downloaded", object_id=str(case.pk))
    assert done.count() == 1 and done.get().actor_username == "caseworker.hanoi"
    # A reader who sees identities masked is refused, and the refusal is audited too.
    assert_error(api("coordinator.hanoi").get(url(case, f"attachments/{item['id']}/download")), 403, "forbidden")
    assert AuditEntry.objects.filter(action="cases.attachment_download_refused", object_id=str(case.pk)).exists()
    assert_error(api().get(url(case, f"attachments/{case.pk}/download")), 404, "not_found")


def test_an_upload_that_is_not_an_accepted_file_names_the_field(api, upload, case):
    fake = SimpleUploadedFile("hoso.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    error = assert_error(upload(api(), url(case, "attachments"), {"kind": "decision", "file": fake}), 400, "invalid")
    assert "file" in error["fields"]
    pdf = SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")
    error = assert_error(upload(api(), url(case, "attachments"), {"kind": "selfie", "file": pdf}), 400, "invalid")
    assert "kind" in error["fields"]
    error = assert_error(upload(api(), url(case, "attachments"), {"kind": "decision"}), 400, "invalid")
    assert "file" in error["fields"]


def test_a_zip_bomb_named_xlsx_is_refused_naming_the_file(api, upload, case):
    from haidang.common.tests.test_uploads import zip_bomb_bytes

    bomb = SimpleUploadedFile("danh-sach.xlsx", zip_bomb_bytes())
    error = assert_error(upload(api(), url(case, "attachments"), {"kind": "decision", "file": bomb}), 400, "invalid")
    assert error["fields"] == {"file": ["The file unpacks to more than 200.0\xa0MB; it cannot be accepted."]}
    assert api().get(url(case, "attachments")).json()["count"] == 0


# --- Scope and roles, for every endpoint ------------------------------------------------------------------


@pytest.fixture
def records(worker, case):
    """One of each record on the case, so that every sub-resource path names a real row."""
    link = link_child(worker, case)
    decision = protect(worker, case)
    stay = protection.start_stay(
        actor=worker,
        case=case,
        data={"facility": Agency.objects.get(name=SHELTER), "start_date": date(2026, 3, 6)},
    )
    application = protection.receive_application(
        actor=worker, case=case, data={"received_on": date(2026, 3, 9), "regimes": ["VOC"]}
    )
    attachment = commitment(worker, case)
    return {"link": link, "decision": decision, "stay": stay, "application": application, "attachment": attachment}


READS = [
    "linked-persons",
    "protection-decisions",
    "shelter-stays",
    "reintegration-applications",
    "attachments",
    "attachments/{attachment}/download",
]
WRITES = [
    ("post", "linked-persons", {"relationship": "sibling", "full_name": "Vũ Văn Em (minh họa)"}),
    ("patch", "linked-persons/{link}", {"version": 1, "notes": "x"}),
    # Refused (404 or 403) before the deciding agency is looked at.
    ("post", "protection-decisions", decision_payload(decided_by="00000000-0000-0000-0000-000000000000")),
    (
        "post",
        "protection-decisions/{decision}/refusal",
        {
            "refusal_reason": "x",
            "refused_on": "2026-03-07",
            "commitment_recorded": True,
            "commitment_date": "2026-03-07",
        },
    ),
    ("post", "protection-decisions/{decision}/end", {"ended_on": "2026-03-07", "end_reason": "x"}),
    ("post", "shelter-stays", {"facility": None, "start_date": "2026-03-06"}),
    (
        "post",
        "shelter-stays/{stay}/extension",
        {"extended_until": "2026-08-30", "extension_decision_number": "5", "extension_decided_on": "2026-03-07"},
    ),
    ("post", "shelter-stays/{stay}/end", {"end_date": "2026-03-07"}),
    ("post", "reintegration-applications", {"received_on": "2026-03-09", "regimes": ["EDU"]}),
    (
        "post",
        "reintegration-applications/{application}/decision",
        {"status": "refused", "decided_on": "2026-03-10", "reason": "x"},
    ),
]


def _path(case, records, tail):
    ids = {name: record.pk for name, record in records.items()}
    return url(case, tail.format(**ids))


def _send(client, api, method, path, body):
    if body is not None and body.get("facility", "") is None:
        body = {**body, "facility": shelter_id()}
    if method == "patch":
        return client.patch(path, body, content_type="application/json", headers=api.headers)
    return client.post(path, body, content_type="application/json", headers=api.headers)


def test_every_endpoint_answers_404_outside_the_scope(client, api, case, records):
    outsider = api("caseworker.haiphong")
    for tail in READS:
        assert_error(outsider.get(_path(case, records, tail)), 404, "not_found")
    for method, tail, body in WRITES:
        assert_error(_send(client, outsider, method, _path(case, records, tail), body), 404, "not_found")
    assert_error(
        client.post(
            url(case, "attachments"),
            {"kind": "decision", "file": SimpleUploadedFile("a.pdf", PDF)},
            headers=outsider.headers,
        ),
        404,
        "not_found",
    )


def test_every_endpoint_answers_403_to_a_role_without_the_capability(client, api, case, records):
    analyst = api("analyst")  # may not see cases at all
    for tail in READS:
        assert_error(analyst.get(_path(case, records, tail)), 403, "forbidden")
    reader = api("coordinator.hanoi")  # sees the case with identities masked, may not change it
    before = CaseEvent.objects.filter(case=case).count()
    for method, tail, body in WRITES:
        assert_error(_send(client, reader, method, _path(case, records, tail), body), 403, "forbidden")
        assert_error(_send(client, analyst, method, _path(case, records, tail), body), 403, "forbidden")
    assert_error(
        client.post(
            url(case, "attachments"),
            {"kind": "decision", "file": SimpleUploadedFile("a.pdf", PDF)},
            headers=reader.headers,
        ),
        403,
        "forbidden",
    )
    assert CaseEvent.objects.filter(case=case).count() == before


def test_without_a_token_every_endpoint_answers_401(api_client, case, records):
    anonymous = api_client()
    for tail in READS:
        assert_error(anonymous.get(_path(case, records, tail)), 401, "unauthenticated")
    for _method, tail, body in WRITES[:1]:
        assert_error(anonymous.post(_path(case, records, tail), body), 401, "unauthenticated")


def test_the_new_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/cases/{case_id}/linked-persons",
        "/api/v1/cases/{case_id}/linked-persons/{link_id}",
        "/api/v1/cases/{case_id}/protection-decisions/{decision_id}/refusal",
        "/api/v1/cases/{case_id}/shelter-stays/{stay_id}/end",
        "/api/v1/cases/{case_id}/reintegration-applications/{application_id}/decision",
        "/api/v1/cases/{case_id}/attachments/{attachment_id}/download",
    ):
        assert path in paths, path
    download = paths["/api/v1/cases/{case_id}/attachments/{attachment_id}/download"]["get"]["responses"]
    assert "application/octet-stream" in download["200"]["content"]
