"""Legal time limits, computed from the case's own dates.

Values the reference marks as still to be verified are settings with the documented default:
CASE_INITIAL_VERIFICATION_DAYS (3, Art. 27(2) as amended), CASE_SHELTER_MAX_DAYS (120, Decree
162 Art. 17), CASE_REINTEGRATION_DECISION_WORKING_DAYS (9, Form 07 procedure) and
PUBLIC_HOLIDAYS (dates skipped by working-day arithmetic, besides Saturdays and Sundays).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils import timezone


def initial_verification_days() -> int:
    return getattr(settings, "CASE_INITIAL_VERIFICATION_DAYS", 3)


def shelter_max_days() -> int:
    return getattr(settings, "CASE_SHELTER_MAX_DAYS", 120)


def reintegration_decision_working_days() -> int:
    return getattr(settings, "CASE_REINTEGRATION_DECISION_WORKING_DAYS", 9)


def public_holidays() -> frozenset[date]:
    return frozenset(getattr(settings, "PUBLIC_HOLIDAYS", ()))


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


def initial_verification_deadline(notified: date | datetime, *, today: date | None = None) -> Deadline:
    due = _local_day(notified) + timedelta(days=initial_verification_days())
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
