"""The demonstration directive: both provinces, every state a coordinator meets, seeded once."""

from datetime import date

import pytest

from haidang.reporting.demo import DEADLINE, seed_reporting_demo
from haidang.reporting.models import Directive, Report, ReportStatus
from haidang.reporting.selectors import completeness

pytestmark = pytest.mark.django_db


def _states(directive) -> dict[str, tuple[str, bool | None]]:
    return {
        report.agency.name: (report.status, report.on_time)
        for report in Report.objects.filter(directive=directive).select_related("agency")
    }


def test_demo_seeds_the_30_july_directive_in_both_provinces_once(demo_users):
    first = seed_reporting_demo()
    assert first["01"] >= 5 and first["31"] >= 5
    assert seed_reporting_demo() == {"01": 0, "31": 0, "thach_that_2024": 0}
    assert Directive.objects.count() == 3

    hanoi = Directive.objects.get(issuing_unit__code="01")
    assert hanoi.deadline == DEADLINE and hanoi.period_id == "2026-07-01_2026-07-31"
    states = _states(hanoi)
    assert states["Ủy ban nhân dân Xã Thạch Thất"] == (ReportStatus.LOCKED, True)
    assert states["Ủy ban nhân dân Xã Tây Phương"] == (ReportStatus.SUBMITTED, False)
    assert states["Sở Y tế Thành phố Hà Nội"] == (ReportStatus.SUBMITTED, True)
    assert states["Công an Thành phố Hà Nội"] == (ReportStatus.DRAFT, None)
    assert states["Hội Liên hiệp Phụ nữ Thành phố Hà Nội"] == (ReportStatus.NOT_STARTED, None)

    haiphong = Directive.objects.get(issuing_unit__code="31")
    states = _states(haiphong)
    assert states["Sở Y tế Thành phố Hải Phòng"] == (ReportStatus.LOCKED, False)
    assert states["Bộ đội Biên phòng Thành phố Hải Phòng"] == (ReportStatus.NOT_STARTED, None)

    summary = completeness(demo_users["coordinator.haiphong"], haiphong).total
    assert (summary.submitted, summary.on_time, summary.late, summary.approved) == (3, 2, 1, 2)
    assert summary.missing == summary.expected - 3


def test_every_demo_user_has_a_synthetic_address_and_old_ones_get_one(demo_users):
    from haidang.access.demo import USERS, seed_demo
    from haidang.access.models import User

    assert {user.username: user.email for user in User.objects.all()} == {
        spec.username: f"{spec.username}@example.invalid" for spec in USERS
    }
    # A demo user created before the addresses existed gets one on the next run.
    User.objects.filter(username="commune.hanoi.a").update(email="")
    seed_demo()
    assert User.objects.get(username="commune.hanoi.a").email == "commune.hanoi.a@example.invalid"
    assert User.objects.filter(email__endswith="@example.invalid").count() == len(USERS)


def test_issuing_to_demo_recipients_sends_them_mail(issued, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        directive, _reports = issued()
    addressed = sorted(address for message in mailoutbox for address in message.to)
    assert addressed == ["commune.hanoi.a@example.invalid", "commune.hanoi.b@example.invalid"]
    assert all(directive.number in message.subject for message in mailoutbox)


def test_the_seed_directive_1368_has_its_true_issuer_and_recipients_of_2024(demo_users):
    """No. 1368 of the People's Committee of the old Thạch Thất district, 13/07/2024, reports due
    05/08/2024: issued under the body of its day, to the communes of the district as they were then."""
    made = seed_reporting_demo()
    directive = Directive.objects.select_related("issuing_agency", "issuing_unit").get(number="1368/UBND")
    assert directive.issuing_agency.name == "Ủy ban nhân dân huyện Thạch Thất"
    assert directive.issuing_agency.agency_type == "district_committee"
    assert directive.issuing_unit.level == 2 and directive.issuing_unit.valid_to is not None
    assert (directive.issued_on, directive.deadline) == (date(2024, 7, 13), date(2024, 8, 5))
    reports = list(Report.objects.filter(directive=directive).select_related("unit", "agency"))
    assert made["thach_that_2024"] == len(reports) >= 10
    communes = [report for report in reports if report.unit.level == 3]
    assert all(report.unit.parent_id == directive.issuing_unit_id for report in communes)
    assert all(report.unit.is_valid_on(directive.deadline) for report in reports)
    assert any(report.agency.name == "Công an huyện Thạch Thất" for report in reports)
    # The number belongs to Thạch Thất in 2024, not to Hải Phòng in 2026.
    assert not Directive.objects.filter(number__startswith="1368", issuing_unit__code="31").exists()
