"""Forms for the dashboards and for building a release: a period chosen in words (`PeriodField`) and a unit
by name or code (`UnitField`), read on the map of the dashboard's `as_of` day (today by default) and on
today's map for a release."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from haidang.access.roles import Capability
from haidang.access.scope import scope_for
from haidang.places.forms import filter_unit_field, map_date_field, resolve_filter_territory, resolve_unit_field
from haidang.places.models import AdministrativeUnit, UnitLevel
from haidang.reporting.period_field import PeriodField
from haidang.reporting.periods import STANDARD_TYPES, PeriodType, containing
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


def _not_the_nation(unit: AdministrativeUnit | None) -> AdministrativeUnit | None:
    return None if unit is None or unit.level == UnitLevel.NATION else unit


class DashboardForm(forms.Form):
    indicator = forms.ChoiceField(label=_("Indicator"), choices=())
    period = PeriodField(label=_("Period"), help_text=_("Compared with the same period a year before."))
    unit = filter_unit_field(
        label=_("Area"), help_text=_("A province or commune by name or code; empty: your whole area.")
    )
    as_of = map_date_field()
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

    def clean(self):
        data = super().clean()
        chosen = data.get("period")
        named = bool(data.get("unit"))
        territory = resolve_filter_territory(
            self, start=getattr(chosen, "start", None), end=getattr(chosen, "end", None), user=self.user
        )
        if not named:
            data["unit"] = default_unit(self.user)
        else:
            data["unit"] = _not_the_nation(territory.unit) if territory is not None else None
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
    title = forms.CharField(label=pgettext_lazy("release", "Title"), max_length=200)
    audience = forms.ChoiceField(label=_("Audience"), choices=Audience.choices, initial=Audience.PUBLIC)
    indicators = forms.MultipleChoiceField(label=_("Indicators"), choices=(), widget=forms.CheckboxSelectMultiple)
    breakdowns = forms.MultipleChoiceField(
        label=_("Breakdowns"), required=False, choices=(), widget=forms.CheckboxSelectMultiple
    )
    period = PeriodField(
        label=_("Period"),
        kinds=STANDARD_TYPES,
        help_text=_("At least a quarter for counts of persons: a quarter, six months, nine months or a year."),
    )
    unit = filter_unit_field(
        label=_("Area"),
        date_field="",
        help_text=_("A province or commune of today's map by name or code; empty: the whole country."),
    )
    level = forms.TypedChoiceField(label=_("Rows"), choices=LEVELS, coerce=int, initial=0)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicators"].choices = _indicator_choices()
        self.fields["breakdowns"].choices = _breakdown_choices(None, release_breakdowns())

    def clean(self):
        data = super().clean()
        data["unit"] = _not_the_nation(resolve_unit_field(self, "unit", timezone.localdate()))
        return data

    def spec_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "audience": data["audience"],
            "indicators": data["indicators"],
            "breakdowns": data["breakdowns"],
            "period": data["period"].identifier,
            "unit": data["unit"],
            "level": data["level"],
            "note": data["note"],
        }


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Why is it withdrawn?"), widget=forms.Textarea(attrs={"rows": 2}))
