"""The reminder ladder, run by the database job worker (`manage.py db_worker`).

Each report gets its rungs when the directive is issued: 3 days before the deadline and on the
deadline day to the recipient, then 1 and 7 days after it to the recipient and the supervisor at
the issuing side. Every rung is a Reminder row plus one job queued to run at 08:00 (Vietnam) on
its day. A rung is sent at most once (its row is locked and stamped), never after the report is
submitted, and when the worker was down and several rungs are due, only the latest is sent.
`send_due_reminders` sweeps up whatever is due (for `manage.py send_reminders` from cron).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import task

from haidang.places.errors import format_day
from haidang.reporting.models import (
    SUBMITTED_STATUSES,
    DirectiveStatus,
    NotificationKind,
    Reminder,
    ReminderRung,
    Report,
)
from haidang.reporting.notices import notify, report_url
from haidang.reporting.permissions import filers_of, supervisors_of

SEND_AT = time(8, 0)


@dataclass(frozen=True)
class Rung:
    code: str
    days: int  # relative to the deadline
    to_supervisor: bool


LADDER: tuple[Rung, ...] = (
    Rung(ReminderRung.BEFORE_3, -3, False),
    Rung(ReminderRung.DEADLINE, 0, False),
    Rung(ReminderRung.AFTER_1, 1, True),
    Rung(ReminderRung.AFTER_7, 7, True),
)
RUNGS = {rung.code: rung for rung in LADDER}


def run_at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, SEND_AT))


def schedule_reminders(report: Report) -> list[Reminder]:
    """Make the report's rungs still to come and queue one job for each (called on issue)."""
    today = timezone.localdate()
    now = timezone.now()
    made = []
    for rung in LADDER:
        due_on = report.deadline + timedelta(days=rung.days)
        if due_on < today:
            continue  # issued late: rungs already past are not sent in a burst
        reminder, created = Reminder.objects.get_or_create(report=report, rung=rung.code, defaults={"due_on": due_on})
        if created:
            send_reminder_job.using(run_after=max(run_at(due_on), now)).enqueue(reminder.pk)
            made.append(reminder)
    return made


def _messages(report: Report, rung: Rung) -> tuple[str, str, str]:
    """(title for the recipient, title for the supervisor, body)."""
    directive = report.directive
    values = {"number": directive.number, "deadline": format_day(report.deadline), "recipient": report.recipient_name}
    if rung.days < 0:
        title = _("Report on %(number)s due %(deadline)s (in %(days)s days)") % {**values, "days": -rung.days}
    elif rung.days == 0:
        title = _("Report on %(number)s is due today, %(deadline)s") % values
    else:
        title = _("Report on %(number)s is overdue: the deadline was %(deadline)s") % values
    supervisor_title = _("%(recipient)s has not submitted its report on %(number)s (deadline %(deadline)s)") % values
    return title, supervisor_title, directive.title


@transaction.atomic
def send_reminder(reminder_id: int, today: date | None = None) -> str:
    """Send one rung if it is still due; returns what happened ("sent", "skipped", "not_due", "done")."""
    today = today or timezone.localdate()
    reminder = (
        Reminder.objects.select_for_update(of=("self",))
        .select_related("report", "report__directive", "report__unit", "report__agency")
        .filter(pk=reminder_id)
        .first()
    )
    if reminder is None or reminder.sent_at is not None or reminder.skipped:
        return "done"
    report = reminder.report
    if reminder.due_on > today:
        return "not_due"
    # A later rung already due says more; the older one is stale.
    later_due = Reminder.objects.filter(
        report=report, due_on__gt=reminder.due_on, due_on__lte=today, skipped=False
    ).exists()
    if report.status in SUBMITTED_STATUSES or report.directive.status != DirectiveStatus.ISSUED or later_due:
        reminder.skipped = True
        reminder.save(update_fields=["skipped"])
        return "skipped"
    rung = RUNGS[reminder.rung]
    filers = list(filers_of(report))
    supervisors = [user for user in supervisors_of(report) if user not in filers] if rung.to_supervisor else []
    # Notices are written in Vietnamese, the language of the users they go to.
    with override("vi"):
        title, supervisor_title, body = _messages(report, rung)
        url = report_url(report)
        notify(filers, kind=NotificationKind.REMINDER, title=title, body=body, url=url, report=report)
        if supervisors:
            notify(
                supervisors, kind=NotificationKind.REMINDER, title=supervisor_title, body=body, url=url, report=report
            )
    reminder.sent_at = timezone.now()
    reminder.recipients = [str(user.pk) for user in [*filers, *supervisors]]
    reminder.save(update_fields=["sent_at", "recipients"])
    return "sent"


def send_due_reminders(today: date | None = None) -> dict[str, int]:
    """Send every rung due on or before `today` that was not sent (a sweep after downtime)."""
    today = today or timezone.localdate()
    counts: dict[str, int] = {}
    pending = Reminder.objects.filter(due_on__lte=today, sent_at__isnull=True, skipped=False).order_by("-due_on")
    for reminder_id in pending.values_list("pk", flat=True):
        outcome = send_reminder(reminder_id, today)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


@task()
def send_reminder_job(reminder_id: int) -> str:
    return send_reminder(reminder_id)


@task()
def send_due_reminders_job() -> dict[str, int]:
    return send_due_reminders()
