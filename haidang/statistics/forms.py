"""Forms for the dashboards and for building a release. Unit codes are read on today's map."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haidang.access.roles import Capability
from haidang.access.scope import scope_for
from haidang.places.models import AdministrativeUnit, UnitLevel
from haidang.places.selectors import UnitLookupError, resolve_unit
from haidang.reporting.periods import PeriodError, PeriodType, containing, parse
from haidang.statistics.catalogue import BREAKDOWNS, available_indicators, get_indicator
from haidang.statistics.dashboards import UNIT_DIMENSION
from haidang.statistics.models import Audience
from haidang.statistics.services import release_breakdowns


def _indicator_choices():
    return [(indicator.code, indicator.label) for indicator in available_indicators()]


def _breakdown_choices(blank: str | None, codes=None):
    codes = codes if codes is not None else list(BREAKDOWNS)
    choices = [(code, BREAKDOWNS[code].label) for code in codes]
    return ([("", blank)] if blank is not None else []) + choices


def default_unit(user) -> AdministrativeUnit | None:
    """The nation for a national user; else the top unit of the user's statistics area."""
    paths = scope_for(user).paths_for(Capability.VIEW_STATISTICS)
    if not paths or any(path.count("/") <= 2 for path in paths):
        return None
    top = min(paths, key=lambda path: (path.count("/"), path))
    return AdministrativeUnit.objects.filter(pk=int(top.strip("/").split("/")[-1])).first()


def _unit_from_code(code: str) -> AdministrativeUnit | None:
    code = (code or "").strip()
    if not code:
        return None
    try:
        unit = resolve_unit(code, timezone.localdate())
    except UnitLookupError as error:
        raise forms.ValidationError(str(error)) from None
    return None if unit.level == UnitLevel.NATION else unit


def _period(value: str):
    try:
        return parse((value or "").strip())
    except PeriodError as error:
        raise forms.ValidationError(str(error)) from None


class DashboardForm(forms.Form):
    indicator = forms.ChoiceField(label=_("Indicator"), choices=())
    period = forms.CharField(
        label=_("Period"),
        max_length=32,
        help_text=_("For example 2026S1 (first six months), 2026Q2, 2026M07, 2026 or 2026C (cut-off year)."),
    )
    unit = forms.CharField(label=_("Unit code"), max_length=10, required=False, help_text=_("Empty: your whole area."))
    breakdown = forms.ChoiceField(label=_("Breakdown"), required=False, choices=())
    pivot_rows = forms.ChoiceField(label=_("Table rows"), required=False, choices=())
    pivot_columns = forms.ChoiceField(label=_("Table columns"), required=False, choices=())

    def __init__(self, data=None, *, user):
        self.user = user
        if data is None:
            data = {
                "indicator": "criminal_cases_detected",
                "period": containing(PeriodType.SIX_MONTHS, timezone.localdate()).identifier,
            }
        super().__init__(data)
        self.fields["indicator"].choices = _indicator_choices()
        self.fields["breakdown"].choices = _breakdown_choices(_("None"))
        pivot = [("", _("None")), (UNIT_DIMENSION, _("Unit")), *_breakdown_choices(None)]
        self.fields["pivot_rows"].choices = pivot
        self.fields["pivot_columns"].choices = pivot

    def clean_period(self):
        return _period(self.cleaned_data["period"])

    def clean_unit(self):
        unit = _unit_from_code(self.cleaned_data["unit"])
        return unit if unit is not None or self.cleaned_data["unit"].strip() else default_unit(self.user)

    def clean(self):
        data = super().clean()
        definition = get_indicator(data.get("indicator") or "")
        if definition is None:
            return data
        for name in ("breakdown", "pivot_rows", "pivot_columns"):
            value = data.get(name)
            if value and value != UNIT_DIMENSION and value not in definition.breakdowns:
                self.add_error(
                    name,
                    _("%(indicator)s cannot be broken down by %(breakdown)s.")
                    % {"indicator": definition.label, "breakdown": BREAKDOWNS[value].label},
                )
        rows, columns = data.get("pivot_rows"), data.get("pivot_columns")
        if columns and not rows:
            self.add_error("pivot_rows", _("Choose the rows of the table first."))
        if rows and rows == columns:
            self.add_error("pivot_columns", _("Choose two different dimensions."))
        if (
            rows
            and columns
            and UNIT_DIMENSION not in (rows, columns)
            and BREAKDOWNS[rows].multi
            and BREAKDOWNS[columns].multi
        ):
            self.add_error(
                "pivot_columns", _("Only one breakdown with several values per record can be used at a time.")
            )
        return data

    def choices(self) -> dict:
        data = self.cleaned_data
        return {
            "indicator": data["indicator"],
            "period": data["period"],
            "unit": data["unit"],
            "breakdown": data.get("breakdown") or "",
            "pivot_rows": data.get("pivot_rows") or "",
            "pivot_columns": data.get("pivot_columns") or "",
        }


LEVELS = (
    (0, _("The area itself")),
    (UnitLevel.PROVINCE, _("Its provinces")),
    (UnitLevel.COMMUNE, _("Its communes (not for counts of persons)")),
)


class ReleaseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    audience = forms.ChoiceField(label=_("Audience"), choices=Audience.choices, initial=Audience.PUBLIC)
    indicators = forms.MultipleChoiceField(label=_("Indicators"), choices=(), widget=forms.CheckboxSelectMultiple)
    breakdowns = forms.MultipleChoiceField(
        label=_("Breakdowns"), required=False, choices=(), widget=forms.CheckboxSelectMultiple
    )
    period = forms.CharField(
        label=_("Period"),
        max_length=32,
        help_text=_("A quarter, six months or a year for counts of persons: 2026Q1, 2026S1, 2026."),
    )
    unit = forms.CharField(
        label=_("Area (unit code)"), max_length=10, required=False, help_text=_("Empty: the whole country.")
    )
    level = forms.TypedChoiceField(label=_("Rows"), choices=LEVELS, coerce=int, initial=0)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicators"].choices = _indicator_choices()
        self.fields["breakdowns"].choices = _breakdown_choices(None, release_breakdowns())

    def clean_unit(self):
        return _unit_from_code(self.cleaned_data["unit"])

    def spec_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "audience": data["audience"],
            "indicators": data["indicators"],
            "breakdowns": data["breakdowns"],
            "period": data["period"],
            "unit": data["unit"],
            "level": data["level"],
            "note": data["note"],
        }


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Why is it withdrawn?"), widget=forms.Textarea(attrs={"rows": 2}))
