"""Scoped reads of directives and reports, the task lists, completeness and the consolidated table.

Who sees what:
- a directive: the issuing side (issue, review or statistics rights over the issuing unit; a
  draft only to those who may issue there) and its recipients;
- a report: its own unit's staff, and anyone with review, issue or statistics rights over its
  unit or over the directive's issuing unit.
Everything outside answers 404 like a missing record.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from haidang.access.roles import ROLE_CAPABILITIES
from haidang.access.scope import scope_for
from haidang.places.models import AdministrativeUnit
from haidang.reporting.dimensions import Cell, cell_from_columns, cell_key, cell_label, cells
from haidang.reporting.models import (
    APPROVED_STATUSES,
    EDITABLE_STATUSES,
    SUBMITTED_STATUSES,
    Directive,
    DirectiveStatus,
    Indicator,
    Measure,
    Notification,
    Report,
    ReportFormVersion,
    ReportNarrative,
    ReportStatus,
    ReportValue,
    local_day,
)
from haidang.reporting.periods import PeriodError, parse
from haidang.reporting.permissions import FILE, ISSUE, REPORTING_CAPABILITIES, REVIEW, VIEW_STATISTICS
from haidang.reporting.prefill import AREA_AGENCY_TYPES

OVERSIGHT = (ISSUE, REVIEW, VIEW_STATISTICS)


def _any_of(scope, capabilities, unit_field: str) -> Q | None:
    conditions = [q for q in (scope.unit_q(c, unit_field) for c in capabilities) if q is not None]
    if not conditions:
        return None
    combined = conditions[0]
    for condition in conditions[1:]:
        combined |= condition
    return combined


# --- Directives and reports -------------------------------------------------------------------------


def reports_visible_to(user) -> QuerySet[Report]:
    scope = scope_for(user)
    base = Report.objects.select_related(
        "unit", "agency", "directive", "directive__issuing_unit", "directive__issuing_agency", "form_version__form"
    ).exclude(directive__status=DirectiveStatus.DRAFT)
    own = _any_of(scope, (FILE, *OVERSIGHT), "unit")
    above = _any_of(scope, OVERSIGHT, "directive__issuing_unit")
    condition = own if above is None else (above if own is None else own | above)
    if condition is None:
        return base.none()
    return base.filter(condition)


def directives_visible_to(user) -> QuerySet[Directive]:
    scope = scope_for(user)
    base = Directive.objects.select_related("issuing_unit", "issuing_agency", "form_version__form")
    issuer_side = _any_of(scope, OVERSIGHT, "issuing_unit")
    drafts = scope.unit_q(ISSUE, "issuing_unit")
    condition = Q(pk__in=reports_visible_to(user).values("directive_id"))
    if issuer_side is not None:
        condition |= issuer_side & ~Q(status=DirectiveStatus.DRAFT)
    if drafts is not None:
        condition |= drafts
    return base.filter(condition)


def get_directive_for_user(user, directive_id) -> Directive | None:
    try:
        return directives_visible_to(user).filter(pk=directive_id).first()
    except ValidationError:  # not a UUID
        return None


def get_report_for_user(user, report_id) -> Report | None:
    try:
        return reports_visible_to(user).filter(pk=report_id).first()
    except ValidationError:
        return None


def filter_reports(
    queryset: QuerySet,
    *,
    status: str = "",
    directive=None,
    period_id: str = "",
    unit: AdministrativeUnit | None = None,
) -> QuerySet:
    if status:
        queryset = queryset.filter(status=status)
    if directive is not None:
        queryset = queryset.filter(directive=directive)
    if period_id:
        queryset = queryset.filter(period_id=period_id)
    if unit is not None:
        queryset = queryset.filter(unit__placement_path__startswith=unit.scope_path)
    return queryset


def _filer_q(user) -> Q | None:
    """Reports the user's own memberships must fill (see permissions.can_file)."""
    condition = None
    for entry in scope_for(user).entries:
        if FILE not in ROLE_CAPABILITIES.get(entry.role, ()):
            continue
        here = Q(unit__placement_path=entry.unit_path) & (
            Q(agency__isnull=True) | Q(agency_id=entry.agency_id) | Q(agency__agency_type__in=AREA_AGENCY_TYPES)
        )
        condition = here if condition is None else condition | here
    return condition


def tasks_for(user, today: date | None = None) -> list[Report]:
    """The reports the user must fill in, soonest deadline first; each has `days_left` (negative
    when overdue) and `is_overdue`."""
    today = today or timezone.localdate()
    condition = _filer_q(user)
    if condition is None:
        return []
    reports = list(
        Report.objects.filter(condition, status__in=EDITABLE_STATUSES, directive__status=DirectiveStatus.ISSUED)
        .select_related("unit", "agency", "directive", "directive__issuing_agency")
        .order_by("deadline", "unit__sort_key")
    )
    for report in reports:
        report.days_left = (report.deadline - today).days
        report.is_overdue = report.days_left < 0
    return reports


def reviews_for(user) -> QuerySet[Report]:
    """Submitted reports waiting for this user's review, oldest submission first."""
    condition = scope_for(user).unit_q(REVIEW, "directive__issuing_unit")
    if condition is None:
        return Report.objects.none()
    return (
        Report.objects.filter(condition, status=ReportStatus.SUBMITTED, directive__status=DirectiveStatus.ISSUED)
        .select_related("unit", "agency", "directive")
        .order_by("submitted_at")
    )


def history_of(report: Report):
    return report.status_changes.select_related("actor").order_by("at", "pk")


def can_view_unit(user, unit) -> bool:
    scope = scope_for(user)
    return any(scope.covers_unit(unit, capability) for capability in REPORTING_CAPABILITIES)


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
    path = unit.scope_path
    reports = list(
        reports_visible_to(user)
        .filter(directive=directive, unit__placement_path__startswith=path)
        .select_related("unit", "agency", "directive")
        .order_by("unit__sort_key", "agency__name")
    )
    by_child: dict = defaultdict(list)
    for report in reports:
        by_child[_child_of(path, report.unit.scope_path)].append(report)
    children = {u.pk: u for u in AdministrativeUnit.objects.filter(pk__in=[k for k in by_child if k is not None])}
    result = Completeness(directive=directive, unit=unit, today=today)
    total = CompletenessRow(unit=unit, label=_("Total"))
    for key, items in by_child.items():
        child = children.get(key) if key is not None else None
        row = CompletenessRow(
            unit=child or unit, label=child.name if child else _("%(unit)s (own)") % {"unit": unit.name}
        )
        row.has_children = child is not None and any(r.unit.scope_path != child.scope_path for r in items)
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
        result.reports = [r for r in reports if r.unit.scope_path == path]
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
    queryset = reports_visible_to(user).filter(unit__placement_path__startswith=unit.scope_path)
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
    path = unit.scope_path
    child_of = {r.pk: _child_of(path, r.unit.scope_path) for r in approved}
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


# --- Notices ------------------------------------------------------------------------------------


def notifications_for(user) -> QuerySet[Notification]:
    """The user's own notices, newest first; nobody ever reads another's."""
    if user is None or not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")


def unread_notification_count(user) -> int:
    """One COUNT on the (user, read_at, created_at) index; the menu asks it on every page."""
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
