"""Completeness: expected, submitted, on time, late and overdue, counted against the recipients
that exist on the deadline day, never above 100%."""

from datetime import date

import pytest

from haidang.reporting import selectors, services
from haidang.reporting.tests.conftest import at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def submit(user, report):
    report = services.save_report(
        actor=user, report=report, version=report.version, narratives={"results": "Đã thực hiện."}
    )
    return services.transition_report(actor=user, report=report, action="submit")


def test_on_time_late_and_overdue_per_commune(issued, demo_users, clock):
    directive, reports = issued()
    coordinator = demo_users["coordinator.hanoi"]
    clock.move_to(at(date(2026, 10, 5), 23, 50))  # the last minutes of the deadline day, Hà Nội time
    submit(demo_users["commune.hanoi.a"], reports["Xã Thạch Thất"])
    clock.move_to(at(date(2026, 10, 6), 8))
    result = selectors.completeness(coordinator, directive)
    assert (result.total.expected, result.total.submitted, result.total.on_time) == (2, 1, 1)
    assert (result.total.overdue, result.total.missing, result.total.rate) == (1, 1, 50.0)
    rows = {row.label: row for row in result.rows}
    assert rows["Xã Tây Phương"].overdue == 1 and rows["Xã Thạch Thất"].on_time == 1
    submit(demo_users["commune.hanoi.b"], reports["Xã Tây Phương"])
    result = selectors.completeness(coordinator, directive)
    assert (result.total.submitted, result.total.on_time, result.total.late, result.total.rate) == (2, 1, 1, 100.0)
    # Drill-down into one commune: its own reports.
    down = selectors.completeness(coordinator, directive, unit=reports["Xã Tây Phương"].unit)
    assert down.reports == [reports["Xã Tây Phương"]] and down.total.late == 1


def test_a_unit_that_did_not_exist_for_the_whole_period_is_counted_correctly(make_directive, demo_users, places, clock):
    """A 2025 report: the old commune ended on 30/06/2025, its successor began on 01/07/2025.
    The successor, existing on the deadline, is expected; the dissolved one is not, and its
    report never lifts the rate above 100%."""
    clock.move_to(at(date(2025, 11, 20)))
    coordinator = demo_users["coordinator.hanoi"]
    directive = make_directive(
        number="15/BC-UBND",
        issued_on=date(2025, 11, 20),
        period_id="2025-01-01_2025-12-31",
        deadline=date(2025, 12, 20),
        recipient_rules=[],
        recipients=[{"unit": places["old_commune"]}, {"unit": places["thach_that"]}, {"unit": places["tay_phuong"]}],
    )
    reports = {r.unit_id: r for r in services.issue_directive(actor=coordinator, directive=directive)}
    assert len(reports) == 3
    officer = demo_users["commune.hanoi.a"]
    # The successor's staff answer for the dissolved commune placed under them.
    submit(officer, reports[places["old_commune"].pk])
    submit(officer, reports[places["thach_that"].pk])
    result = selectors.completeness(coordinator, directive)
    assert (result.total.expected, result.total.not_expected, result.total.submitted) == (2, 1, 1)
    assert result.total.rate == 50.0
    submit(demo_users["commune.hanoi.b"], reports[places["tay_phuong"].pk])
    result = selectors.completeness(coordinator, directive)
    assert (result.total.expected, result.total.submitted, result.total.rate) == (2, 2, 100.0)
    thach_that = next(row for row in result.rows if row.unit == places["thach_that"])
    assert (thach_that.expected, thach_that.not_expected, thach_that.rate) == (1, 1, 100.0)
    assert all(row.rate <= 100 for row in result.rows)
