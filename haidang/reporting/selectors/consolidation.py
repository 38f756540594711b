"""Completeness (who has reported, against the recipients that exist on the deadline day) and the
consolidated figures (approved reports summed level by level); both read through `reports_visible_to`."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from haidang.places.models import AdministrativeUnit
from haidang.places.territory import Territory
from haidang.reporting.dimensions import Cell, cell_from_columns, cell_key, cell_label, cells
from haidang.reporting.models import (
    APPROVED_STATUSES,
    SUBMITTED_STATUSES,
    Directive,
    DirectiveStatus,
    Indicator,
    Measure,
    Report,
    ReportFormVersion,
    ReportNarrative,
    ReportValue,
    local_day,
)
from haidang.reporting.periods import PeriodError, parse
from haidang.reporting.prefill import AREA_AGENCY_TYPES
from haidang.reporting.selectors.directives import reports_visible_to

# --- Completeness ---------------------------------------------------------------------------------


@dataclass
class CompletenessRow:
    unit: AdministrativeUnit | None
    label: str
    expected: int = 0
    submitted: int = 0
    on_time: int = 0
    late: int = 0
    approved: int = 0
    overdue: int = 0  # not submitted, deadline passed
    not_expected: int = 0  # reports of units that no longer exist on the deadline day
    has_children: bool = False

    @property
    def missing(self) -> int:
        return self.expected - self.submitted

    @property
    def rate(self) -> float:
        """Share of expected reports submitted, 0–100 (never above)."""
        return round(100 * self.submitted / self.expected, 1) if self.expected else 0.0

    @property
    def on_time_rate(self) -> float:
        return round(100 * self.on_time / self.expected, 1) if self.expected else 0.0


@dataclass
class Completeness:
    directive: Directive
    unit: AdministrativeUnit
    today: date
    rows: list[CompletenessRow] = field(default_factory=list)
    total: CompletenessRow | None = None
    reports: list[Report] = field(default_factory=list)  # this unit's own reports, for drill-down


def is_expected(report: Report) -> bool:
    """A report is expected when its unit exists on the deadline day (a unit dissolved in the
    reorganisation does not answer; its area answers through its successor)."""
    return report.directive.status == DirectiveStatus.ISSUED and report.unit.is_valid_on(report.deadline)


def _count(row: CompletenessRow, report: Report, today: date) -> None:
    if not is_expected(report):
        row.not_expected += 1
        return
    row.expected += 1
    if report.status in SUBMITTED_STATUSES:
        row.submitted += 1
        if local_day(report.submitted_at) <= report.deadline:
            row.on_time += 1
        else:
            row.late += 1
        if report.status in APPROVED_STATUSES:
            row.approved += 1
    elif today > report.deadline:
        row.overdue += 1


def _child_of(unit_path: str, report_path: str) -> int | None:
    """The key of the child of the unit on the way to the report's unit (None: the unit itself)."""
    rest = report_path[len(unit_path) :].strip("/").split("/")
    return int(rest[0]) if rest and rest[0] else None


def completeness(user, directive: Directive, unit: AdministrativeUnit | None = None, today=None) -> Completeness:
    """Expected, submitted, on time, late, overdue and approved per child unit of `unit` (the
    issuing unit by default), the unit's own reports, and the total. Counted against the
    recipients that exist on the deadline day, so the rate never passes 100%."""
    today = today or timezone.localdate()
    unit = unit or directive.issuing_unit
    territory = Territory(unit)
    path = territory.path
    reports = list(
        reports_visible_to(user)
        .filter(territory.q("unit"), directive=directive)
        .select_related("unit", "agency", "directive")
        .order_by("unit__sort_key", "agency__name")
    )
    by_child: dict = defaultdict(list)
    for report in reports:
        by_child[_child_of(path, territory.path_of(report.unit))].append(report)
    children = {u.pk: u for u in AdministrativeUnit.objects.filter(pk__in=[k for k in by_child if k is not None])}
    result = Completeness(directive=directive, unit=unit, today=today)
    total = CompletenessRow(unit=unit, label=_("Total"))
    for key, items in by_child.items():
        child = children.get(key) if key is not None else None
        row = CompletenessRow(
            unit=child or unit, label=child.name if child else _("%(unit)s (own)") % {"unit": unit.name}
        )
        row.has_children = child is not None and any(
            territory.path_of(r.unit) != territory.path_of(child) for r in items
        )
        for report in items:
            _count(row, report, today)
            _count(total, report, today)
            report.expected = is_expected(report)
        result.rows.append(row)
        if key is None:
            result.reports = items
    result.rows.sort(key=lambda r: (r.unit is unit, r.unit.sort_key if r.unit else ""))
    result.total = total
    if not result.reports:
        # A leaf: the reports of the unit itself are all there is to show.
        result.reports = [r for r in reports if territory.path_of(r.unit) == path]
    return result


# --- Consolidated figures ---------------------------------------------------------------------------


@dataclass
class Column:
    key: str
    label: str
    unit: AdministrativeUnit | None
    approved: int = 0  # approved reports behind the figures


@dataclass
class ConsolidatedCell:
    cell: Cell
    key: str
    label: str
    values: list[int | None]  # per column, the last being the total


@dataclass
class ConsolidatedRow:
    indicator: Indicator
    code: str
    name: str
    measure: str
    cells: list[ConsolidatedCell]

    @property
    def total(self) -> ConsolidatedCell:
        return self.cells[0]


@dataclass
class Consolidated:
    unit: AdministrativeUnit
    form_version: ReportFormVersion
    period_id: str
    period_label: str
    directive: Directive | None
    columns: list[Column]
    rows: list[ConsolidatedRow]
    approved: int
    pending: list[Report]  # reports in the subtree not yet approved (their figures are not counted)
    narratives: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # section code -> (recipient, text)


def _reports_for_table(user, directive, form_version, period_id, unit) -> tuple[list[Report], list[Report]]:
    queryset = reports_visible_to(user).filter(Territory(unit).q("unit"))
    if directive is not None:
        queryset = queryset.filter(directive=directive)
    else:
        queryset = queryset.filter(
            form_version=form_version, period_id=period_id, directive__status=DirectiveStatus.ISSUED
        )
    reports = list(queryset.select_related("unit", "agency", "directive"))
    approved = [r for r in reports if r.status in APPROVED_STATUSES]
    if directive is None:
        approved = _level_by_level(approved)
    return approved, [r for r in reports if r.status not in APPROVED_STATUSES]


def _level_by_level(reports: list[Report]) -> list[Report]:
    """Across directives of several levels, a unit's own area report already sums its children:
    count it and leave out reports below it from other directives."""
    area = [r for r in reports if r.agency_id is None or r.agency.agency_type in AREA_AGENCY_TYPES]
    kept = []
    for report in reports:
        path = report.unit.scope_path
        covered = any(
            other.directive_id != report.directive_id
            and path != other.unit.scope_path
            and path.startswith(other.unit.scope_path)
            for other in area
        )
        if not covered:
            kept.append(report)
    return kept


def consolidated(
    user,
    directive: Directive | None = None,
    *,
    form_version: ReportFormVersion | None = None,
    period_id: str = "",
    unit: AdministrativeUnit | None = None,
) -> Consolidated:
    """The consolidated figures at `unit` (the directive's issuing unit by default): for every
    indicator and breakdown cell, one column per child unit summing the approved reports in its
    subtree (old units placed through the crosswalk), one for the unit's own reports, and the
    total. Without a directive, every issued directive of the form version and period counts."""
    if directive is not None:
        form_version, period_id = directive.form_version, directive.period_id
        unit = unit or directive.issuing_unit
    if form_version is None or unit is None:
        raise ValueError("a directive, or a form version with a unit, is required")
    approved, pending = _reports_for_table(user, directive, form_version, period_id, unit)
    territory = Territory(unit)
    path = territory.path
    child_of = {r.pk: _child_of(path, territory.path_of(r.unit)) for r in approved}
    children = {
        u.pk: u for u in AdministrativeUnit.objects.filter(pk__in={k for k in child_of.values() if k is not None})
    }
    keys = sorted(children, key=lambda pk: (children[pk].sort_key, pk))
    has_own = any(k is None for k in child_of.values())
    columns = [Column(key=str(pk), label=children[pk].name, unit=children[pk]) for pk in keys]
    if has_own:
        columns.append(Column(key="own", label=_("%(unit)s (own)") % {"unit": unit.name}, unit=unit))
    columns.append(Column(key="total", label=_("Total"), unit=unit))
    index_of = {str(pk): i for i, pk in enumerate(keys)}
    if has_own:
        index_of["own"] = len(keys)
    for report in approved:
        key = child_of[report.pk]
        columns[index_of["own" if key is None else str(key)]].approved += 1
    columns[-1].approved = len(approved)

    indicators = list(form_version.indicators.order_by("position", "code"))
    sums: dict = defaultdict(int)
    seen: set = set()
    by_report = {r.pk: r for r in approved}
    values = (
        ReportValue.objects.filter(report_id__in=list(by_report), value__isnull=False)
        .values("report_id", "indicator_id", "sex", "age_band", "nationality", "material_kind", "activity_type")
        .annotate(total=Sum("value"))
    )
    breakdowns = {i.pk: i.breakdowns for i in indicators}
    for row in values:
        if row["indicator_id"] not in breakdowns:
            continue
        cell = cell_from_columns(row, breakdowns[row["indicator_id"]])
        key = child_of[row["report_id"]]
        column = index_of["own" if key is None else str(key)]
        for target in (column, len(columns) - 1):
            sums[(row["indicator_id"], cell, target)] += row["total"]
            seen.add((row["indicator_id"], cell, target))
    table_rows = []
    for indicator in indicators:
        table_cells = [
            ConsolidatedCell(
                cell=cell,
                key=cell_key(cell),
                label=cell_label(cell),
                values=[
                    sums[(indicator.pk, cell, i)] if (indicator.pk, cell, i) in seen else None
                    for i in range(len(columns))
                ],
            )
            for cell in cells(indicator.breakdowns)
        ]
        table_rows.append(
            ConsolidatedRow(
                indicator=indicator,
                code=indicator.code,
                name=indicator.name,
                measure=str(Measure(indicator.measure).label),
                cells=table_cells,
            )
        )
    narratives: dict = defaultdict(list)
    texts = (
        ReportNarrative.objects.filter(report__in=[r.pk for r in approved])
        .exclude(text="")
        .select_related("section", "report__unit", "report__agency")
        .order_by("section__position", "report__unit__sort_key")
    )
    for text in texts:
        narratives[text.section.code].append((text.report.recipient_name, text.text))
    try:
        period = parse(period_id).label
    except PeriodError:
        period = period_id
    return Consolidated(
        unit=unit,
        form_version=form_version,
        period_id=period_id,
        period_label=period,
        directive=directive,
        columns=columns,
        rows=table_rows,
        approved=len(approved),
        pending=sorted(pending, key=lambda r: (r.unit.sort_key, str(r.agency or ""))),
        narratives=dict(narratives),
    )
