"""Who sees which directives and reports, and the task and review lists."""

from datetime import date

import pytest

from haidang.places.territory import Territory
from haidang.reporting import periods, selectors, services
from haidang.reporting.tests.conftest import at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def test_a_draft_is_seen_only_by_those_who_may_issue_there(make_directive, demo_users):
    draft = make_directive()
    assert selectors.get_directive_for_user(demo_users["coordinator.hanoi"], draft.pk) == draft
    for other in ("commune.hanoi.a", "coordinator.haiphong", "analyst"):
        assert selectors.get_directive_for_user(demo_users[other], draft.pk) is None
    assert selectors.get_directive_for_user(demo_users["coordinator.hanoi"], "not-a-uuid") is None


def test_recipients_see_their_own_report_and_the_issuer_sees_all(issued, demo_users):
    directive, reports = issued()
    a, b = reports["Xã Thạch Thất"], reports["Xã Tây Phương"]
    officer_a = demo_users["commune.hanoi.a"]
    assert list(selectors.reports_visible_to(officer_a)) == [a]
    assert selectors.get_report_for_user(officer_a, b.pk) is None
    assert selectors.get_directive_for_user(officer_a, directive.pk) == directive
    assert set(selectors.reports_visible_to(demo_users["coordinator.hanoi"])) == {a, b}
    assert not selectors.reports_visible_to(demo_users["coordinator.haiphong"]).exists()
    assert selectors.get_directive_for_user(demo_users["coordinator.haiphong"], directive.pk) is None
    # The national analyst holds statistics rights over the whole country.
    assert set(selectors.reports_visible_to(demo_users["analyst"])) == {a, b}
    assert not selectors.reports_visible_to(demo_users["auditor"]).exists()


def test_filters_on_the_report_list(issued, demo_users, places):
    directive, reports = issued()
    coordinator = demo_users["coordinator.hanoi"]
    visible = selectors.reports_visible_to(coordinator)
    tay_phuong = Territory(places["tay_phuong"])
    assert list(selectors.filter_reports(visible, territory=tay_phuong)) == [reports["Xã Tây Phương"]]
    assert selectors.filter_reports(visible, status="submitted").count() == 0
    assert selectors.filter_reports(visible, period=periods.parse("2026Q3"), directive=directive).count() == 2
    # The same days written as a custom range name the same reports.
    same_days = periods.parse("2026-07-01_2026-09-30")
    assert selectors.filter_reports(visible, period=same_days).count() == 2
    assert selectors.filter_reports(visible, period=periods.parse("2026Q2")).count() == 0


def test_task_list_with_days_left_and_the_review_list(issued, demo_users, clock):
    _directive, reports = issued()
    officer = demo_users["commune.hanoi.a"]
    clock.move_to(at(date(2026, 10, 7)))
    tasks = selectors.tasks_for(officer)
    assert tasks == [reports["Xã Thạch Thất"]]
    assert tasks[0].days_left == -2 and tasks[0].is_overdue is True
    assert selectors.tasks_for(demo_users["coordinator.hanoi"]) == []  # the province does not file communes' reports
    report = services.save_report(
        actor=officer, report=tasks[0], version=tasks[0].version, narratives={"results": "Đã thực hiện."}
    )
    services.transition_report(actor=officer, report=report, action="submit")
    assert selectors.tasks_for(officer) == []
    assert list(selectors.reviews_for(demo_users["coordinator.hanoi"])) == [reports["Xã Thạch Thất"]]
    assert not selectors.reviews_for(officer).exists()
    assert not selectors.reviews_for(demo_users["coordinator.haiphong"]).exists()
