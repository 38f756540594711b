"""Directives and reports: who sees which (404 outside, like a missing record), the task and review
lists, and the concrete recipients a directive reaches."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone

from haidang.access.models import Agency
from haidang.access.roles import ROLE_CAPABILITIES
from haidang.access.scope import scope_for
from haidang.places.models import AdministrativeUnit
from haidang.places.selectors import valid_on_q
from haidang.places.territory import Territory
from haidang.reporting.models import EDITABLE_STATUSES, Directive, DirectiveStatus, Report, ReportStatus
from haidang.reporting.periods import Period
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
    period: Period | None = None,
    territory: Territory | None = None,
) -> QuerySet:
    if status:
        queryset = queryset.filter(status=status)
    if directive is not None:
        queryset = queryset.filter(directive=directive)
    if period is not None:  # the same days, however the period was written (2026Q3 or its two dates)
        queryset = queryset.filter(period_start=period.start, period_end=period.end)
    if territory is not None:
        queryset = queryset.filter(territory.q("unit"))
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


# --- Recipients -----------------------------------------------------------------------------------


def resolve_recipients(directive: Directive) -> list[tuple[AdministrativeUnit, Agency | None, object]]:
    """The concrete recipients: those named, plus every unit (or agency of the type) of each
    rule's level under the issuing unit that is valid on the deadline day, i.e. the units and
    agencies that exist to answer. Returns (unit, agency, rule) without repeats.

    "Under" is on the map of the deadline day: a 2024 directive of the old Thạch Thất district goes
    to that district's communes of 2024, not to every unit that today's map places in Hà Nội."""
    day = directive.deadline
    issuer = directive.issuing_unit
    tree = (
        Q(path__startswith=issuer.path) if issuer.is_valid_on(day) else Q(placement_path__startswith=issuer.scope_path)
    )
    below = tree & valid_on_q(day)
    agency_then = (Q(valid_from__isnull=True) | Q(valid_from__lte=day)) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=day)
    )
    result: dict = {}
    for recipient in directive.recipients.select_related("unit", "agency"):
        result[(recipient.unit_id, recipient.agency_id)] = (recipient.unit, recipient.agency, None)
    for rule in directive.recipient_rules.all():
        units = AdministrativeUnit.objects.filter(below, level=rule.level)
        if rule.agency_type:
            agencies = (
                Agency.objects.filter(agency_then, is_active=True, agency_type=rule.agency_type, unit__in=units)
                .exclude(pk=directive.issuing_agency_id)
                .select_related("unit")
            )
            for agency in agencies:
                result.setdefault((agency.unit_id, agency.pk), (agency.unit, agency, rule))
        else:
            for unit in units:
                result.setdefault((unit.pk, None), (unit, None, rule))
    return sorted(result.values(), key=lambda item: (item[0].level, item[0].sort_key, str(item[1] or "")))
