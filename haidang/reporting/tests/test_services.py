"""Directives and reports through the services: issue, fill, override, validate, review, lock."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from haidang.audit.models import AuditEntry
from haidang.places.models import UnitLevel
from haidang.reporting import selectors, services
from haidang.reporting.models import (
    DirectiveStatus,
    Notification,
    Reminder,
    ReportStatus,
    ReportValue,
    VersionStatus,
)
from haidang.reporting.services import ReportValidationError, StaleVersionError
from haidang.reporting.tests.conftest import agency

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

S = ReportStatus


def errors_of(call) -> dict:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def cell(indicator, value, reason="", **dimensions):
    return {"indicator": indicator, "dimensions": dimensions, "value": value, "override_reason": reason}


# --- Forms ---------------------------------------------------------------------------------------


def test_a_published_form_version_is_never_changed_a_new_version_is_made(demo_users, form_version):
    coordinator = demo_users["coordinator.hanoi"]
    assert form_version.status == VersionStatus.PUBLISHED
    errors = errors_of(
        lambda: services.replace_draft_definition(actor=coordinator, version=form_version, indicators=[])
    )
    assert "version" in errors
    draft = services.new_version(actor=coordinator, form=form_version.form)
    assert draft.number == form_version.number + 1 and draft.status == VersionStatus.DRAFT
    assert list(draft.indicators.values_list("code", flat=True)) == list(
        form_version.indicators.values_list("code", flat=True)
    )
    services.publish_version(actor=coordinator, version=draft)
    form_version.refresh_from_db()
    assert form_version.status == VersionStatus.RETIRED


def test_a_form_definition_names_what_is_wrong(demo_users):
    errors = errors_of(
        lambda: services.define_form(
            actor=demo_users["coordinator.hanoi"],
            code="X1",
            name="Thử",
            period_type="quarter",
            indicators=[
                {"code": "A", "name": "A", "source": "prevention.sessions", "breakdowns": ["age_band"]},
                {"code": "B", "name": "B", "breakdowns": ["colour"]},
            ],
            rules=[{"left": "A", "operator": "<=", "right": "Z"}],
        )
    )
    assert set(errors) == {"indicators[0]", "indicators[1]", "rules[0]"}


# --- Directives ----------------------------------------------------------------------------------


def test_a_directive_refuses_bad_fields_naming_each(make_directive, form_version):
    errors = errors_of(
        lambda: make_directive(number="", period_id="2026Q5", deadline=date(2026, 7, 1), recipient_rules=[{"level": 9}])
    )
    assert {"number", "period_id", "deadline", "recipient_rules"} <= set(errors)
    errors = errors_of(lambda: make_directive(period_id="2026M07"))  # a quarterly form
    assert "period_id" in errors
    # A custom range (a campaign month) goes with any form.
    assert make_directive(period_id="2026-07-01_2026-07-31").period_start == date(2026, 7, 1)


def test_only_the_issuing_side_may_issue(make_directive, demo_users):
    with pytest.raises(PermissionDenied):
        make_directive(actor="commune.hanoi.a")
    errors = errors_of(lambda: make_directive(actor="coordinator.haiphong"))
    assert "issuing_agency" in errors  # Hải Phòng's coordinator cannot speak for Hà Nội


def test_issuing_makes_one_prefilled_report_per_recipient_and_tells_them(issued, demo_users, places):
    directive, reports = issued(recipients=[{"agency": agency("Sở Y tế Thành phố Hà Nội")}])
    assert directive.status == DirectiveStatus.ISSUED and directive.issued_by == demo_users["coordinator.hanoi"]
    assert set(reports) == {"Xã Thạch Thất", "Xã Tây Phương", "Thành phố Hà Nội"}
    report = reports["Xã Thạch Thất"]
    assert report.status == S.NOT_STARTED and report.deadline == date(2026, 10, 5)
    total = ReportValue.objects.get(
        report=report, indicator__code="V1", sex="", age_band="", nationality="", material_kind="", activity_type=""
    )
    assert total.computed_value == 0 and total.value == 0
    assert not ReportValue.objects.filter(report=report, indicator__code="M1").exists()  # entered by hand
    notice = Notification.objects.get(user=demo_users["commune.hanoi.a"], report=report)
    assert "1368/UBND-VX" in notice.title and "05/10/2026" in notice.title
    assert Reminder.objects.filter(report=report).count() == 4
    assert AuditEntry.objects.filter(action="reporting.directive_issued", object_id=str(directive.pk)).exists()
    errors = errors_of(lambda: services.issue_directive(actor=demo_users["coordinator.hanoi"], directive=directive))
    assert "status" in errors


def test_a_rule_reaches_only_units_valid_on_the_deadline(make_directive, demo_users):
    # Hà Nội's communes on 05/10/2026 are today's communes; the old ones ended on 30/06/2025.
    directive = make_directive(recipient_rules=[{"level": UnitLevel.COMMUNE, "agency_type": ""}])
    recipients = selectors.resolve_recipients(directive)
    assert len(recipients) > 100
    assert all(unit.valid_to is None and agency_ is None for unit, agency_, _rule in recipients)


def test_cancelling_an_issued_directive_needs_a_reason_and_stops_reminders(issued, demo_users):
    directive, reports = issued()
    coordinator = demo_users["coordinator.hanoi"]
    assert "reason" in errors_of(lambda: services.cancel_directive(actor=coordinator, directive=directive))
    services.cancel_directive(actor=coordinator, directive=directive, reason="Ban hành nhầm kỳ báo cáo")
    assert Reminder.objects.filter(report__directive=directive, skipped=False).count() == 0
    officer = demo_users["commune.hanoi.a"]
    report = reports["Xã Thạch Thất"]
    assert "status" in errors_of(
        lambda: services.save_report(actor=officer, report=report, version=report.version, values=[])
    )


# --- Filling in ----------------------------------------------------------------------------------


def test_an_override_of_a_computed_figure_needs_a_reason_and_keeps_both(issued, demo_users):
    _directive, reports = issued()
    officer = demo_users["commune.hanoi.a"]
    report = reports["Xã Thạch Thất"]
    change = cell("V1", 2, sex="female", age_band="under_16")
    errors = errors_of(
        lambda: services.save_report(actor=officer, report=report, version=report.version, values=[change])
    )
    field = "values[V1][sex=female|age_band=under_16]"
    assert field in errors and "Nữ" in errors[field][0] and "Dưới 16" in errors[field][0]
    report.refresh_from_db()
    assert report.status == S.NOT_STARTED  # nothing half-saved

    reason = "Hai trẻ em được tiếp nhận tại trạm y tế, chưa nhập hệ thống"
    report = services.save_report(
        actor=officer,
        report=report,
        version=report.version,
        values=[{**change, "override_reason": reason}, cell("M1", 4)],
    )
    assert report.status == S.DRAFT
    row = ReportValue.objects.get(report=report, indicator__code="V1", sex="female", age_band="under_16")
    assert (row.computed_value, row.value, row.override_reason) == (0, 2, reason)
    total = ReportValue.objects.get(report=report, indicator__code="V1", sex="", age_band="")
    assert total.value == 2 and total.computed_value == 0  # the total follows the cells
    female = ReportValue.objects.get(report=report, indicator__code="V1", sex="female", age_band="")
    assert female.value == 2
    assert [(c.from_status, c.to_status) for c in report.status_changes.all()] == [(S.NOT_STARTED, S.DRAFT)]


def test_bad_figures_are_refused_naming_indicator_and_breakdown(issued, demo_users):
    _directive, reports = issued()
    officer = demo_users["commune.hanoi.a"]
    report = reports["Xã Thạch Thất"]
    errors = errors_of(
        lambda: services.save_report(
            actor=officer,
            report=report,
            version=report.version,
            values=[
                cell("M1", -3),
                cell("M2", "ba"),
                cell("ZZ", 1),
                cell("V1", 1, reason="x"),  # a total of an indicator with breakdowns
                cell("V1", 1, reason="x", sex="purple", age_band="under_16"),
            ],
            narratives={"weather": "nắng"},
        )
    )
    assert "-3" in errors["values[M1][]"][0]
    assert "values[M2][]" in errors
    assert "values[0].indicator" not in errors and "values[2].indicator" in errors
    assert "values[V1][]" in errors
    assert "narratives[weather]" in errors


def test_a_stale_version_is_refused_and_nothing_is_written(issued, demo_users):
    _directive, reports = issued()
    officer = demo_users["commune.hanoi.a"]
    report = reports["Xã Thạch Thất"]
    stale = report.version
    services.save_report(actor=officer, report=report, version=stale, values=[cell("M1", 1)])
    with pytest.raises(StaleVersionError) as caught:
        services.save_report(actor=officer, report=report, version=stale, values=[cell("M1", 9)])
    assert caught.value.current_version == stale + 1
    assert ReportValue.objects.get(report=report, indicator__code="M1").value == 1


def test_only_the_recipients_own_staff_fill_the_report(issued, demo_users):
    _directive, reports = issued()
    report = reports["Xã Thạch Thất"]
    for outsider in ("commune.hanoi.b", "coordinator.hanoi", "caseworker.hanoi"):
        with pytest.raises(PermissionDenied):
            services.save_report(
                actor=demo_users[outsider], report=report, version=report.version, values=[cell("M1", 1)]
            )


# --- Submitting and reviewing --------------------------------------------------------------------


@pytest.mark.usefixtures("strict_rules")
def test_validation_rules_stop_the_submission_naming_indicator_and_breakdown(issued, demo_users):
    _directive, reports = issued()
    officer = demo_users["commune.hanoi.a"]
    report = reports["Xã Thạch Thất"]
    reason = "Quyết định xác định của Công an tỉnh"
    report = services.save_report(
        actor=officer,
        report=report,
        version=report.version,
        values=[cell("V2", 1, reason, sex="male", age_band="16_17")],
        narratives={"results": ""},
    )
    with pytest.raises(ReportValidationError) as caught:
        services.transition_report(actor=officer, report=report, action="submit")
    problems = caught.value.problems
    breakdowns = {(p["indicator"], p["breakdown"]) for p in problems if p["indicator"]}
    assert breakdowns == {("V2", ""), ("V2", "sex=male|age_band=16_17")}
    message = next(p["message"] for p in problems if p["breakdown"] == "sex=male|age_band=16_17")
    assert "Nam" in message and "16" in message and "Số nạn nhân được tiếp nhận" in message
    assert any(p.get("section") == "results" for p in problems)  # a required section is empty
    report.refresh_from_db()
    assert report.status == S.DRAFT and report.submitted_at is None


def test_submit_return_resubmit_approve_locks_with_history(issued, demo_users, clock):
    _directive, reports = issued()
    officer, coordinator = demo_users["commune.hanoi.a"], demo_users["coordinator.hanoi"]
    report = reports["Xã Thạch Thất"]
    report = services.save_report(
        actor=officer, report=report, version=report.version, narratives={"results": "Đã tổ chức 3 buổi."}
    )
    report = services.transition_report(actor=officer, report=report, action="submit")
    assert report.status == S.SUBMITTED and report.submitted_by == officer
    assert Notification.objects.filter(user=coordinator, kind="report_submitted").exists()
    with pytest.raises(PermissionDenied):
        services.transition_report(actor=officer, report=report, action="approve")
    with pytest.raises(PermissionDenied):
        services.transition_report(actor=demo_users["coordinator.haiphong"], report=report, action="approve")
    assert "comment" in errors_of(lambda: services.transition_report(actor=coordinator, report=report, action="return"))
    report = services.transition_report(
        actor=coordinator, report=report, action="return", comment="Bổ sung số liệu tài liệu"
    )
    assert report.status == S.RETURNED
    assert Notification.objects.filter(user=officer, kind="report_returned").exists()
    report = services.save_report(actor=officer, report=report, version=report.version, values=[cell("M1", 2)])
    report = services.transition_report(actor=officer, report=report, action="submit")
    report = services.transition_report(actor=coordinator, report=report, action="approve")
    assert report.status == S.LOCKED and report.approved_by == coordinator
    history = [(c.from_status, c.to_status, c.actor.username) for c in report.status_changes.all()]
    assert history == [
        (S.NOT_STARTED, S.DRAFT, "commune.hanoi.a"),
        (S.DRAFT, S.SUBMITTED, "commune.hanoi.a"),
        (S.SUBMITTED, S.RETURNED, "coordinator.hanoi"),
        (S.RETURNED, S.DRAFT, "commune.hanoi.a"),
        (S.DRAFT, S.SUBMITTED, "commune.hanoi.a"),
        (S.SUBMITTED, S.APPROVED, "coordinator.hanoi"),
        (S.APPROVED, S.LOCKED, "coordinator.hanoi"),
    ]
    assert report.status_changes.get(to_status=S.RETURNED).comment == "Bổ sung số liệu tài liệu"
    # Locked: no more changes, no second approval.
    assert "status" in errors_of(
        lambda: services.save_report(actor=officer, report=report, version=report.version, values=[])
    )
    assert "action" in errors_of(lambda: services.transition_report(actor=coordinator, report=report, action="approve"))


def test_refresh_prefill_follows_the_records_but_keeps_overrides(issued, demo_users):
    from haidang.prevention import services as prevention_services

    _directive, reports = issued()
    officer = demo_users["commune.hanoi.a"]
    report = reports["Xã Thạch Thất"]
    report = services.save_report(
        actor=officer,
        report=report,
        version=report.version,
        values=[cell("P3", 5, "Buổi họp thôn chưa nhập", sex="male")],
    )
    prevention_services.create_activity(
        actor=officer,
        data={
            "activity_type": "talk",
            "title": "Nói chuyện chuyên đề",
            "start_date": date(2026, 7, 14),
            "unit": report.unit,
            "organiser": agency("Ủy ban nhân dân Xã Thạch Thất"),
            "sessions": 2,
            "participants": 40,
            "participants_female": 40,
        },
    )
    report = services.refresh_prefill(actor=officer, report=report, version=report.version)
    sessions = ReportValue.objects.get(report=report, indicator__code="P2", sex="")
    assert (sessions.computed_value, sessions.value) == (2, 2)
    male = ReportValue.objects.get(report=report, indicator__code="P3", sex="male")
    assert (male.computed_value, male.value, male.override_reason) == (0, 5, "Buổi họp thôn chưa nhập")
    female = ReportValue.objects.get(report=report, indicator__code="P3", sex="female")
    assert female.value == 40
    total = ReportValue.objects.get(report=report, indicator__code="P3", sex="")
    assert (total.computed_value, total.value) == (40, 45)


def test_a_zip_bomb_is_refused_as_a_directive_file(make_directive, demo_users, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from haidang.common.tests.test_uploads import zip_bomb_bytes
    from haidang.reporting.models import DirectiveAttachment

    settings.MEDIA_ROOT = tmp_path
    directive = make_directive()
    with pytest.raises(ValidationError) as refused:
        services.add_directive_attachment(
            actor=demo_users["coordinator.hanoi"],
            directive=directive,
            uploaded_file=SimpleUploadedFile("bieu-mau.xlsx", zip_bomb_bytes()),
        )
    assert list(refused.value.message_dict) == ["file"]
    assert not DirectiveAttachment.objects.filter(directive=directive).exists()
    assert not [path for path in tmp_path.rglob("*") if path.is_file()]
