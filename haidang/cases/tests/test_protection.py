"""Protection decisions and refusals, shelter stays against the 120-day limit, Form 07 applications
within 9 working days, and linked persons: each rule refused with its field, timeline, audit, scope."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from haidang.access.models import Agency, User
from haidang.audit.models import AuditEntry
from haidang.cases import protection, selectors, services
from haidang.cases.models import (
    Case,
    CaseEvent,
    CaseStatus,
    LinkedPerson,
    ProtectionDecision,
    ReintegrationApplication,
    ShelterStay,
)
from haidang.cases.tests.steps import walk
from haidang.common.errors import StaleVersionError
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
RISK = "Đối tượng Trần Văn X đe doạ tại thôn Yên Bình (minh họa)"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def hanoi(db):
    return AdministrativeUnit.objects.get(code="01", valid_to__isnull=True)


@pytest.fixture
def worker(demo_users):
    return demo_users["caseworker.hanoi"]


def open_case(worker, hanoi, *, identify=True, **person):
    case = services.create_case(
        actor=worker,
        person_data={"full_name": "Vũ Thị Thanh (minh họa)", "birth_year": 2001, **person},
        case_data={
            "intake_channel": "rescue",
            "reception_date": date(2026, 3, 1),
            "unit": hanoi,
            "agency": Agency.objects.get(name="Sở Y tế Thành phố Hà Nội"),
        },
    )
    steps = [("received", None), ("initial_verification", None)]
    if identify:
        steps.append(("identified", IDENTIFICATION))
    return walk(case, worker, steps)


@pytest.fixture
def case(worker, hanoi):
    return open_case(worker, hanoi)


@pytest.fixture
def shelter(db):
    return Agency.objects.get(name="Cơ sở trợ giúp nạn nhân Hà Nội (minh họa)")


def refused(call, *args, **kwargs) -> dict:
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    return caught.value.message_dict


def events(case, kind):
    return list(CaseEvent.objects.filter(case=case, kind=kind))


def audits(case, action):
    return list(AuditEntry.objects.filter(action=action, object_id=str(case.pk)))


def raw_column(model, column, pk):
    table = connection.ops.quote_name(model._meta.db_table)
    pk_value = model._meta.pk.get_db_prep_value(pk, connection)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk_value])
        return cursor.fetchone()[0]


def head():
    """The Department of Health's supervisor: Form 07 is its decision (Decree 162 Art. 24)."""
    return User.objects.get(username="supervisor.hanoi")


def protect(worker, case, **data):
    return protection.decide_protection(
        actor=worker,
        case=case,
        data={
            "risk_assessment": RISK,
            "risk_level": "high",
            "decided_on": date(2026, 3, 6),
            "decided_by": Agency.objects.get(name="Công an Thành phố Hà Nội"),
            "measures": ["safe_shelter", "protect_personal_information"],
            **data,
        },
    )


def link_child(worker, case, **person):
    return protection.link_person(
        actor=worker,
        case=case,
        person_data={"full_name": "Bé Vũ An (minh họa)", "birth_year": 2019, **person},
        relationship="child",
    )


# --- Linked persons -----------------------------------------------------------------------------------


def test_a_linked_child_is_sealed_timed_and_audited_without_the_name(worker, case):
    link = link_child(worker, case, document_number="0010 1900 0001")
    assert link.relationship == "child" and link.person.full_name == "Bé Vũ An (minh họa)"
    assert link.person.name_key == services.name_key("An Vu Be (minh hoa)")
    assert link.person.document_hash == services.document_key("001019000001")
    stored = raw_column(type(link.person), "full_name", link.person.pk)
    assert stored.startswith("enc:") and "Vũ" not in stored
    (event,) = events(case, "person_linked")
    assert event.data == {"link": str(link.pk), "relationship": "child", "is_protected": False}
    (entry,) = audits(case, "cases.person_linked")
    assert entry.changes["full_name"] == "***" and entry.changes["document_number"] == "***"
    assert "Vũ" not in str(entry.changes) and "1900" not in str(entry.changes)


def test_linking_refuses_bad_input_naming_the_field(worker, case):
    errors = refused(protection.link_person, actor=worker, case=case, person_data={}, relationship="cousin")
    assert set(errors) == {"full_name", "relationship"}
    # An accompanying child is under 18 on the reception date (01/03/2026).
    errors = refused(link_child, worker, case, birth_date=date(2007, 2, 1))
    assert "relationship" in errors and "18" in errors["relationship"][0]
    errors = refused(link_child, worker, case, nationality_class="foreign")
    assert "nationality_country" in errors
    # A birth year alone that could still be 17 is not refused.
    assert link_child(worker, case, birth_year=2008).relationship == "child"
    assert not events(case, "person_linked")[1:]


def test_update_link_changes_what_is_given_and_keeps_the_notes_out_of_the_log(worker, case):
    link = protection.link_person(
        actor=worker, case=case, person_data={"full_name": "Vũ Văn Bố (minh họa)"}, relationship="relative"
    )
    protection.update_link(
        actor=worker, link=link, version=1, data={"relationship": "parent", "notes": "Sống ở thôn Đông"}
    )
    link.refresh_from_db()
    assert (link.relationship, link.notes, link.version) == ("parent", "Sống ở thôn Đông", 2)
    (event,) = events(case, "link_updated")
    assert event.data == {"link": str(link.pk), "relationship": "parent", "notes": "changed"}
    (entry,) = audits(case, "cases.link_updated")
    assert entry.changes["notes"] == "***"
    assert "relationship" in refused(
        protection.update_link, actor=worker, link=link, version=2, data={"relationship": "x"}
    )


def test_update_link_refuses_a_stale_version_and_a_closed_case(worker, case):
    link = protection.link_person(
        actor=worker, case=case, person_data={"full_name": "Vũ Văn Bố (minh họa)"}, relationship="relative"
    )
    protection.update_link(actor=worker, link=link, version=1, data={"notes": "Lần một"})
    with pytest.raises(StaleVersionError) as stale:
        protection.update_link(actor=worker, link=link, version=1, data={"notes": "Lần hai"})
    assert stale.value.current_version == 2
    link.refresh_from_db()
    assert link.notes == "Lần một"
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED)
    errors = refused(protection.update_link, actor=worker, link=link, version=2, data={"notes": "Lần ba"})
    assert errors["case"] == ["Hồ sơ đã kết thúc; hãy mở lại hồ sơ trước khi ghi nhận nội dung mới."]
    link.refresh_from_db()
    assert (link.notes, link.version) == ("Lần một", 2)


def test_linking_needs_the_right_to_edit_the_case(demo_users, case):
    for name in ("caseworker.haiphong", "coordinator.hanoi"):
        with pytest.raises(PermissionDenied):
            link_child(demo_users[name], case)
    assert not LinkedPerson.objects.exists()


# --- Protection ---------------------------------------------------------------------------------------


def test_a_protection_decision_is_sealed_timed_and_audited(worker, case):
    decision = protect(worker, case)
    assert decision.status == "active" and decision.subject_id == case.person_id
    assert decision.measures == ["safe_shelter", "protect_personal_information"]
    stored = raw_column(ProtectionDecision, "risk_assessment", decision.pk)
    assert stored.startswith("enc:") and "Yên Bình" not in stored
    decision.refresh_from_db()
    assert decision.risk_assessment == RISK
    (event,) = events(case, "protection_decided")
    assert event.data["subject"] == "person" and event.data["risk_level"] == "high"
    assert event.data["decision_date"] == "2026-03-06" and "Yên Bình" not in str(event.data) + event.note
    (entry,) = audits(case, "cases.protection_decided")
    assert entry.changes["risk_assessment"] == "***" and "Yên Bình" not in str(entry.changes)


def test_a_protection_decision_refuses_each_missing_or_wrong_value(demo_users, worker, case, hanoi):
    errors = refused(protection.decide_protection, actor=worker, case=case, data={})
    assert set(errors) == {"risk_assessment", "risk_level", "decided_on", "decided_by", "measures"}
    errors = refused(
        protect, worker, case, measures=["safe_shelter", "teleport"], risk_level="extreme", decided_on=date(2099, 1, 1)
    )
    assert set(errors) == {"measures", "risk_level", "decided_on"}
    assert set(refused(protect, worker, case, measures=["other"])) == {"other_measure"}
    stranger = open_case(worker, hanoi, full_name="Người khác (minh họa)").person
    assert set(refused(protect, worker, case, subject=stranger)) == {"subject"}
    assert not ProtectionDecision.objects.exists()


def test_protection_of_a_linked_person_follows_the_decision(worker, case):
    link = link_child(worker, case)
    decision = protect(worker, case, subject=link.person, measures=["other"], other_measure="Đưa đón tới trường")
    link.refresh_from_db()
    assert link.is_protected and decision.other_measure == "Đưa đón tới trường"
    assert events(case, "protection_decided")[0].data["subject"] == "child"
    errors = refused(
        protection.update_link, actor=worker, link=link, version=link.version, data={"is_protected": False}
    )
    assert "is_protected" in errors
    protection.end_protection(
        actor=worker, decision=decision, data={"ended_on": date(2026, 6, 1), "end_reason": "Hết nguy cơ"}
    )
    link.refresh_from_db()
    assert not link.is_protected


def test_a_refusal_needs_a_reason_and_a_written_commitment(worker, case):
    decision = protect(worker, case)
    errors = refused(protection.record_refusal, actor=worker, decision=decision, data={})
    assert set(errors) == {"refusal_reason", "refused_on", "commitment_file"}
    errors = refused(
        protection.record_refusal,
        actor=worker,
        decision=decision,
        data={"refusal_reason": "Muốn về nhà", "refused_on": date(2026, 3, 1), "commitment_recorded": True},
    )
    assert set(errors) == {"refused_on", "commitment_date"}
    photo = protection.add_attachment(
        actor=worker, case=case, kind="photo", uploaded_file=SimpleUploadedFile("cam-ket.pdf", PDF)
    )
    errors = refused(
        protection.record_refusal,
        actor=worker,
        decision=decision,
        data={"refusal_reason": "Muốn về nhà", "refused_on": date(2026, 3, 8), "commitment_file": photo},
    )
    assert set(errors) == {"commitment_file"}
    decision.refresh_from_db()
    assert decision.status == "active" and not events(case, "protection_refused")


def test_a_refusal_with_the_signed_commitment_attached_ends_the_protection(worker, case):
    decision = protect(worker, case)
    signed = protection.add_attachment(
        actor=worker,
        case=case,
        kind="protection_commitment",
        uploaded_file=SimpleUploadedFile("cam-ket.pdf", PDF),
    )
    refusal = protection.record_refusal(
        actor=worker,
        decision=decision,
        data={"refusal_reason": "Sợ bị lộ ở thôn Yên Bình", "refused_on": date(2026, 3, 8), "commitment_file": signed},
    )
    assert (refusal.status, refusal.ended_on, refusal.commitment_file_id) == ("refused", date(2026, 3, 8), signed.pk)
    assert refusal.commitment_date == date(2026, 3, 8) and not refusal.commitment_recorded
    assert "Yên Bình" not in raw_column(ProtectionDecision, "refusal_reason", decision.pk)
    (event,) = events(case, "protection_refused")
    assert event.data["commitment"] == "attached" and "Yên Bình" not in str(event.data) + event.note
    (entry,) = audits(case, "cases.protection_refused")
    assert entry.changes["refusal_reason"] == "***" and entry.changes["commitment_file"] == str(signed.pk)
    # A decision no longer in force cannot be refused or ended again.
    assert "status" in refused(
        protection.end_protection, actor=worker, decision=refusal, data={"ended_on": date(2026, 3, 9)}
    )


def test_a_refusal_with_the_commitment_kept_on_paper(worker, case):
    decision = protect(worker, case)
    refusal = protection.record_refusal(
        actor=worker,
        decision=decision,
        data={
            "refusal_reason": "Muốn về nhà",
            "refused_on": date(2026, 3, 9),
            "commitment_recorded": True,
            "commitment_date": date(2026, 3, 8),
        },
    )
    assert refusal.commitment_recorded and refusal.commitment_date == date(2026, 3, 8)
    assert events(case, "protection_refused")[0].data["commitment"] == "on_paper"


def test_ending_a_protection_needs_a_date_after_the_decision_and_a_reason(worker, case):
    decision = protect(worker, case)
    errors = refused(protection.end_protection, actor=worker, decision=decision, data={"ended_on": date(2026, 3, 1)})
    assert set(errors) == {"ended_on", "end_reason"}
    ended = protection.end_protection(
        actor=worker, decision=decision, data={"ended_on": date(2026, 5, 1), "end_reason": "Đối tượng đã bị bắt"}
    )
    assert (ended.status, ended.ended_on) == ("ended", date(2026, 5, 1))
    assert events(case, "protection_ended")[0].data == {"protection": str(decision.pk), "end_date": "2026-05-01"}
    assert audits(case, "cases.protection_ended")[0].changes["end_reason"] == "***"


def test_protection_needs_the_right_to_edit_the_case(demo_users, worker, case):
    for name in ("caseworker.haiphong", "coordinator.hanoi"):
        with pytest.raises(PermissionDenied):
            protect(demo_users[name], case)
    decision = protect(worker, case)
    with pytest.raises(PermissionDenied):
        protection.end_protection(
            actor=demo_users["caseworker.haiphong"],
            decision=decision,
            data={"ended_on": date(2026, 5, 1), "end_reason": "x"},
        )
    with pytest.raises(PermissionDenied):
        protection.record_refusal(actor=demo_users["caseworker.haiphong"], decision=decision, data={})


def test_a_closed_case_takes_no_new_protection(worker, case):
    decision = protect(worker, case)
    # Closing waits until the protection has ended (see test_a_case_with_protection_in_force...).
    protection.end_protection(actor=worker, decision=decision, data={"ended_on": date(2026, 5, 1), "end_reason": "x"})
    case.refresh_from_db()
    services.transition_case(
        actor=worker, case=case, target="closed", version=case.version, data={"closure_reasons": ["contact_lost"]}
    )
    assert "case" in refused(protect, worker, case)


def test_a_masked_reader_sees_decisions_without_the_assessment(demo_users, worker, case):
    protect(worker, case)
    (shown,) = selectors.protection_decisions_for(worker, case)
    (masked,) = selectors.protection_decisions_for(demo_users["coordinator.hanoi"], case)
    assert shown.risk_assessment == RISK and masked.risk_assessment == "•••"
    assert masked.decision.risk_level == "high" and masked.subject == "person"


# --- Shelter stays ------------------------------------------------------------------------------------


def stay(worker, case, shelter, start=date(2026, 3, 10), **data):
    return protection.start_stay(actor=worker, case=case, data={"facility": shelter, "start_date": start, **data})


def test_a_stay_runs_120_days_and_ends_within_them(worker, case, shelter):
    first = stay(worker, case, shelter)
    deadline = selectors.stay_deadline(first, today=date(2026, 7, 7))
    assert deadline.due == date(2026, 3, 10) + timedelta(days=119) == date(2026, 7, 7)
    assert not deadline.overdue
    assert selectors.stay_deadline(first, today=date(2026, 7, 8)).overdue
    errors = refused(protection.end_stay, actor=worker, stay=first, data={"end_date": date(2026, 7, 8)})
    assert "end_date" in errors and "07/07/2026" in errors["end_date"][0]
    ended = protection.end_stay(actor=worker, stay=first, data={"end_date": date(2026, 7, 7)})
    assert ended.end_date == date(2026, 7, 7)
    assert [e.data["due_date"] for e in events(case, "shelter_stay_started")] == ["2026-07-07"]
    assert events(case, "shelter_stay_ended")[0].data["days"] == 120
    assert [len(audits(case, a)) for a in ("cases.shelter_stay_started", "cases.shelter_stay_ended")] == [1, 1]


def test_the_timeline_does_not_say_where_the_person_stays(demo_users, worker, case, shelter):
    stay(worker, case, shelter)
    (event,) = events(case, "shelter_stay_started")
    assert shelter.name not in str(event.data) and str(shelter.pk) not in str(event.data)
    (masked,) = selectors.shelter_stays_for(demo_users["coordinator.hanoi"], case, today=date(2026, 4, 1))
    (shown,) = selectors.shelter_stays_for(worker, case, today=date(2026, 4, 1))
    assert masked.facility == "•••" and shown.facility == shelter.name
    assert masked.deadline.due == date(2026, 7, 7)


def test_an_extension_needs_a_decision_number_and_date_and_a_later_day(worker, case, shelter):
    first = stay(worker, case, shelter)
    errors = refused(protection.extend_stay, actor=worker, stay=first, data={"extended_until": date(2026, 9, 30)})
    assert set(errors) == {"extension_decision_number", "extension_decided_on", "extension_decided_by"}
    errors = refused(
        protection.extend_stay,
        actor=worker,
        stay=first,
        data={
            "extended_until": date(2026, 7, 7),
            "extension_decision_number": "15/QĐ-SYT",
            "extension_decided_on": date(2099, 1, 1),
            # The police do not extend a shelter stay (Decree 162 Art. 17).
            "extension_decided_by": Agency.objects.get(name="Công an Thành phố Hà Nội"),
        },
    )
    assert set(errors) == {"extended_until", "extension_decided_on", "extension_decided_by"}
    extended = protection.extend_stay(
        actor=worker,
        stay=first,
        data={
            "extended_until": date(2026, 9, 30),
            "extension_decision_number": "15/QĐ-SYT",
            "extension_decided_on": date(2026, 7, 1),
            "extension_decided_by": Agency.objects.get(name="Sở Y tế Thành phố Hà Nội"),
        },
    )
    assert selectors.stay_deadline(extended).due == date(2026, 9, 30)
    assert protection.end_stay(actor=worker, stay=extended, data={"end_date": date(2026, 9, 30)}).end_date
    (event,) = events(case, "shelter_stay_extended")
    assert event.data["previous_due_date"] == "2026-07-07" and event.data["due_date"] == "2026-09-30"
    assert audits(case, "cases.shelter_stay_extended")[0].changes["extension_decision_number"] == "15/QĐ-SYT"
    # An ended stay takes neither an extension nor a second end.
    assert "status" in refused(protection.end_stay, actor=worker, stay=extended, data={"end_date": date(2026, 10, 1)})


def test_a_new_stay_may_not_overlap_and_the_120_days_count_across_stays(worker, case, shelter):
    first = stay(worker, case, shelter)
    errors = refused(stay, worker, case, shelter, start=date(2026, 4, 1))
    assert "start_date" in errors and "10/03/2026" in errors["start_date"][0]
    protection.end_stay(actor=worker, stay=first, data={"end_date": date(2026, 4, 8)})  # 30 days
    assert "start_date" in refused(stay, worker, case, shelter, start=date(2026, 4, 8))
    assert "start_date" in refused(stay, worker, case, shelter, start=date(2026, 3, 20))
    second = stay(worker, case, shelter, start=date(2026, 4, 9))
    # 90 days left: 09/04 + 89 days.
    assert selectors.stay_deadline(second).due == date(2026, 7, 7)
    # The accompanying child has a stay of their own, beside the mother's.
    child = link_child(worker, case).person
    assert stay(worker, case, shelter, start=date(2026, 4, 9), person=child).person_id == child.pk


def test_once_the_days_are_used_a_new_stay_comes_with_its_extension(worker, case, shelter):
    first = stay(worker, case, shelter)
    protection.end_stay(actor=worker, stay=first, data={"end_date": date(2026, 7, 7)})
    errors = refused(stay, worker, case, shelter, start=date(2026, 8, 1))
    assert "start_date" in errors and "120" in errors["start_date"][0]
    later = stay(
        worker,
        case,
        shelter,
        start=date(2026, 8, 1),
        extended_until=date(2026, 8, 31),
        extension_decision_number="20/QĐ-SYT",
        extension_decided_on=date(2026, 7, 30),
        extension_decided_by=Agency.objects.get(name="Sở Y tế Thành phố Hà Nội"),
    )
    assert selectors.stay_deadline(later, today=date(2026, 8, 15)).due == date(2026, 8, 31)


def test_a_stay_refuses_bad_input_naming_the_field(worker, case, hanoi):
    stranger = open_case(worker, hanoi, full_name="Người khác (minh họa)").person
    errors = refused(protection.start_stay, actor=worker, case=case, data={"person": stranger})
    assert set(errors) == {"person", "facility", "start_date"}
    assert not ShelterStay.objects.exists()


def test_stays_need_the_right_to_edit_the_case(demo_users, worker, case, shelter):
    with pytest.raises(PermissionDenied):
        stay(demo_users["caseworker.haiphong"], case, shelter)
    first = stay(worker, case, shelter)
    other = demo_users["caseworker.haiphong"]
    with pytest.raises(PermissionDenied):
        protection.end_stay(actor=other, stay=first, data={"end_date": date(2026, 4, 1)})
    with pytest.raises(PermissionDenied):
        protection.extend_stay(actor=other, stay=first, data={})


# --- Reintegration applications (Form 07) -------------------------------------------------------------


def apply(worker, case, **data):
    return protection.receive_application(
        actor=worker, case=case, data={"received_on": date(2026, 4, 24), "regimes": ["VOC", "HAR"], **data}
    )


def test_an_application_is_due_nine_working_days_after_receipt_skipping_holidays(worker, case, settings):
    application = apply(worker, case)  # Friday 24/04/2026; 27/04, 30/04 and 01/05 are holidays.
    deadline = selectors.application_deadline(application, today=date(2026, 5, 12))
    assert (deadline.due, deadline.pending, deadline.overdue) == (date(2026, 5, 12), True, False)
    assert selectors.application_deadline(application, today=date(2026, 5, 13)).overdue
    (event,) = events(case, "reintegration_application_received")
    assert event.data["due_date"] == "2026-05-12" and event.data["regimes"] == ["VOC", "HAR"]
    assert audits(case, "cases.reintegration_application_received")[0].changes["due"] == "2026-05-12"
    # The holidays come from the data file with their source; the setting can only add a day.
    settings.PUBLIC_HOLIDAYS = []
    assert selectors.application_deadline(application, today=date(2026, 5, 1)).due == date(2026, 5, 12)
    settings.PUBLIC_HOLIDAYS = [date(2026, 5, 4)]
    assert selectors.application_deadline(application, today=date(2026, 5, 1)).due == date(2026, 5, 13)


def test_an_application_refuses_each_missing_or_wrong_value(worker, case, hanoi):
    errors = refused(protection.receive_application, actor=worker, case=case, data={"applicant": "neighbour"})
    assert set(errors) == {"applicant", "received_on", "regimes"}
    errors = refused(apply, worker, case, received_on=date(2026, 3, 4), regimes=["ESS"], submitted_via="fax")
    assert set(errors) == {"received_on", "regimes", "submitted_via"}
    assert set(refused(apply, worker, case, applicant="family")) == {"applicant_name"}
    unidentified = open_case(worker, hanoi, identify=False, full_name="Người khác (minh họa)")
    assert "case" in refused(apply, worker, unidentified)
    apply(worker, case)
    assert set(refused(apply, worker, case)) == {"beneficiary"}


def test_a_child_victim_applies_through_the_family(worker, hanoi):
    young = open_case(worker, hanoi, birth_year=None, birth_date=date(2010, 5, 1))
    assert set(refused(apply, worker, young)) == {"applicant"}
    application = apply(worker, young, applicant="family", applicant_name="Vũ Văn Bố (minh họa)")
    assert application.applicant_name == "Vũ Văn Bố (minh họa)"
    assert "Vũ" not in raw_column(ReintegrationApplication, "applicant_name", application.pk)
    entry = audits(young, "cases.reintegration_application_received")[0]
    assert entry.changes["applicant_name"] == "***"


def test_an_approval_needs_a_decision_number_and_requested_regimes(worker, case):
    application = apply(worker, case)
    decide = protection.decide_application
    errors = refused(decide, actor=head(), application=application, data={"status": "approved"})
    assert set(errors) == {"decided_on", "decision_number"}
    errors = refused(
        decide,
        actor=head(),
        application=application,
        data={"status": "approved", "decided_on": date(2026, 4, 23), "approved_regimes": ["EDU"]},
    )
    assert set(errors) == {"decided_on", "decision_number", "approved_regimes"}
    errors = refused(decide, actor=head(), application=application, data={"status": "refused"})
    assert set(errors) == {"decided_on", "reason"}
    assert set(refused(decide, actor=head(), application=application, data={})) == {"status", "decided_on"}
    approved = decide(
        actor=head(),
        application=application,
        data={"status": "approved", "decided_on": date(2026, 5, 8), "decision_number": "31/QĐ-SYT"},
    )
    assert (
        approved.status,
        approved.approved_regimes,
        approved.decision_recorded_by,
        approved.deciding_agency.name,
    ) == (
        "approved",
        ["VOC", "HAR"],
        head(),
        "Sở Y tế Thành phố Hà Nội",
    )
    deadline = selectors.application_deadline(approved, today=date(2026, 6, 1))
    assert not deadline.pending and not deadline.late
    (event,) = events(case, "reintegration_application_decided")
    assert event.data["late"] is False and event.data["decision_number"] == "31/QĐ-SYT"
    assert audits(case, "cases.reintegration_application_decided")[0].changes["status"] == "approved"
    assert "status" in refused(
        decide, actor=head(), application=approved, data={"status": "refused", "decided_on": date(2026, 5, 9)}
    )


def test_a_late_refusal_is_recorded_and_marked_late(worker, case):
    application = apply(worker, case)
    late = protection.decide_application(
        actor=head(),
        application=application,
        data={"status": "refused", "decided_on": date(2026, 5, 13), "reason": "Đã được hỗ trợ học nghề"},
    )
    assert late.status == "refused" and selectors.application_deadline(late).decided_late
    (event,) = events(case, "reintegration_application_decided")
    assert event.data["late"] is True and event.note == "Đã được hỗ trợ học nghề"


def test_an_approval_follows_the_eligibility_engine_with_its_article(worker, case):
    child = link_child(worker, case).person
    application = apply(
        worker, case, beneficiary=child, applicant="family", applicant_name="Vũ Thị Thanh", regimes=["EDU", "VOC"]
    )
    errors = refused(
        protection.decide_application,
        actor=head(),
        application=application,
        data={"status": "approved", "decided_on": date(2026, 5, 4), "decision_number": "32/QĐ-SYT"},
    )
    assert "Art. 37(2)" in errors["approved_regimes"][0]
    approved = protection.decide_application(
        actor=head(),
        application=application,
        data={
            "status": "approved",
            "decided_on": date(2026, 5, 4),
            "decision_number": "32/QĐ-SYT",
            "approved_regimes": ["EDU"],
        },
    )
    assert approved.approved_regimes == ["EDU"]


def test_applications_need_the_right_to_edit_the_case_and_are_listed_in_scope(demo_users, worker, case):
    with pytest.raises(PermissionDenied):
        apply(demo_users["caseworker.haiphong"], case)
    application = apply(worker, case)
    with pytest.raises(PermissionDenied):
        protection.decide_application(
            actor=demo_users["caseworker.haiphong"],
            application=application,
            data={"status": "refused", "decided_on": date(2026, 5, 4), "reason": "x"},
        )
    waiting = selectors.applications_waiting_for(worker, today=date(2026, 5, 13))
    assert [(row.pk, deadline.overdue) for row, deadline in waiting] == [(application.pk, True)]
    assert selectors.applications_waiting_for(demo_users["caseworker.haiphong"]) == []
    (view,) = selectors.applications_for(demo_users["coordinator.hanoi"], case, today=date(2026, 5, 1))
    assert view.deadline.due == date(2026, 5, 12) and view.beneficiary == "person"


def test_the_worklist_page_lists_the_applications_waiting_only_in_scope(as_user, worker, case):
    heading = "Reintegration applications waiting for a decision"
    assert heading not in as_user("caseworker.hanoi").get(reverse("cases:worklist")).content.decode()
    apply(worker, case)
    page = as_user("caseworker.hanoi").get(reverse("cases:worklist")).content.decode()
    assert heading in page and reverse("cases:reintegration", args=[case.pk]) in page
    assert heading not in as_user("caseworker.haiphong").get(reverse("cases:worklist")).content.decode()


def test_a_case_with_protection_in_force_or_an_open_stay_cannot_close(demo_users):
    from datetime import date as _date

    from haidang.access.models import Agency as _Agency
    from haidang.cases import protection as _protection
    from haidang.cases import services as _services
    from haidang.places.models import AdministrativeUnit as _Unit

    worker = demo_users["caseworker.hanoi"]
    case = _services.create_case(
        actor=worker,
        person_data={"full_name": "Người đóng hồ sơ (minh họa)"},
        case_data={
            "intake_channel": "rescue",
            "reception_date": _date(2026, 2, 1),
            "unit": _Unit.objects.get(code="01", valid_to__isnull=True),
            "agency": _Agency.objects.get(name="Sở Y tế Thành phố Hà Nội"),
        },
    )
    data = {
        "decision_date": _date(2026, 2, 3),
        "evidence_sources": ["b"],
        "document_type": "police_certificate",
        "document_issuer": "Công an",
        "document_number": "1",
        "document_date": _date(2026, 2, 3),
    }
    case = walk(case, worker, (("received", None), ("initial_verification", None), ("identified", data)))
    _protection.start_stay(
        actor=worker,
        case=case,
        data={
            "facility": _Agency.objects.get(name="Cơ sở trợ giúp nạn nhân Hà Nội (minh họa)"),
            "start_date": _date(2026, 2, 3),
        },
    )
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError) as caught:
        _services.transition_case(
            actor=worker,
            case=case,
            target="closed",
            version=case.version,
            data={"closure_reasons": ["person_declined"]},
        )
    assert "shelter stay" in str(caught.value.message_dict["target"])
