"""Choosing a reporting period in words: a type and number ("Quý III", "6 tháng đầu năm", "9 tháng đầu
năm", "Cả năm"), a year, and the calendar or the state reporting cut-off form — never a code such as
2026S2 typed by hand. A custom range takes a first and a last day.

The statistics and report pages use `PeriodField`; it gives a `periods.Period`. Links and bookmarks may
still carry an identifier (`?period=2026Q3`): it is read as the period it names. Without script every
part is shown; with script (`static/reporting/period-picker.js`) the days of a custom range appear
only when a custom range is chosen.
"""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from haidang.common.dates import DayError, format_day, parse_day
from haidang.common.forms import DayInput
from haidang.reporting import periods
from haidang.reporting.periods import Period, PeriodError, PeriodForm, PeriodType

CUSTOM = "custom"
YEARS_BACK = 12
YEARS_AHEAD = 1


def _which_choices(kinds) -> list:
    """The "which period" choices, grouped by type: M07, Q3, S1, N9, Y, custom."""
    groups: list = [("", _("Choose a period"))]
    if PeriodType.MONTH in kinds:
        groups.append((_("Month"), [(f"M{m:02d}", _("Month %(index)d") % {"index": m}) for m in range(1, 13)]))
    if PeriodType.QUARTER in kinds:
        quarters = [(f"Q{q}", _("Quarter %(roman)s") % {"roman": ["I", "II", "III", "IV"][q - 1]}) for q in range(1, 5)]
        groups.append((_("Quarter"), quarters))
    if PeriodType.SIX_MONTHS in kinds:
        groups.append(
            (_("Six months"), [("S1", _("First six months")), ("S2", _("Last six months"))]),
        )
    if PeriodType.NINE_MONTHS in kinds:
        groups.append(("N9", _("First nine months")))
    if PeriodType.YEAR in kinds:
        groups.append(("Y", _("Whole year")))
    if PeriodType.CUSTOM in kinds:
        groups.append((CUSTOM, _("Custom range (first and last day)")))
    return groups


def _which(found: Period) -> str:
    if found.type == PeriodType.CUSTOM:
        return CUSTOM
    if found.type == PeriodType.YEAR:
        return "Y"
    if found.type == PeriodType.NINE_MONTHS:
        return "N9"
    letter = {PeriodType.MONTH: "M", PeriodType.QUARTER: "Q", PeriodType.SIX_MONTHS: "S"}[found.type]
    return f"M{found.index:02d}" if letter == "M" else f"{letter}{found.index}"


def _kind_and_index(which: str) -> tuple[str, int]:
    if which == "Y":
        return PeriodType.YEAR, 1
    if which == "N9":
        return PeriodType.NINE_MONTHS, 1
    kind = {"M": PeriodType.MONTH, "Q": PeriodType.QUARTER, "S": PeriodType.SIX_MONTHS}[which[0]]
    return kind, int(which[1:])


class PeriodPicker(forms.MultiWidget):
    """Which period (type and number), the year, the form (calendar or cut-off), and a custom range's days."""

    template_name = "reporting/widgets/period_picker.html"

    def __init__(self, attrs=None, *, kinds=periods.STANDARD_TYPES + (PeriodType.CUSTOM,), today: date | None = None):
        today = today or timezone.localdate()
        self.this_year = str(today.year)
        years = [(str(y), str(y)) for y in range(today.year + YEARS_AHEAD, today.year - YEARS_BACK - 1, -1)]
        widgets = {
            "": forms.Select(choices=_which_choices(kinds), attrs={"data-period-which": ""}),
            "year": forms.Select(choices=years, attrs={"data-period-year": ""}),
            "form": forms.Select(choices=PeriodForm.choices, attrs={"data-period-form": ""}),
            "start": DayInput(attrs={"data-period-start": ""}),
            "end": DayInput(attrs={"data-period-end": ""}),
        }
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if isinstance(value, str) and value:
            try:
                value = periods.parse(value)
            except PeriodError:
                return [None, self.this_year, PeriodForm.CALENDAR, None, None]
        if isinstance(value, Period):
            if value.type == PeriodType.CUSTOM:
                return [CUSTOM, str(value.start.year), PeriodForm.CALENDAR, value.start, value.end]
            return [_which(value), str(value.year), value.form, None, None]
        return [None, self.this_year, PeriodForm.CALENDAR, None, None]  # nothing chosen yet: this year

    def value_from_datadict(self, data, files, name):
        values = super().value_from_datadict(data, files, name)
        which = values[0] or ""
        if which and name + "_year" not in data and which not in self._which_values():
            # A link or bookmark with an identifier: ?period=2026Q3, ?period=2026-07-01_2026-07-31.
            return self.decompress(which)
        return values

    def _which_values(self) -> set[str]:
        found = set()
        for value, label in self.widgets[0].choices:
            if isinstance(label, list | tuple):
                found.update(str(v) for v, _label in label)
            else:
                found.add(str(value))
        return found

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        subwidgets = context["widget"]["subwidgets"]
        labels = (
            pgettext_lazy("reporting period", "Which"),
            _("Year"),
            pgettext_lazy("reporting period", "Form"),
            _("First day"),
            _("Last day"),
        )
        context["widget"]["parts"] = list(zip(labels, subwidgets, strict=True))
        return context


class PeriodField(forms.MultiValueField):
    """A reporting period chosen in words; cleans to a `periods.Period`."""

    widget = PeriodPicker
    default_error_messages = {
        "required": _("Choose a period."),
        "incomplete": _("Choose the period and its year."),
    }

    def __init__(self, *, kinds=None, **kwargs):
        kinds = tuple(kinds or (*periods.STANDARD_TYPES, PeriodType.CUSTOM))
        fields = (
            forms.CharField(required=False),
            forms.CharField(required=False),
            forms.CharField(required=False),
            forms.CharField(required=False),
            forms.CharField(required=False),
        )
        kwargs.setdefault("label", _("Period"))
        super().__init__(fields, require_all_fields=False, **kwargs)
        self.kinds = kinds
        self.widget = PeriodPicker(kinds=kinds)

    def clean(self, value):
        if isinstance(value, Period):
            return value
        if isinstance(value, str):
            value = self.widget.decompress(value)
        which, year, form, start, end = (list(value or []) + [None] * 5)[:5]
        if not which:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return None
        if which == CUSTOM:
            return self._custom(start, end)
        return self._standard(str(which), year, form)

    def _standard(self, which: str, year, form) -> Period:
        try:
            kind, index = _kind_and_index(which)
        except (KeyError, ValueError, IndexError):
            raise ValidationError(_("Choose a period from the list."), code="invalid_choice") from None
        if kind not in self.kinds:
            raise ValidationError(_("Choose a period from the list."), code="invalid_choice")
        if not str(year or "").isdigit():
            raise ValidationError(self.error_messages["incomplete"], code="incomplete")
        form = form or PeriodForm.CALENDAR
        try:
            return periods.period(kind, int(year), index, form)
        except PeriodError as error:
            raise ValidationError(str(error), code="invalid") from None

    def _custom(self, start, end) -> Period:
        if PeriodType.CUSTOM not in self.kinds:
            raise ValidationError(_("Choose a period from the list."), code="invalid_choice")
        days = []
        for value, missing in ((start, _("Enter the first day of the range.")), (end, _("Enter the last day."))):
            if value in (None, ""):
                raise ValidationError(missing, code="incomplete")
            try:
                days.append(parse_day(value))
            except DayError as error:
                raise ValidationError(error.message, code="invalid") from None
        try:
            return periods.custom(days[0], days[1])
        except PeriodError as error:
            raise ValidationError(str(error), code="invalid") from None

    def compress(self, data_list):  # not used: `clean` reads the parts itself
        return data_list

    def has_changed(self, initial, data):
        return True


def describe(found: Period | None) -> str:
    """ "Quý III/2026 (01/07/2026 – 30/09/2026)": the period's name and its days, under the picker."""
    if found is None:
        return ""
    if found.type == PeriodType.CUSTOM or found.form == PeriodForm.CUTOFF:
        return found.label
    return f"{found.label} ({format_day(found.start)} – {format_day(found.end)})"
