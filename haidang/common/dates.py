"""The one reading of a typed day, used by every form date field, every API date and period filter
and the imports.

People write a day in many ways: 30/07/2026 and 3/7/2026 on paper, 30-07-2026 and 30.07.2026 on
phones whose keypad has no "/", 30072026 when in a hurry, 2026-07-30 when a machine wrote it. All
of them are read here, day first (the Vietnamese order); only a four-digit year is accepted. A day
that does not exist (31/11/2023) is refused with a message naming what is wrong, never a crash.
Days are shown as dd/mm/yyyy (`format_day`).
"""

import calendar
import re
from datetime import date, datetime

from django.utils.translation import gettext as _

__all__ = ["DayError", "FIRST_YEAR", "LAST_YEAR", "format_day", "parse_day"]

# Far outside any record's date, and inside what both databases and Python store.
FIRST_YEAR = 1900
LAST_YEAR = 2100

_DAY_FIRST = re.compile(r"^(?P<day>\d{1,2})\s*(?P<sep>[/.\-])\s*(?P<month>\d{1,2})\s*(?P=sep)\s*(?P<year>\d{4})$")
_ISO = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})$")
_RUN = re.compile(r"^(?P<day>\d{2})(?P<month>\d{2})(?P<year>\d{4})$")
_SHORT_YEAR = re.compile(r"^\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{2}$")


class DayError(ValueError):
    """A text that is not a real day; `message` is translated and says what is wrong."""

    def __init__(self, message: str, *, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return self.message


def format_day(day: date | None) -> str:
    """dd/mm/yyyy, the way every page and document shows a day ("" for none)."""
    return day.strftime("%d/%m/%Y") if day is not None else ""


def _example() -> str:
    return _("Enter a date as dd/mm/yyyy, for example 30/07/2026.")


def _match(text: str) -> re.Match | None:
    for pattern in (_DAY_FIRST, _ISO, _RUN):
        found = pattern.match(text)
        if found:
            return found
    return None


def _checked(text: str, year: int, month: int, day: int) -> date:
    params = {"value": text, "year": year, "month": month, "day": day}
    if not FIRST_YEAR <= year <= LAST_YEAR:
        params.update(first=FIRST_YEAR, last=LAST_YEAR)
        raise DayError(
            _("%(value)s is not a date we can record: the year must be from %(first)s to %(last)s.") % params,
            code="year",
        )
    if not 1 <= month <= 12:
        raise DayError(_("%(value)s is not a real date: there is no month %(month)s.") % params, code="month")
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        params["days"] = days
        raise DayError(
            _("%(value)s is not a real date: month %(month)s of %(year)s has %(days)s days.") % params, code="day"
        )
    return date(year, month, day)


def parse_day(value) -> date:
    """The day `value` names: a date, or text as dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy, ddmmyyyy
    or yyyy-mm-dd. Raises DayError (translated, naming what is wrong) for anything else."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = " ".join(str(value if value is not None else "").split())
    if not text:
        raise DayError(_example(), code="empty")
    found = _match(text)
    if found is None:
        if _SHORT_YEAR.match(text):
            raise DayError(
                _("%(value)s: write the year with four digits, for example 30/07/2026.") % {"value": text},
                code="short_year",
            )
        raise DayError(_("%(value)s is not a date. %(example)s") % {"value": text, "example": _example()})
    return _checked(text, int(found["year"]), int(found["month"]), int(found["day"]))
