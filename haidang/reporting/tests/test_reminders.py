"""The reminder ladder with a controlled clock: jobs queued on issue with their run time, each
rung to the right people on its day, never twice, and silence once the report is submitted."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from haidang.reporting import services
from haidang.reporting.models import Notification, Reminder, ReminderRung
from haidang.reporting.reminders import send_due_reminders
from haidang.reporting.tests.conftest import at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def with_emails(demo_users):
    for name in ("commune.hanoi.a", "commune.hanoi.b", "coordinator.hanoi"):
        demo_users[name].email = f"{name}@example.invalid"
        demo_users[name].save(update_fields=["email"])
    return demo_users


def run_due_jobs():
    """What `manage.py db_worker` does, in process: claim each job that is ready and run it."""
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test",
        excluded_queue_names=[],
    )
    for job in DBTaskResult.objects.ready().order_by("run_after"):
        job.claim("test")
        worker.run_task(job)


def notices(user, report):
    return list(Notification.objects.filter(user=user, report=report, kind="reminder").values_list("title", flat=True))


def test_issue_queues_one_job_per_rung_at_eight_in_the_morning(issued):
    _directive, reports = issued()  # deadline 05/10/2026
    report = reports["Xã Thạch Thất"]
    rungs = {r.rung: r for r in Reminder.objects.filter(report=report)}
    assert {code: r.due_on for code, r in rungs.items()} == {
        ReminderRung.BEFORE_3: date(2026, 10, 2),
        ReminderRung.DEADLINE: date(2026, 10, 5),
        ReminderRung.AFTER_1: date(2026, 10, 6),
        ReminderRung.AFTER_7: date(2026, 10, 12),
    }
    jobs = DBTaskResult.objects.filter(task_path="haidang.reporting.reminders.send_reminder_job")
    by_reminder = {job.args_kwargs["args"][0]: job for job in jobs}
    for reminder in rungs.values():
        job = by_reminder[reminder.pk]
        assert job.run_after == datetime(reminder.due_on.year, reminder.due_on.month, reminder.due_on.day, 8, tzinfo=VN)
    assert not DBTaskResult.objects.ready().exists()  # nothing runs on the day of issue


def test_the_ladder_day_by_day(issued, with_emails, clock, mailoutbox, django_capture_on_commit_callbacks):
    users = with_emails
    officer_a, officer_b, coordinator = users["commune.hanoi.a"], users["commune.hanoi.b"], users["coordinator.hanoi"]
    _directive, reports = issued()
    a, b = reports["Xã Thạch Thất"], reports["Xã Tây Phương"]

    def day(when, hour=8, minute=1):
        clock.move_to(at(when, hour, minute))
        with django_capture_on_commit_callbacks(execute=True):
            run_due_jobs()

    day(date(2026, 10, 1))  # nothing is due yet
    assert notices(officer_a, a) == [] and mailoutbox == []

    day(date(2026, 10, 2))  # 3 days before: each recipient, nobody else
    assert len(notices(officer_a, a)) == 1 and "05/10/2026" in notices(officer_a, a)[0]
    assert len(notices(officer_b, b)) == 1
    assert notices(officer_a, b) == [] and Notification.objects.filter(user=coordinator, kind="reminder").count() == 0
    assert sorted(m.to[0] for m in mailoutbox) == ["commune.hanoi.a@example.invalid", "commune.hanoi.b@example.invalid"]

    # Tây Phương submits on the deadline day, before the morning run.
    clock.move_to(at(date(2026, 10, 5), 7))
    b = services.save_report(
        actor=officer_b, report=b, version=b.version, narratives={"results": "Đã tổ chức mít tinh."}
    )
    services.transition_report(actor=officer_b, report=b, action="submit")
    day(date(2026, 10, 5))
    assert len(notices(officer_a, a)) == 2 and len(notices(officer_b, b)) == 1

    day(date(2026, 10, 6))  # a day late: the recipient and the supervisor at the issuing side
    assert len(notices(officer_a, a)) == 3
    supervisor = notices(coordinator, a)
    assert len(supervisor) == 1 and "Ủy ban nhân dân Xã Thạch Thất" in supervisor[0]
    assert notices(coordinator, b) == []

    day(date(2026, 10, 6), 15)  # run again the same day: nothing twice
    send_due_reminders(date(2026, 10, 6))
    assert len(notices(officer_a, a)) == 3 and len(notices(coordinator, a)) == 1

    reminder = Reminder.objects.get(report=a, rung=ReminderRung.AFTER_1)
    assert reminder.sent_at is not None and set(reminder.recipients) == {str(officer_a.pk), str(coordinator.pk)}
    assert Reminder.objects.get(report=b, rung=ReminderRung.AFTER_7).skipped is True

    # Thạch Thất submits; the 7-day rung stays silent.
    a = services.save_report(actor=officer_a, report=a, version=a.version, narratives={"results": "Đã thực hiện."})
    services.transition_report(actor=officer_a, report=a, action="submit")
    day(date(2026, 10, 12))
    assert len(notices(officer_a, a)) == 3 and len(notices(coordinator, a)) == 1
    assert not DBTaskResult.objects.filter(status="FAILED").exists()


def test_after_downtime_only_the_latest_due_rung_is_sent(issued, demo_users, clock):
    _directive, reports = issued()
    report = reports["Xã Thạch Thất"]
    clock.move_to(at(date(2026, 10, 7), 9))  # the worker was down since before the 2nd
    call_command("send_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    sent = Reminder.objects.filter(report=report, sent_at__isnull=False)
    assert list(sent.values_list("rung", flat=True)) == [ReminderRung.AFTER_1]
    assert len(notices(demo_users["commune.hanoi.a"], report)) == 1
