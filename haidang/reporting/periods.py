"""Reporting periods: month, quarter, six months, nine months and year, in calendar form and in the
state reporting cut-off form, plus custom date ranges. Pure date arithmetic, no database.

The cut-off form follows the state administrative reporting rule (Decree 09/2019/NĐ-CP Art. 12):
a period ends on the 14th of its last month and starts on the 15th of the month before its first
month, so the year runs from 15 December of the previous year to 14 December.

The nine-month period ("9 tháng đầu năm") is the first three quarters of the year: the interim report
that ministries and provinces send each autumn beside the quarterly, half-year and annual ones. It is
the only one of its type in a year (there is no "last nine months"), so nine-month periods do not tile
the year: a day from October on belongs to none.

Canonical identifiers (stable, sortable within a type):
    calendar  2026M07   2026Q3   2026S1   2026N9   2026
    cut-off   2026M07C  2026Q3C  2026S1C  2026N9C  2026C
    custom    2026-07-01_2026-07-31   (first and last day, both inclusive)
"""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haidang.common.dates import DayError, format_day, parse_day


class PeriodType(models.TextChoices):
    MONTH = "month", gettext_lazy("Month")
    QUARTER = "quarter", gettext_lazy("Quarter")
    SIX_MONTHS = "six_months", gettext_lazy("Six months")
    NINE_MONTHS = "nine_months", gettext_lazy("Nine months")
    YEAR = "year", gettext_lazy("Year")
    CUSTOM = "custom", gettext_lazy("Custom range")


class PeriodForm(models.TextChoices):
    CALENDAR = "calendar", gettext_lazy("Calendar")
    CUTOFF = "cutoff", gettext_lazy("Reporting cut-off (15th to 14th)")


# Months in a period of each type, and how many such periods make a year.
_MONTHS = {
    PeriodType.MONTH: 1,
    PeriodType.QUARTER: 3,
    PeriodType.SIX_MONTHS: 6,
    PeriodType.NINE_MONTHS: 9,
    PeriodType.YEAR: 12,
}
_PER_YEAR = {kind: 12 // months for kind, months in _MONTHS.items()}  # nine months: one a year
_LETTER = {PeriodType.MONTH: "M", PeriodType.QUARTER: "Q", PeriodType.SIX_MONTHS: "S"}
# The standard types in the order pickers offer them.
STANDARD_TYPES = (
    PeriodType.MONTH,
    PeriodType.QUARTER,
    PeriodType.SIX_MONTHS,
    PeriodType.NINE_MONTHS,
    PeriodType.YEAR,
)
_CUTOFF_DAY = 14
_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}

_IDENTIFIER = re.compile(r"^(?P<year>\d{4})(?:(?P<letter>[MQS])(?P<index>\d{1,2})|(?P<nine>N9))?(?P<cutoff>C)?$")
_CUSTOM = re.compile(r"^(?P<start>\d{4}-\d{2}-\d{2})_(?P<end>\d{4}-\d{2}-\d{2})$")


class PeriodError(ValueError):
    """A period that does not exist; the message is translated and names the value."""


@dataclass(frozen=True, order=True)
class Period:
    start: date
    end: date  # inclusive
    type: str
    form: str = PeriodForm.CALENDAR
    year: int = field(compare=False, default=0)
    index: int = field(compare=False, default=1)

    @property
    def identifier(self) -> str:
        if self.type == PeriodType.CUSTOM:
            return f"{self.start.isoformat()}_{self.end.isoformat()}"
        suffix = "C" if self.form == PeriodForm.CUTOFF else ""
        if self.type == PeriodType.YEAR:
            return f"{self.year}{suffix}"
        if self.type == PeriodType.NINE_MONTHS:
            return f"{self.year}N9{suffix}"
        width = 2 if self.type == PeriodType.MONTH else 1
        return f"{self.year}{_LETTER[self.type]}{self.index:0{width}d}{suffix}"

    def __str__(self) -> str:
        return self.identifier

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def overlaps(self, start: date, end: date) -> bool:
        return self.start <= end and start <= self.end

    @property
    def label(self) -> str:
        """The name a report heading uses, e.g. "Quý III/2026"."""
        if self.type == PeriodType.CUSTOM:
            return _("%(start)s to %(end)s") % {"start": _ddmmyyyy(self.start), "end": _ddmmyyyy(self.end)}
        if self.type == PeriodType.MONTH:
            name = _("Month %(index)d/%(year)d") % {"index": self.index, "year": self.year}
        elif self.type == PeriodType.QUARTER:
            name = _("Quarter %(roman)s/%(year)d") % {"roman": _ROMAN[self.index], "year": self.year}
        elif self.type == PeriodType.SIX_MONTHS:
            if self.index == 1:
                name = _("First six months of %(year)d") % {"year": self.year}
            else:
                name = _("Last six months of %(year)d") % {"year": self.year}
        elif self.type == PeriodType.NINE_MONTHS:
            name = _("First nine months of %(year)d") % {"year": self.year}
        else:
            name = _("Year %(year)d") % {"year": self.year}
        if self.form == PeriodForm.CUTOFF:
            name = _("%(name)s (from %(start)s to %(end)s)") % {
                "name": name,
                "start": _ddmmyyyy(self.start),
                "end": _ddmmyyyy(self.end),
            }
        return name


_ddmmyyyy = format_day


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    total = year * 12 + (month - 1) + months
    return total // 12, total % 12 + 1


def _month_end(year: int, month: int) -> date:
    next_year, next_month = _add_months(year, month, 1)
    return date(next_year, next_month, 1) - timedelta(days=1)


def period(kind: str, year: int, index: int = 1, form: str = PeriodForm.CALENDAR) -> Period:
    """The `index`-th period of `kind` in `year` (months 1–12, quarters 1–4, halves 1–2, nine months 1,
    year 1)."""
    if kind not in _MONTHS:
        raise PeriodError(_("Unknown period type: %(kind)s.") % {"kind": kind})
    if form not in PeriodForm.values:
        raise PeriodError(_("Unknown period form: %(form)s.") % {"form": form})
    if not 1 <= index <= _PER_YEAR[kind]:
        raise PeriodError(_("There is no period %(index)s of this type in a year.") % {"index": index})
    if not 1900 <= year <= 9998:
        raise PeriodError(_("The year %(year)s is out of range.") % {"year": year})
    months = _MONTHS[kind]
    first_month = (index - 1) * months + 1
    last_year, last_month = _add_months(year, first_month, months - 1)
    if form == PeriodForm.CUTOFF:
        start_year, start_month = _add_months(year, first_month, -1)
        start = date(start_year, start_month, _CUTOFF_DAY + 1)
        end = date(last_year, last_month, _CUTOFF_DAY)
    else:
        start = date(year, first_month, 1)
        end = _month_end(last_year, last_month)
    return Period(start=start, end=end, type=kind, form=form, year=year, index=index)


def custom(start: date, end: date) -> Period:
    if end < start:
        raise PeriodError(_("The period ends before it starts."))
    return Period(start=start, end=end, type=PeriodType.CUSTOM, form=PeriodForm.CALENDAR, year=start.year, index=1)


def parse(identifier: str) -> Period:
    """The period a canonical identifier names; PeriodError if it names none."""
    text = (identifier or "").strip()
    match = _IDENTIFIER.match(text)
    if match:
        letter = "N" if match["nine"] else match["letter"]
        kind = {
            None: PeriodType.YEAR,
            "M": PeriodType.MONTH,
            "Q": PeriodType.QUARTER,
            "S": PeriodType.SIX_MONTHS,
            "N": PeriodType.NINE_MONTHS,
        }[letter]
        form = PeriodForm.CUTOFF if match["cutoff"] else PeriodForm.CALENDAR
        result = period(kind, int(match["year"]), int(match["index"] or 1), form)
        if result.identifier != text:  # e.g. "2026M7" for "2026M07"
            raise PeriodError(_("Not a period identifier: %(value)s.") % {"value": text})
        return result
    match = _CUSTOM.match(text)
    if match:
        try:
            start, end = parse_day(match["start"]), parse_day(match["end"])
        except DayError as error:
            raise PeriodError(error.message) from None
        return custom(start, end)
    raise PeriodError(_("Not a period identifier: %(value)s.") % {"value": text})


def containing(kind: str, day: date, form: str = PeriodForm.CALENDAR) -> Period:
    """The period of `kind` and `form` that contains `day`."""
    if kind not in _MONTHS:
        raise PeriodError(_("Unknown period type: %(kind)s.") % {"kind": kind})
    year, month = day.year, day.month
    if form == PeriodForm.CUTOFF and day.day > _CUTOFF_DAY:
        # From the 15th on, the day belongs to the next month's cut-off period.
        year, month = _add_months(year, month, 1)
    index = (month - 1) // _MONTHS[kind] + 1
    if index > _PER_YEAR[kind]:  # October to December: no nine-month period holds them
        raise PeriodError(
            _("No nine-month period contains %(day)s: it runs from the start of the year to September.")
            % {"day": format_day(day)}
        )
    return period(kind, year, index, form)


def shift(current: Period, steps: int) -> Period:
    """The period `steps` periods after (negative: before) `current`, of the same type and form."""
    if current.type == PeriodType.CUSTOM:
        length = timedelta(days=current.days * steps)
        return custom(current.start + length, current.end + length)
    per_year = _PER_YEAR[current.type]
    position = current.year * per_year + (current.index - 1) + steps
    return period(current.type, position // per_year, position % per_year + 1, current.form)


def same_period_previous_year(current: Period) -> Period:
    """The comparison base: the same period one year earlier (a custom range moves by a year)."""
    if current.type == PeriodType.CUSTOM:
        return custom(_year_earlier(current.start), _year_earlier(current.end))
    return period(current.type, current.year - 1, current.index, current.form)


def _year_earlier(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def periods_between(kind: str, start: date, end: date, form: str = PeriodForm.CALENDAR) -> list[Period]:
    """Every period of `kind` that overlaps the days from `start` to `end`, in order."""
    if end < start:
        raise PeriodError(_("The period ends before it starts."))
    # The period of the start's year (or the year before, for a cut-off year begun in December): nine-month
    # periods leave gaps, so the walk starts from one that may end before `start` and skips it.
    current = period(kind, start.year - 1, 1, form)
    while current.end < start:
        current = shift(current, 1)
    result = []
    while current.start <= end:
        result.append(current)
        current = shift(current, 1)
    return result


def periods_of_year(year: int, form: str = PeriodForm.CALENDAR, kinds=STANDARD_TYPES) -> list[Period]:
    """Every standard period of a year (of the given types), months first and the year last."""
    return [period(kind, year, index, form) for kind in kinds for index in range(1, _PER_YEAR[kind] + 1)]


def choices_for_year(year: int, form: str = PeriodForm.CALENDAR) -> list[tuple[str, str]]:
    """(identifier, label) of every standard period of a year, for pickers."""
    return [(item.identifier, item.label) for item in periods_of_year(year, form)]
