"""The demonstration directive: both provinces, every state a coordinator meets, seeded once."""

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
    assert seed_reporting_demo() == {"01": 0, "31": 0}
    assert Directive.objects.count() == 2

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
