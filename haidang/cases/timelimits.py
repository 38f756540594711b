"""Legal time limits, computed from the dates events happened (never the day they were typed).

Values the reference marks as still to be verified are settings with the documented default:
CASE_INITIAL_VERIFICATION_DAYS (3, Art. 27(2) as amended), CASE_SHELTER_MAX_DAYS (120, Decree
162 Art. 17), CASE_REINTEGRATION_DECISION_WORKING_DAYS (9, Form 07 procedure). Public holidays come
from `haidang.common.holidays` (a data file with its legal source per year).

The end of a time limit (Civil Code 2015 Art. 148(5)): when the last day of a limit counted in days
falls on a weekly rest day or a public holiday, the limit ends at the end of the next working day.
The Civil Code's counting rules apply unless another law says otherwise (Art. 144(2)); Law 53/2024
says nothing else, so the rule applies to:

- the initial verification, "no later than 3 days" after notification (Art. 27(2) as amended):
  moved to the next working day (`initial_verification_deadline`). VERIFY(verification-days-rollover).

"Immediately" (*ngay*, Art. 27(1): taking the person to the commune, notifying the Department of
Health) is read as by the end of the same day: the step is due on the day the person was received
(`reception_date`) and overdue from the next day (`immediate_deadline`). The law gives no hours, and
the case records the day things happened, not the hour, so a 24-hour rule could not be applied
fairly; a day that ends at midnight (local time) is what "ngay" means in everyday administrative use.
No rest-day rollover: "at once" is not a period counted in days (Civil Code Art. 148(5) does not apply).

It does not apply to:

- the 120 days of shelter and essential needs (Decree 162 Art. 17): a length of support counted in
  calendar days, not a period for doing something (`shelter_deadline`);
- the 9 working days of a Form 07 decision: counted in working days, it always ends on one.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils import timezone

from haidang.common.holidays import public_holidays


def initial_verification_days() -> int:
    return getattr(settings, "CASE_INITIAL_VERIFICATION_DAYS", 3)


def shelter_max_days() -> int:
    return getattr(settings, "CASE_SHELTER_MAX_DAYS", 120)


def reintegration_decision_working_days() -> int:
    return getattr(settings, "CASE_REINTEGRATION_DECISION_WORKING_DAYS", 9)


def backdate_days_without_reason() -> int:
    return getattr(settings, "CASE_BACKDATE_DAYS_WITHOUT_REASON", 30)


def is_working_day(day: date, holidays: frozenset[date] | None = None) -> bool:
    holidays = public_holidays() if holidays is None else holidays
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: date, days: int, holidays: frozenset[date] | None = None) -> date:
    """The day on which `days` working days after `start` have passed (start itself not counted)."""
    holidays = public_holidays() if holidays is None else holidays
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current, holidays):
            remaining -= 1
    return current


@dataclass(frozen=True)
class Deadline:
    kind: str
    due: date
    today: date

    @property
    def overdue(self) -> bool:
        return self.today > self.due

    @property
    def days_left(self) -> int:
        return (self.due - self.today).days


def _local_day(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date()
    return value


def next_working_day_from(day: date, holidays: frozenset[date] | None = None) -> date:
    """`day` itself when it is a working day, else the next working day (Civil Code Art. 148(5))."""
    holidays = public_holidays() if holidays is None else holidays
    while not is_working_day(day, holidays):
        day += timedelta(days=1)
    return day


def initial_verification_due(notified_on: date, holidays: frozenset[date] | None = None) -> date:
    """3 days after the notification, moved to the next working day (Civil Code Art. 148(5))."""
    return next_working_day_from(notified_on + timedelta(days=initial_verification_days()), holidays)


def earliest_notification_in_time(today: date) -> date:
    """The first notification day whose verification limit is not yet past on `today`: a case
    notified before it is overdue. The limit grows with the notification day, so this is a cut."""
    holidays = public_holidays()
    day = today - timedelta(days=initial_verification_days())
    while initial_verification_due(day - timedelta(days=1), holidays) >= today:
        day -= timedelta(days=1)
    return day


def immediate_deadline(received: date, *, today: date | None = None) -> Deadline:
    """A step the law wants taken at once (Art. 27(1)): due on the day received, overdue the day after."""
    return Deadline("immediate", received, today or timezone.localdate())


def initial_verification_deadline(notified: date | datetime, *, today: date | None = None) -> Deadline:
    due = initial_verification_due(_local_day(notified))
    return Deadline("initial_verification", due, today or timezone.localdate())


def shelter_deadline(start: date, *, extended_until: date | None = None, today: date | None = None) -> Deadline:
    due = extended_until or (start + timedelta(days=shelter_max_days() - 1))
    return Deadline("shelter", due, today or timezone.localdate())


def reintegration_decision_deadline(received: date, *, today: date | None = None) -> Deadline:
    return Deadline(
        "reintegration_decision",
        add_working_days(received, reintegration_decision_working_days()),
        today or timezone.localdate(),
    )
