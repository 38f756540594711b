"""The case core: intake, every transition allowed and refused, time limits, locking, scope."""

import unicodedata
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from haidang.access.models import Agency
from haidang.audit.models import AuditEntry
from haidang.cases import selectors, services, timelimits, workflow
from haidang.cases.models import CaseEvent, CaseStatus, LegalRegime
from haidang.places.models import AdministrativeUnit

pytestmark = pytest.mark.django_db

S = CaseStatus
IDENTIFICATION = {
    "decision_date": date(2026, 3, 5),
    "evidence_sources": ["b", "e"],
    "document_type": "police_certificate",
    "document_issuer": "Công an Thành phố Hà Nội",
    "document_number": "12/XN-CAHN",
    "document_date": date(2026, 3, 5),
}


def commune(name, province="01"):
    return AdministrativeUnit.objects.get(parent__code=province, valid_to__isnull=True, name=name)


@pytest.fixture
def intake(demo_users):
    def _intake(
        actor_name="commune.hanoi.a",
        unit_name="Xã Thạch Thất",
        agency_name="Ủy ban nhân dân Xã Thạch Thất",
        received=date(2026, 3, 1),
        **person,
    ):
        return services.create_case(
            actor=demo_users[actor_name],
            person_data={
                "full_name": "Nguyễn Thị Hoà (minh họa)",
                "sex": "female",
                "birth_year": 2004,
                "document_number": "0010 0400 1234",
                **person,
            },
            case_data={
                "intake_channel": "self_report",
                "reception_date": received,
                "unit": commune(unit_name),
                "agency": Agency.objects.get(name=agency_name),
                "exploitation_forms": ["forced_crime"],
                "route": "vn_kh",
                "recruitment_method": "online_job_offer",
            },
        )

    return _intake


def move(case, actor, target, **kwargs):
    return services.transition_case(actor=actor, case=case, target=target, version=case.version, **kwargs)


def test_intake_numbers_the_case_per_province_and_year_and_seals_identities(demo_users, intake):
    first, second = intake(), intake()
    assert first.number == "01-2026-000001" and second.number == "01-2026-000002"
    assert first.status == S.REPORTED and first.legal_regime == LegalRegime.LAW_2024
    assert first.person.full_name == "Nguyễn Thị Hoà (minh họa)"
    entry = AuditEntry.objects.get(action="cases.case_created", object_id=str(first.pk))
    assert "Nguyễn" not in str(entry.changes) and entry.changes["full_name"] == "***"


def test_intake_refuses_bad_input_naming_the_field(demo_users, intake):
    with pytest.raises(ValidationError) as caught:
        intake(full_name="", received=date(2030, 1, 1))
    assert {"full_name", "reception_date"} <= set(caught.value.message_dict)
    with pytest.raises(ValidationError) as caught:
        intake(unit_name="Xã Tây Phương")  # a sibling commune: outside the officer's area
    assert "unit" in caught.value.message_dict


def test_the_full_path_with_reopening(demo_users, intake):
    officer, worker = demo_users["commune.hanoi.a"], demo_users["caseworker.hanoi"]
    case = intake()
    case = move(case, officer, S.RECEIVED)
    case = move(case, worker, S.INITIAL_VERIFICATION, event_date=date(2026, 3, 2))
    assert timezone.localtime(case.notified_at).date() == date(2026, 3, 2)
    case = move(case, demo_users["supervisor.hanoi"], S.IDENTIFIED, data=IDENTIFICATION)
    case = move(case, worker, S.RETURNED_HOME)
    case = move(case, worker, S.REINTEGRATION)
    case = move(case, officer, S.CLOSED, data={"closure_reasons": ["support_decided"]})
    case = move(case, officer, "reopen", note="Nạn nhân đề nghị hỗ trợ học nghề")
    assert case.status == S.REINTEGRATION
    kinds = list(CaseEvent.objects.filter(case=case).values_list("to_status", flat=True))
    assert kinds == [
        "reported",
        "received",
        "initial_verification",
        "identified",
        "returned_home",
        "reintegration",
        "closed",
        "reintegration",
    ]


@pytest.mark.parametrize("source", S.values)
@pytest.mark.parametrize("target", [*S.values, "reopen"])
def test_every_move_is_allowed_exactly_when_the_table_says(source, target):
    allowed = workflow.find_transition(source, target) is not None
    expected = (source, target) in {
        (S.REPORTED, S.RECEIVED),
        (S.RECEIVED, S.INITIAL_VERIFICATION),
        (S.INITIAL_VERIFICATION, S.IDENTIFIED),
        (S.INITIAL_VERIFICATION, S.FURTHER_VERIFICATION),
        (S.INITIAL_VERIFICATION, S.NOT_VICTIM),
        (S.FURTHER_VERIFICATION, S.IDENTIFIED),
        (S.FURTHER_VERIFICATION, S.NOT_VICTIM),
        (S.FURTHER_VERIFICATION, S.UNDETERMINED),
        (S.UNDETERMINED, S.FURTHER_VERIFICATION),
        (S.IDENTIFIED, S.RETURNED_HOME),
        (S.RETURNED_HOME, S.REINTEGRATION),
        (S.IDENTIFIED, S.CLOSED),
        (S.RETURNED_HOME, S.CLOSED),
        (S.REINTEGRATION, S.CLOSED),
        (S.NOT_VICTIM, S.CLOSED),
        (S.UNDETERMINED, S.CLOSED),
        (S.CLOSED, "reopen"),
    }
    assert allowed is expected


def test_refused_moves_change_nothing(demo_users, intake):
    officer = demo_users["commune.hanoi.a"]
    case = intake()
    with pytest.raises(ValidationError) as caught:
        move(case, officer, S.IDENTIFIED, data=IDENTIFICATION)
    assert "target" in caught.value.message_dict
    case = move(move(case, officer, S.RECEIVED), officer, S.INITIAL_VERIFICATION)
    # Identification is not the commune's act (Art. 27(2) as amended): refused before anything else.
    with pytest.raises(PermissionDenied):
        move(case, officer, S.IDENTIFIED, data=IDENTIFICATION)
    supervisor = demo_users["supervisor.hanoi"]
    with pytest.raises(ValidationError) as caught:
        move(case, supervisor, S.IDENTIFIED, data={"evidence_sources": ["b"]})
    assert {"decision_date", "document_number"} <= set(caught.value.message_dict)
    with pytest.raises(ValidationError) as caught:
        move(case, supervisor, S.NOT_VICTIM)
    assert "note" in caught.value.message_dict
    with pytest.raises(ValidationError):
        move(case, supervisor, S.IDENTIFIED, data={**IDENTIFICATION, "evidence_sources": ["z"]})
    with pytest.raises(ValidationError) as caught:
        move(case, supervisor, S.IDENTIFIED, data={**IDENTIFICATION, "document_type": "napkin"})
    assert "document_type" in caught.value.message_dict
    case.refresh_from_db()
    assert case.status == S.INITIAL_VERIFICATION


def test_roles_and_units_that_may_not_move_the_case(demo_users, intake):
    case = intake()
    for outsider in ("commune.hanoi.b", "caseworker.haiphong", "analyst", "prevention.haiphong"):
        with pytest.raises(PermissionDenied):
            move(case, demo_users[outsider], S.RECEIVED)


def test_identification_before_the_new_law_keeps_the_2011_regime(demo_users, intake):
    worker, supervisor = demo_users["caseworker.hanoi"], demo_users["supervisor.hanoi"]
    # Received 20/06/2025 and not yet identified: today's law (Art. 63 keeps 2011 only for victims
    # identified before 01/07/2025), as the eligibility engine says.
    old_commune = AdministrativeUnit.objects.filter(
        placement=commune("Xã Thạch Thất"), level=3, valid_to__isnull=False
    ).first()
    case = services.create_case(
        actor=demo_users["commune.hanoi.a"],
        person_data={"full_name": "Lê Thị Mai (minh họa)", "birth_year": 2001},
        case_data={
            "intake_channel": "self_report",
            "reception_date": date(2025, 6, 20),
            "unit": old_commune,
            "agency": Agency.objects.get(name="Ủy ban nhân dân Xã Thạch Thất"),
        },
    )
    assert case.legal_regime == LegalRegime.LAW_2024
    case = move(move(case, worker, S.RECEIVED), worker, S.INITIAL_VERIFICATION, event_date=date(2025, 6, 21))
    assert case.legal_regime == LegalRegime.LAW_2024
    case = move(case, supervisor, S.IDENTIFIED, data={**IDENTIFICATION, "decision_date": date(2025, 6, 30)})
    assert case.legal_regime == LegalRegime.LAW_2011


def test_a_stale_version_is_refused_and_loses_nothing(demo_users, intake):
    officer = demo_users["commune.hanoi.a"]
    case = intake()
    services.update_case(actor=officer, case=case, version=1, data={"destination_country": "khm"})
    with pytest.raises(services.StaleVersionError) as stale:
        services.update_case(actor=officer, case=case, version=1, data={"destination_country": "CHN"})
    assert stale.value.current_version == 2
    case.refresh_from_db()
    assert case.destination_country == "KHM" and case.version == 2


def test_scope_masking_and_audited_reads(demo_users, intake):
    case = intake()
    assert selectors.get_case_for_user(demo_users["commune.hanoi.b"], case.pk) is None
    assert selectors.get_case_for_user(demo_users["caseworker.haiphong"], case.pk) is None
    assert not selectors.cases_visible_to(demo_users["analyst"]).exists()
    coordinator = demo_users["coordinator.hanoi"]
    seen = selectors.get_case_for_user(coordinator, case.pk)
    masked = selectors.person_view(seen.person, show_identity=selectors.can_see_identity(coordinator, seen))
    assert masked.full_name == selectors.MASK and masked.identities_shown is False
    worker = demo_users["caseworker.hanoi"]
    shown = selectors.person_view(case.person, show_identity=selectors.can_see_identity(worker, case))
    assert shown.full_name == "Nguyễn Thị Hoà (minh họa)"
    selectors.get_case_for_user(worker, case.pk)
    reads = AuditEntry.objects.filter(action="cases.case_viewed", object_id=str(case.pk))
    assert {entry.actor_username for entry in reads} == {"coordinator.hanoi", "caseworker.hanoi"}


def test_assignment_widens_scope_to_the_assignee(demo_users, intake):
    case = intake()
    outsider = demo_users["caseworker.haiphong"]
    case.assigned_to = outsider
    case.save(update_fields=["assigned_to"])
    assert selectors.get_case_for_user(outsider, case.pk) == case


def test_same_name_in_any_spelling_gives_the_same_key():
    variants = ["Nguyen Thi Hoa", "NGUYỄN THỊ HOÀ", "Hoà Nguyễn Thị", unicodedata.normalize("NFD", "Nguyễn Thị Hoà")]
    assert len({services.name_key(variant) for variant in variants}) == 1
    assert services.name_key("Nguyễn Thị Hoa") != services.name_key("Nguyễn Thị Lan")


# --- Time limits --------------------------------------------------------------------------------


def test_working_days_skip_weekends_and_holidays():
    holidays = frozenset({date(2026, 9, 1), date(2026, 9, 2)})
    # Friday 28/08/2026 + 9 working days: skips two weekends and the National Day holidays.
    assert timelimits.add_working_days(date(2026, 8, 28), 9, holidays) == date(2026, 9, 14)
    assert timelimits.add_working_days(date(2026, 8, 28), 9, frozenset()) == date(2026, 9, 10)


def test_reintegration_decision_uses_the_configured_holidays(settings):
    settings.PUBLIC_HOLIDAYS = [date(2026, 4, 30), date(2026, 5, 1)]
    deadline = timelimits.reintegration_decision_deadline(date(2026, 4, 28), today=date(2026, 5, 12))
    assert deadline.due == date(2026, 5, 13)
    assert not deadline.overdue


def test_initial_verification_and_shelter_limits(settings):
    notified = timezone.make_aware(datetime(2026, 3, 2, 22, 30))
    deadline = timelimits.initial_verification_deadline(notified, today=date(2026, 3, 6))
    assert deadline.due == date(2026, 3, 5) and deadline.overdue
    stay = timelimits.shelter_deadline(date(2026, 1, 1), today=date(2026, 4, 30))
    assert stay.due == date(2026, 4, 30) and not stay.overdue
    extended = timelimits.shelter_deadline(date(2026, 1, 1), extended_until=date(2026, 6, 30), today=date(2026, 5, 5))
    assert not extended.overdue
    settings.CASE_INITIAL_VERIFICATION_DAYS = 5
    # 02/03 + 5 days is Saturday 07/03: the limit ends on Monday 09/03 (Civil Code Art. 148(5)).
    assert timelimits.initial_verification_deadline(notified, today=date(2026, 3, 6)).due == date(2026, 3, 9)


def test_worklist_puts_overdue_steps_first_by_their_due_day(demo_users, intake):
    worker = demo_users["caseworker.hanoi"]
    late = intake()
    late = move(move(late, demo_users["commune.hanoi.a"], S.RECEIVED), worker, S.INITIAL_VERIFICATION)
    fresh = intake(received=timezone.localdate())
    today = selectors.worklist(worker)
    by_case = {item.case.pk: item for item in today}
    assert not by_case[late.pk].overdue and not by_case[fresh.pk].overdue
    items = selectors.worklist(worker, today=timezone.localdate() + timedelta(days=10))
    # Ten days on both are late: the reception, due at once (today), comes before the verification,
    # due three days after today's notification; overdue steps come before any other.
    ours = [item for item in items if item.case.pk in (late.pk, fresh.pk)]
    assert [item.case.pk for item in ours] == [fresh.pk, late.pk] and all(item.overdue for item in ours)
    assert [item.overdue for item in items] == sorted((item.overdue for item in items), reverse=True)


def test_break_the_glass_opens_one_case_for_a_while_and_tells_the_supervisor(
    demo_users, intake, mailoutbox, django_capture_on_commit_callbacks
):
    case = intake()
    outsider = demo_users["caseworker.haiphong"]
    supervisor = demo_users["supervisor.hanoi"]
    supervisor.email = "supervisor@example.invalid"
    supervisor.save(update_fields=["email"])
    assert selectors.get_case_for_user(outsider, case.pk) is None
    with pytest.raises(ValidationError):
        services.break_glass(actor=outsider, case_number=case.number, reason="cần")
    with django_capture_on_commit_callbacks(execute=True):
        services.break_glass(
            actor=outsider, case_number=case.number, reason="Nạn nhân đang ở Hải Phòng, cần hỗ trợ gấp"
        )
    assert selectors.get_case_for_user(outsider, case.pk) == case
    assert AuditEntry.objects.filter(action="cases.break_glass", actor_username="caseworker.haiphong").exists()
    assert [message.to for message in mailoutbox] == [["supervisor@example.invalid"]]
    assert "Đỗ" not in mailoutbox[0].body and case.person.full_name not in mailoutbox[0].body
    later = timezone.now() + timedelta(hours=services.BREAK_GLASS_HOURS + 1)
    with time_machine.travel(later):
        assert selectors.get_case_for_user(outsider, case.pk) is None
    with pytest.raises(PermissionDenied):
        services.break_glass(actor=demo_users["analyst"], case_number=case.number, reason="Tò mò muốn xem hồ sơ này")
