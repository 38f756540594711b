"""The pages for linked persons, protection, shelter stays, Form 07 applications and files: each page
renders, each form saves, a refusal names its field, readers see identities masked and cannot
download, a case outside scope is a 404, and junk input is answered with a 400, never a 500."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from haidang.access.models import Agency
from haidang.audit.models import AuditEntry
from haidang.cases import protection, selectors, services
from haidang.cases.models import (
    ApplicationStatus,
    CaseAttachment,
    CaseStatus,
    LinkedPerson,
    ProtectionDecision,
    ProtectionStatus,
    ReintegrationApplication,
    ShelterStay,
)
from haidang.cases.tests.steps import walk
from haidang.places.models import AdministrativeUnit

pytestmark = pytest.mark.django_db

NAME = "Phạm Thị Thu (minh họa)"
CHILD = "Bé Phạm An (minh họa)"
FILE_NAME = "CCCD Pham Thi Thu.pdf"
OFFICER_AGENCY = "Ủy ban nhân dân Xã Thạch Thất"
SHELTER = "Cơ sở trợ giúp nạn nhân Hà Nội (minh họa)"
RISK = "Đối tượng Trần Văn X đe doạ tại thôn Yên Bình (minh họa)"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
TODAY = timezone.localdate


def day(value):
    return value.strftime("%d/%m/%Y")


def url(name, case, *args):
    return reverse(f"cases:{name}", args=[case.pk, *args])


@pytest.fixture
def worker(demo_users):
    return demo_users["caseworker.hanoi"]


@pytest.fixture
def case(demo_users, worker):
    """A case received at a Hà Nội commune and identified yesterday by the Department of Health."""
    case = services.create_case(
        actor=demo_users["commune.hanoi.a"],
        person_data={"full_name": NAME, "sex": "female", "birth_year": 2003},
        case_data={
            "intake_channel": "rescue",
            "reception_date": TODAY() - timedelta(days=3),
            "unit": AdministrativeUnit.objects.get(parent__code="01", valid_to__isnull=True, name="Xã Thạch Thất"),
            "agency": Agency.objects.get(name=OFFICER_AGENCY),
        },
    )
    identification = {
        "decision_date": TODAY() - timedelta(days=1),
        "evidence_sources": ["b"],
        "document_type": "police_certificate",
        "document_issuer": "Công an Thành phố Hà Nội",
        "document_number": "21/XN-CAHN",
        "document_date": TODAY() - timedelta(days=1),
    }
    case = walk(case, worker, (("received", None), ("initial_verification", None), ("identified", identification)))
    return case


@pytest.fixture
def shelter_agency(db):
    return Agency.objects.get(name=SHELTER)


def decided(worker, case, **data):
    return protection.decide_protection(
        actor=worker,
        case=case,
        data={
            "risk_assessment": RISK,
            "risk_level": "high",
            "decided_on": TODAY() - timedelta(days=1),
            "decided_by": Agency.objects.get(name="Công an Thành phố Hà Nội"),
            "measures": ["safe_shelter"],
            **data,
        },
    )


def stay(worker, case, shelter_agency, start=None):
    return protection.start_stay(
        actor=worker,
        case=case,
        data={"facility": shelter_agency, "start_date": start or TODAY() - timedelta(days=2)},
    )


def received(worker, case):
    return protection.receive_application(
        actor=worker, case=case, data={"received_on": TODAY(), "regimes": ["VOC", "HAR"]}
    )


def attached(worker, case, content=PDF, kind="identification_document", name=FILE_NAME):
    return protection.add_attachment(
        actor=worker, case=case, kind=kind, uploaded_file=SimpleUploadedFile(name, content)
    )


def errors_of(response, form_key="form"):
    return response.context[form_key].errors


PAGES = ("people", "protection", "shelter", "reintegration", "files")


# --- Pages and links ------------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_each_page_renders_for_the_case_worker_with_its_link_and_form(as_user, case, page):
    client = as_user("caseworker.hanoi")
    response = client.get(url(page, case))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="{url(page, case)}" aria-current="page"' in html
    assert response.context["form"] is not None
    assert url(page, case) in client.get(url("detail", case)).content.decode()


@pytest.mark.parametrize("page", PAGES)
def test_the_coordinator_reads_the_pages_without_forms_and_cannot_post(as_user, case, page):
    client = as_user("coordinator.hanoi")
    response = client.get(url(page, case))
    assert response.status_code == 200 and response.context["form"] is None
    assert client.post(url(page, case), {}).status_code == 403


@pytest.mark.parametrize("page", PAGES)
def test_the_pages_of_a_case_in_another_province_are_not_found(as_user, case, page):
    client = as_user("caseworker.haiphong")
    assert client.get(url(page, case)).status_code == 404
    assert client.post(url(page, case), {}).status_code == 404


# --- People ---------------------------------------------------------------------------------------


def test_the_case_worker_links_a_child_and_the_coordinator_sees_it_masked(as_user, case):
    client = as_user("caseworker.hanoi")
    response = client.post(
        url("people", case),
        {
            "relationship": "child",
            "full_name": CHILD,
            "sex": "male",
            "birth_year": "2019",
            "nationality_class": "vn_citizen",
            "is_protected": "on",
        },
    )
    assert response.status_code == 302
    link = LinkedPerson.objects.get(case=case)
    assert link.relationship == "child" and link.is_protected and link.person.full_name == CHILD
    html = client.get(url("people", case)).content.decode()
    assert CHILD in html and "Accompanying child under 18" in html and "Under protection" in html

    reader = as_user("coordinator.hanoi").get(url("people", case)).content.decode()
    assert CHILD not in reader and NAME not in reader and selectors.MASK in reader
    assert "Accompanying child under 18" in reader and "2019" in reader


def test_linking_an_adult_as_a_child_names_the_relationship(as_user, case):
    response = as_user("caseworker.hanoi").post(
        url("people", case),
        {
            "relationship": "child",
            "full_name": CHILD,
            "sex": "male",
            "birth_year": "1990",
            "nationality_class": "vn_citizen",
        },
    )
    assert response.status_code == 400 and "relationship" in errors_of(response)
    assert not LinkedPerson.objects.filter(case=case).exists()


# --- Protection -----------------------------------------------------------------------------------


def test_the_case_worker_records_a_protection_decision(as_user, case):
    client = as_user("caseworker.hanoi")
    response = client.post(
        url("protection", case),
        {
            "subject": str(case.person_id),
            "risk_assessment": RISK,
            "risk_level": "high",
            "decided_on": day(TODAY()),
            "decided_by": str(Agency.objects.get(name="Công an Thành phố Hà Nội").pk),
            "measures": ["safe_shelter", "protect_personal_information"],
        },
    )
    assert response.status_code == 302
    decision = ProtectionDecision.objects.get(case=case)
    assert decision.measures == ["safe_shelter", "protect_personal_information"]
    html = client.get(url("protection", case)).content.decode()
    assert "Safe temporary shelter" in html and "In force" in html and RISK in html

    reader = as_user("coordinator.hanoi").get(url("protection", case)).content.decode()
    assert RISK not in reader and "Safe temporary shelter" in reader and selectors.MASK in reader


def test_a_decision_without_measures_names_the_field(as_user, case):
    response = as_user("caseworker.hanoi").post(
        url("protection", case),
        {
            "subject": str(case.person_id),
            "risk_assessment": RISK,
            "risk_level": "high",
            "decided_on": day(TODAY()),
            "decided_by": str(Agency.objects.get(name="Công an Thành phố Hà Nội").pk),
        },
    )
    assert response.status_code == 400 and "measures" in errors_of(response)


def test_a_refusal_without_a_commitment_names_the_commitment(as_user, worker, case):
    decision = decided(worker, case)
    response = as_user("caseworker.hanoi").post(
        url("protection_refuse", case, decision.pk),
        {"refusal_reason": "Không muốn (minh họa)", "refused_on": day(TODAY())},
    )
    assert response.status_code == 400
    form = response.context["rows"][0]["refuse"]
    assert "commitment_file" in form.errors and response.context["rows"][0]["refuse_open"]
    decision.refresh_from_db()
    assert decision.status == ProtectionStatus.ACTIVE


def test_a_refusal_with_the_commitment_on_paper_is_recorded(as_user, worker, case):
    decision = decided(worker, case)
    response = as_user("caseworker.hanoi").post(
        url("protection_refuse", case, decision.pk),
        {
            "refusal_reason": "Không muốn (minh họa)",
            "refused_on": day(TODAY()),
            "commitment_recorded": "on",
            "commitment_date": day(TODAY()),
        },
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.status == ProtectionStatus.REFUSED and decision.commitment_recorded


def test_a_refusal_with_the_signed_commitment_attached(as_user, worker, case):
    decision = decided(worker, case)
    commitment = attached(worker, case, kind="protection_commitment", name="cam-ket.pdf")
    client = as_user("caseworker.hanoi")
    assert str(commitment.pk) in client.get(url("protection", case)).content.decode()
    response = client.post(
        url("protection_refuse", case, decision.pk),
        {"refusal_reason": "Không muốn (minh họa)", "refused_on": day(TODAY()), "commitment_file": str(commitment.pk)},
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.status == ProtectionStatus.REFUSED and decision.commitment_file_id == commitment.pk


def test_ending_a_protection(as_user, worker, case):
    decision = decided(worker, case)
    client = as_user("caseworker.hanoi")
    response = client.post(url("protection_end", case, decision.pk), {"ended_on": day(TODAY())})
    assert response.status_code == 400 and "end_reason" in response.context["rows"][0]["end"].errors
    response = client.post(
        url("protection_end", case, decision.pk), {"ended_on": day(TODAY()), "end_reason": "Hết nguy cơ"}
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.status == ProtectionStatus.ENDED
    again = client.post(url("protection_end", case, decision.pk), {"ended_on": day(TODAY()), "end_reason": "x"})
    assert again.status_code == 302


# --- Shelter --------------------------------------------------------------------------------------


def test_the_case_worker_starts_a_stay_and_sees_the_days_left(as_user, case, shelter_agency):
    client = as_user("caseworker.hanoi")
    start = TODAY() - timedelta(days=10)
    response = client.post(
        url("shelter", case),
        {"person": str(case.person_id), "facility": str(shelter_agency.pk), "start_date": day(start)},
    )
    assert response.status_code == 302
    stay_row = ShelterStay.objects.get(case=case)
    due = start + timedelta(days=119)
    html = client.get(url("shelter", case)).content.decode()
    assert day(due) in html and f"{(due - TODAY()).days} days left" in html and SHELTER in html

    reader = as_user("coordinator.hanoi").get(url("shelter", case)).content.decode()
    assert SHELTER not in reader and selectors.MASK in reader and day(due) in reader
    assert stay_row.end_date is None


def test_a_stay_past_the_limit_is_marked_overdue(as_user, worker, case, shelter_agency):
    stay(worker, case, shelter_agency, start=TODAY() - timedelta(days=130))
    response = as_user("caseworker.hanoi").get(url("shelter", case))
    row = response.context["rows"][0]
    assert row["overdue"] and row["days_over"] == 11
    assert "Overdue by 11 days" in response.content.decode()


def test_an_extension_without_a_decision_number_names_it_then_succeeds(as_user, worker, case, shelter_agency):
    current = stay(worker, case, shelter_agency)
    client = as_user("caseworker.hanoi")
    until = day(TODAY() + timedelta(days=200))
    response = client.post(
        url("shelter_extend", case, current.pk), {"extension_decided_on": day(TODAY()), "extended_until": until}
    )
    assert response.status_code == 400
    assert "extension_decision_number" in response.context["rows"][0]["extend"].errors
    response = client.post(
        url("shelter_extend", case, current.pk),
        {
            "extension_decision_number": "15/QĐ-SYT",
            "extension_decided_on": day(TODAY()),
            "extension_decided_by": str(Agency.objects.get(name="Sở Y tế Thành phố Hà Nội").pk),
            "extended_until": until,
        },
    )
    assert response.status_code == 302
    current.refresh_from_db()
    assert current.extension_decision_number == "15/QĐ-SYT"
    assert "15/QĐ-SYT" in client.get(url("shelter", case)).content.decode()


def test_ending_a_stay(as_user, worker, case, shelter_agency):
    current = stay(worker, case, shelter_agency)
    client = as_user("caseworker.hanoi")
    response = client.post(url("shelter_end", case, current.pk), {"end_date": day(TODAY() + timedelta(days=5))})
    assert response.status_code == 400 and "end_date" in response.context["rows"][0]["end"].errors
    response = client.post(url("shelter_end", case, current.pk), {"end_date": day(TODAY())})
    assert response.status_code == 302
    current.refresh_from_db()
    assert current.end_date == TODAY()


# --- Reintegration ----------------------------------------------------------------------------------


def test_the_case_worker_records_an_application_with_its_due_date(as_user, case):
    client = as_user("caseworker.hanoi")
    response = client.post(
        url("reintegration", case),
        {
            "beneficiary": str(case.person_id),
            "applicant": "person",
            "submitted_via": "in_person",
            "received_on": day(TODAY()),
            "regimes": ["VOC", "HAR"],
        },
    )
    assert response.status_code == 302
    application = ReintegrationApplication.objects.get(case=case)
    due = selectors.application_deadline(application).due
    html = client.get(url("reintegration", case)).content.decode()
    assert day(due) in html and "Vocational training" in html


def test_a_decision_without_a_decision_number_names_it_then_approves(as_user, worker, case):
    application = received(worker, case)
    # Form 07 is the Department of Health's decision (Decree 162 Art. 24): its supervisor records it.
    assert as_user("caseworker.hanoi").post(url("reintegration_decide", case, application.pk), {}).status_code == 403
    client = as_user("supervisor.hanoi")
    response = client.post(
        url("reintegration_decide", case, application.pk), {"status": "approved", "decided_on": day(TODAY())}
    )
    assert response.status_code == 400
    assert "decision_number" in response.context["rows"][0]["decide"].errors
    response = client.post(
        url("reintegration_decide", case, application.pk),
        {"status": "refused", "decided_on": day(TODAY()), "reason": "Không đủ điều kiện (minh họa)"},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REFUSED


def test_an_approval_with_its_decision_number(as_user, worker, case):
    application = received(worker, case)
    response = as_user("supervisor.hanoi").post(
        url("reintegration_decide", case, application.pk),
        {"status": "approved", "decided_on": day(TODAY()), "decision_number": "30/QĐ-SYT"},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED and application.decision_number == "30/QĐ-SYT"
    assert "30/QĐ-SYT" in as_user("caseworker.hanoi").get(url("reintegration", case)).content.decode()


def test_an_overdue_application_is_marked_on_the_page_and_first_on_the_worklist(as_user, worker, case):
    application = received(worker, case)
    ReintegrationApplication.objects.filter(pk=application.pk).update(received_on=TODAY() - timedelta(days=30))
    client = as_user("caseworker.hanoi")
    response = client.get(url("reintegration", case))
    assert response.context["rows"][0]["deadline"].overdue and "Overdue" in response.content.decode()
    worklist = client.get(reverse("cases:worklist"))
    rows = worklist.context["applications"]
    assert rows and rows[0]["application"].pk == application.pk and rows[0]["deadline"].overdue
    assert url("reintegration", case) in worklist.content.decode()


# --- Files ----------------------------------------------------------------------------------------


def test_upload_and_download_by_the_case_worker(as_user, case):
    client = as_user("caseworker.hanoi")
    response = client.post(
        url("files", case), {"kind": "identification_document", "file": SimpleUploadedFile(FILE_NAME, PDF)}
    )
    assert response.status_code == 302
    attachment = CaseAttachment.objects.get(case=case)
    html = client.get(url("files", case)).content.decode()
    assert FILE_NAME in html and url("file_download", case, attachment.pk) in html and "Identification document" in html

    download = client.get(url("file_download", case, attachment.pk))
    assert download.status_code == 200 and download.content == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment;")
    assert AuditEntry.objects.filter(action="cases.attachment_downloaded", object_id=str(case.pk)).exists()


def test_a_text_file_named_pdf_is_refused_on_the_file_field(as_user, case):
    response = as_user("caseworker.hanoi").post(
        url("files", case),
        {"kind": "other", "file": SimpleUploadedFile("giay-to.pdf", b"This is plain text, not a PDF.\n")},
    )
    assert response.status_code == 400 and "file" in errors_of(response)
    assert not CaseAttachment.objects.filter(case=case).exists()


def test_an_upload_without_a_file_or_kind_names_them(as_user, case):
    response = as_user("caseworker.hanoi").post(url("files", case), {"kind": "nope"})
    assert response.status_code == 400 and {"file", "kind"} <= set(errors_of(response))


def test_the_coordinator_sees_the_list_without_names_and_may_not_download(as_user, worker, case):
    attachment = attached(worker, case)
    client = as_user("coordinator.hanoi")
    html = client.get(url("files", case)).content.decode()
    assert FILE_NAME not in html and selectors.MASK in html and "Identification document" in html
    assert url("file_download", case, attachment.pk) not in html
    assert client.get(url("file_download", case, attachment.pk)).status_code == 403
    assert AuditEntry.objects.filter(action="cases.attachment_download_refused", object_id=str(case.pk)).exists()


def test_a_download_from_another_province_or_another_case_is_not_found(as_user, worker, case):
    attachment = attached(worker, case)
    assert as_user("caseworker.haiphong").get(url("file_download", case, attachment.pk)).status_code == 404
    other = services.create_case(
        actor=worker,
        person_data={"full_name": "Người khác (minh họa)", "birth_year": 2000},
        case_data={
            "intake_channel": "rescue",
            "reception_date": TODAY(),
            "unit": AdministrativeUnit.objects.get(code="01", valid_to__isnull=True),
            "agency": Agency.objects.get(name="Sở Y tế Thành phố Hà Nội"),
        },
    )
    client = as_user("caseworker.hanoi")
    assert client.get(url("file_download", other, attachment.pk)).status_code == 404
    assert client.get(url("file_download", case, other.pk)).status_code == 404


# --- Junk input -----------------------------------------------------------------------------------

JUNK = {
    "subject": "not-a-person",
    "person": "'; DROP TABLE x",
    "beneficiary": "00000000-0000-0000-0000-000000000000",
    "facility": "abc",
    "relationship": "cousin",
    "risk_level": "extreme",
    "measures": ["nope"],
    "regimes": ["XYZ"],
    "approved_regimes": ["XYZ"],
    "status": "maybe",
    "birth_year": "abc",
    "birth_date": "31/02/2026",
    "decided_on": "31/11/2023",
    "start_date": "yesterday",
    "end_date": "99/99/9999",
    "received_on": "\x00",
    "refused_on": "2026-13-45",
    "ended_on": "",
    "extended_until": "-1",
    "extension_decided_on": "x" * 5000,
    "commitment_file": "not-a-file",
    "commitment_date": "0/0/0",
    "applicant": "robot",
    "submitted_via": "pigeon",
    "kind": "virus",
    "full_name": "\u0301" * 300,
}


def test_junk_input_is_answered_with_400_never_500(as_user, worker, case, shelter_agency):
    decision = decided(worker, case)
    current = stay(worker, case, shelter_agency)
    application = received(worker, case)
    # The supervisor may take every one of these steps (Form 07 decisions included).
    client = as_user("supervisor.hanoi")
    targets = [url(page, case) for page in PAGES] + [
        url("protection_refuse", case, decision.pk),
        url("protection_end", case, decision.pk),
        url("shelter_extend", case, current.pk),
        url("shelter_end", case, current.pk),
        url("reintegration_decide", case, application.pk),
    ]
    for target in targets:
        response = client.post(target, JUNK)
        assert response.status_code == 400, target
    assert client.get(f"/cases/{case.pk}/files/not-a-uuid/").status_code == 404
    assert client.post(url("protection_end", case, case.pk), {}).status_code == 404
    assert client.post(url("shelter_end", case, decision.pk), {}).status_code == 404
    assert client.post(url("reintegration_decide", case, current.pk), {}).status_code == 404
    case.refresh_from_db()
    assert case.status == CaseStatus.IDENTIFIED
