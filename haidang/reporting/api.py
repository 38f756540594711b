"""API: report forms, directives, reports (fill, submit, review), completeness, consolidated figures.

Every read starts from the scoped selectors: out of scope answers 404 exactly like missing. A
role without the right answers 403. Refused input answers 400 `invalid` with `fields` naming
each field (a figure as "values[<indicator>][<breakdown>]"); a stale version answers 409.
"""

from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from haidang.access.models import Agency
from haidang.access.selectors import agencies_visible_to
from haidang.common.api import ApiError, ErrorOut, error_fields, invalid, not_found, page_params, paginate
from haidang.common.schemas import agency_ref, unit_ref
from haidang.places.errors import UnitLookupError
from haidang.places.models import AdministrativeUnit
from haidang.places.schemas import TerritoryFilter
from haidang.places.selectors import resolve_unit
from haidang.places.territory import API_NOTE as TERRITORY_NOTE
from haidang.places.territory import territory_into
from haidang.reporting import permissions, selectors, services
from haidang.reporting.dimensions import DIMENSIONS, cell_from_columns, cell_label
from haidang.reporting.models import Directive, Report, ReportForm, ReportFormVersion, ReportStatus, VersionStatus
from haidang.reporting.periods import Period, PeriodError, parse
from haidang.reporting.schemas import (
    CompletenessOut,
    ConsolidatedFilters,
    ConsolidatedOut,
    DirectiveDetailOut,
    DirectiveFilters,
    DirectiveIn,
    DirectiveList,
    FormDetailOut,
    FormList,
    IssueOut,
    NotificationFilters,
    NotificationList,
    NotificationOut,
    ReportDetailOut,
    ReportFilters,
    ReportList,
    ReportPatch,
    ReturnIn,
    VersionIn,
)

router = Router(tags=["reporting"])

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE_ERRORS = {**ERRORS, 409: ErrorOut, 400: ErrorOut}


def _forbidden() -> ApiError:
    return ApiError(403, "forbidden", _("Your role does not allow this."))


def _require_reporting(request) -> None:
    if not permissions.can_use_reporting(request.user):
        raise _forbidden()


def _call(function, *args, **kwargs):
    """Run a service; its refusals become the API's answers (nothing was written)."""
    try:
        return function(*args, **kwargs)
    except services.ReportValidationError as error:
        raise ApiError(
            400, "invalid", _("The report does not pass its checks; see the fields named."), error.message_dict
        ) from None
    except ValidationError as error:
        raise invalid(error_fields(error)) from None


# --- Output ------------------------------------------------------------------------------------------


def _version_out(version: ReportFormVersion) -> dict:
    return {
        "id": version.id,
        "number": version.number,
        "status": version.status,
        "period_type": version.period_type,
        "published_at": version.published_at,
    }


def _form_ref(version: ReportFormVersion) -> dict:
    return {"id": version.form_id, "code": version.form.code, "name": version.form.name, "version": version.number}


def _form_out(form: ReportForm) -> dict:
    return {
        "id": form.id,
        "code": form.code,
        "name": form.name,
        "description": form.description,
        "versions": [_version_out(v) for v in form.versions.order_by("-number")],
    }


def _directive_out(directive: Directive, reports: int = 0) -> dict:
    version = directive.form_version
    return {
        "id": directive.id,
        "version": directive.version,
        "number": directive.number,
        "issued_on": directive.issued_on,
        "issuing_unit": unit_ref(directive.issuing_unit),
        "issuing_agency": agency_ref(directive.issuing_agency),
        "title": directive.title,
        "form": {
            "id": version.form_id,
            "code": version.form.code,
            "name": version.form.name,
            "version": version.number,
        },
        "period_id": directive.period_id,
        "period_label": directive.period_label,
        "period_start": directive.period_start,
        "period_end": directive.period_end,
        "deadline": directive.deadline,
        "status": directive.status,
        "issued_at": directive.issued_at,
        "reports": reports,
    }


def _directive_detail(request, directive: Directive) -> dict:
    count = selectors.reports_visible_to(request.user).filter(directive=directive).count()
    return {
        **_directive_out(directive, count),
        "text": directive.text,
        "activities": list(directive.activities.values_list("text", flat=True)),
        "recipient_rules": [
            {"level": rule.level, "agency_type": rule.agency_type} for rule in directive.recipient_rules.all()
        ],
        "recipients": [
            {"unit": unit_ref(r.unit), "agency": agency_ref(r.agency)}
            for r in directive.recipients.select_related("unit", "agency")
        ],
    }


def _report_out(report: Report) -> dict:
    return {
        "id": report.id,
        "version": report.version,
        "directive": {"id": report.directive_id, "number": report.directive.number, "title": report.directive.title},
        "unit": unit_ref(report.unit),
        "agency": agency_ref(report.agency),
        "period_id": report.period_id,
        "period_label": report.period_label,
        "deadline": report.deadline,
        "status": report.status,
        "status_label": str(ReportStatus(report.status).label),
        "submitted_at": report.submitted_at,
        "approved_at": report.approved_at,
        "on_time": report.on_time,
        "is_late": report.is_late,
    }


def _report_detail(request, report: Report) -> dict:
    indicators = {i.pk: i for i in report.form_version.indicators.all()}
    values = []
    rows = report.values.order_by("indicator__position", "sex", "age_band", "nationality", "material_kind")
    for row in rows:
        indicator = indicators[row.indicator_id]
        cell = cell_from_columns(row, indicator.breakdowns)
        values.append(
            {
                "indicator": indicator.code,
                "dimensions": dict(cell),
                "label": cell_label(cell),
                "computed_value": row.computed_value,
                "value": row.value,
                "override_reason": row.override_reason,
            }
        )
    version = report.form_version
    return {
        **_report_out(report),
        "form": {
            "id": version.form_id,
            "code": version.form.code,
            "name": version.form.name,
            "version": version.number,
        },
        "values": values,
        "narratives": {n.section.code: n.text for n in report.narratives.select_related("section")},
        "checks": [
            {
                key: str(problem.get(key, ""))
                for key in ("rule", "severity", "indicator", "breakdown", "breakdown_label", "message")
            }
            for problem in selectors.check_report(report)
            if problem["rule"]
        ],
        "history": [
            {
                "from": change.from_status,
                "to": change.to_status,
                "actor": str(change.actor) if change.actor else "",
                "at": change.at,
                "comment": change.comment,
            }
            for change in selectors.history_of(report)
        ],
        "can_edit": report.is_editable and permissions.can_file(request.user, report),
        "can_review": report.status == ReportStatus.SUBMITTED and permissions.can_review(request.user, report),
    }


def _row_out(row) -> dict:
    return {
        "unit": unit_ref(row.unit),
        "label": str(row.label),
        "expected": row.expected,
        "submitted": row.submitted,
        "on_time": row.on_time,
        "late": row.late,
        "overdue": row.overdue,
        "missing": row.missing,
        "approved": row.approved,
        "not_expected": row.not_expected,
        "rate": row.rate,
        "has_children": row.has_children,
    }


# --- Lookups -----------------------------------------------------------------------------------------


def _unit(errors: dict, field: str, code: str, *days):
    for day in days:
        try:
            return resolve_unit(code, day)
        except UnitLookupError as error:
            last = error
    errors.setdefault(field, []).append(str(last))
    return None


def _period_filter(errors: dict, text: str) -> Period | None:
    """The period a filter names (the forms' parser for its days); what is wrong goes on `period`."""
    if not text.strip():
        return None
    try:
        return parse(text)
    except PeriodError as error:
        errors.setdefault("period", []).append(str(error))
        return None


def _visible_agency(request, errors: dict, field: str, agency_id) -> Agency | None:
    if agency_id is None:
        return None
    agency = agencies_visible_to(request.user).filter(pk=agency_id).first()
    if agency is None:
        errors.setdefault(field, []).append(_("Unknown agency."))
    return agency


def _directive_territory(request, directive: Directive, params) -> AdministrativeUnit | None:
    """The unit a completeness or consolidation drill-down names (on `as_of`, default today), checked against
    the directive's period; None for none. 404 outside the user's area, like a missing unit."""
    errors: dict[str, list[str]] = {}
    territory = territory_into(
        errors, params.unit, params.as_of, start=directive.period_start, end=directive.period_end
    )
    if errors:
        raise invalid(errors)
    if territory is None:
        return None
    if not selectors.can_view_unit(request.user, territory.unit):
        raise not_found()
    return territory.unit


def _directive_for(request, directive_id) -> Directive:
    directive = selectors.get_directive_for_user(request.user, directive_id)
    if directive is None:
        raise not_found()
    return directive


def _report_for(request, report_id) -> Report:
    report = selectors.get_report_for_user(request.user, report_id)
    if report is None:
        raise not_found()
    return report


# --- Report forms ------------------------------------------------------------------------------------


@router.get(
    "/report-forms",
    response={200: FormList, **ERRORS},
    summary="Report forms and their versions",
    description="Every form, newest version first. A published version never changes; directives name one.",
)
def list_report_forms(request, page: int = 1, page_size: int = 50):
    _require_reporting(request)
    queryset = ReportForm.objects.prefetch_related("versions").order_by("name")
    return paginate(queryset, page, page_size, _form_out)


@router.get(
    "/report-forms/{form_id}",
    response={200: FormDetailOut, **ERRORS},
    summary="One report form with its indicators, breakdowns, narrative sections and rules",
    description="The published version by default; `?version=<number>` for another.",
)
def get_report_form(request, form_id: UUID, version: int | None = None):
    _require_reporting(request)
    form = ReportForm.objects.filter(pk=form_id).first()
    if form is None:
        raise not_found()
    versions = form.versions.all()
    chosen = (
        versions.filter(number=version).first()
        if version is not None
        else versions.filter(status=VersionStatus.PUBLISHED).first() or versions.order_by("-number").first()
    )
    if chosen is None:
        raise not_found()
    return {
        **_form_out(form),
        "version": _version_out(chosen),
        "indicators": [
            {
                "code": i.code,
                "name": i.name,
                "position": i.position,
                "measure": i.measure,
                "source": i.source,
                "breakdowns": list(i.breakdowns),
                "dimensions": {
                    code: [{"code": c, "label": str(label)} for c, label in DIMENSIONS[code].values]
                    for code in i.breakdowns
                },
            }
            for i in chosen.indicators.order_by("position", "code")
        ],
        "sections": [
            {"code": s.code, "title": s.title, "position": s.position, "required": s.required}
            for s in chosen.sections.order_by("position")
        ],
        "rules": [
            {
                "code": r.code,
                "left": r.left_indicator.code,
                "operator": r.operator,
                "right": r.right_indicator.code,
                "message": r.message,
                "severity": r.severity,
            }
            for r in chosen.rules.select_related("left_indicator", "right_indicator")
        ],
    }


# --- Directives --------------------------------------------------------------------------------------


@router.get(
    "/directives",
    response={200: DirectiveList, **ERRORS},
    summary="Directives the user issued, reviews or received",
    description="Filters: `status` (draft, issued, cancelled), `period` (an identifier such as 2026Q3, 2026N9 or "
    "2026-07-01_2026-07-31: the directives for those same days; a period that does not exist, such as "
    "2023-11-31_2023-12-31, answers 400 naming `period`).",
)
def list_directives(request, filters: Query[DirectiveFilters]):
    _require_reporting(request)
    errors: dict[str, list[str]] = {}
    period = _period_filter(errors, filters.period)
    if errors:
        raise invalid(errors)
    queryset = selectors.directives_visible_to(request.user)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if period is not None:
        queryset = queryset.filter(period_start=period.start, period_end=period.end)
    queryset = queryset.order_by("-issued_on", "-created_at")
    page, size = page_params(filters.page, filters.page_size)
    ids = list(queryset.values_list("pk", flat=True)[(page - 1) * size : page * size])
    # The reports the user can see, counted for the page in one query.
    counts = dict(
        selectors.reports_visible_to(request.user)
        .filter(directive_id__in=ids)
        .order_by()
        .values_list("directive_id")
        .annotate(n=Count("pk"))
    )
    return paginate(queryset, page, size, lambda d: _directive_out(d, counts.get(d.pk, 0)))


@router.post(
    "/directives",
    response={201: DirectiveDetailOut, **WRITE_ERRORS},
    summary="Draft a directive (issue it with POST /directives/{id}/issue)",
    description="Recipients by rule (level and agency type under the issuing unit) and/or by name. "
    "Units by code, read on the deadline day (else the period's first day).",
)
def create_directive(request, payload: DirectiveIn):
    if not permissions.can_issue_directives(request.user):
        raise _forbidden()
    errors: dict[str, list[str]] = {}
    issuing = _visible_agency(request, errors, "issuing_agency", payload.issuing_agency)
    version = ReportFormVersion.objects.filter(pk=payload.form_version).select_related("form").first()
    if version is None:
        errors.setdefault("form_version", []).append(_("Unknown report form version."))
    try:
        period_start = parse(payload.period_id).start
    except PeriodError:
        period_start = payload.deadline
    recipients = []
    for index, item in enumerate(payload.recipients):
        agency = _visible_agency(request, errors, f"recipients[{index}].agency", item.agency)
        unit = None
        if item.unit.strip():
            unit = _unit(errors, f"recipients[{index}].unit", item.unit, payload.deadline, period_start)
        elif agency is None:
            errors.setdefault(f"recipients[{index}].unit", []).append(_("Choose a unit or an agency."))
        recipients.append({"unit": unit, "agency": agency})
    if errors:
        raise invalid(errors)
    directive = _call(
        services.create_directive,
        actor=request.user,
        number=payload.number,
        issued_on=payload.issued_on,
        issuing_agency=issuing,
        title=payload.title,
        text=payload.text,
        form_version=version,
        period_id=payload.period_id,
        deadline=payload.deadline,
        activities=payload.activities,
        recipient_rules=[rule.dict() for rule in payload.recipient_rules],
        recipients=recipients,
    )
    return Status(201, _directive_detail(request, directive))


@router.get(
    "/directives/{directive_id}",
    response={200: DirectiveDetailOut, **ERRORS},
    summary="One directive with its activities and recipients (404 when missing or outside the user's area)",
)
def get_directive(request, directive_id: UUID):
    _require_reporting(request)
    return _directive_detail(request, _directive_for(request, directive_id))


@router.post(
    "/directives/{directive_id}/issue",
    response={200: IssueOut, **WRITE_ERRORS},
    summary="Issue a draft: one pre-filled report per recipient, notices, reminders scheduled",
)
def issue_directive(request, directive_id: UUID, payload: VersionIn | None = None):
    directive = _directive_for(request, directive_id)
    if not permissions.can_issue_directives(request.user, directive.issuing_unit):
        raise _forbidden()
    reports = _call(
        services.issue_directive, actor=request.user, directive=directive, version=payload.version if payload else None
    )
    directive.refresh_from_db()
    return {"directive": _directive_out(directive, len(reports)), "reports": len(reports)}


@router.get(
    "/directives/{directive_id}/completeness",
    response={200: CompletenessOut, **ERRORS, 400: ErrorOut},
    summary="Who has reported: expected, submitted, on time, late, overdue per child unit",
    description="Counted against the recipients that exist on the deadline day; the rate never passes 100%. "
    "`?unit=<code>` drills down into one unit (rows of a unit of today's map are today's units; rows of an old "
    "unit are old units, drilled into with `as_of` on a day of the old map, such as the deadline). " + TERRITORY_NOTE,
)
def directive_completeness(request, directive_id: UUID, params: Query[TerritoryFilter]):
    _require_reporting(request)
    directive = _directive_for(request, directive_id)
    target = _directive_territory(request, directive, params)
    result = selectors.completeness(request.user, directive, target)
    return {
        "directive": directive.id,
        "unit": unit_ref(result.unit),
        "today": result.today,
        "rows": [_row_out(row) for row in result.rows],
        "total": _row_out(result.total),
        "reports": [
            {
                "id": str(r.id),
                "recipient": r.recipient_name,
                "status": r.status,
                "on_time": r.on_time,
                "expected": selectors.is_expected(r),
            }
            for r in result.reports
        ],
    }


# --- Reports -----------------------------------------------------------------------------------------


@router.get(
    "/reports",
    response={200: ReportList, **ERRORS, 400: ErrorOut},
    summary="Reports the user files, reviews or oversees",
    description="Filters: `status`, `directive` (id), `period` (an identifier such as 2026Q3, 2026N9 or "
    "2026-07-01_2026-07-31: the reports for those same days; a period that does not exist answers 400 naming "
    "`period`), `unit` and `as_of`. " + TERRITORY_NOTE,
)
def list_reports(request, filters: Query[ReportFilters]):
    _require_reporting(request)
    queryset = selectors.reports_visible_to(request.user)
    errors: dict[str, list[str]] = {}
    period = _period_filter(errors, filters.period)
    territory = territory_into(
        errors, filters.unit, filters.as_of, start=period.start if period else None, end=period.end if period else None
    )
    if errors:
        raise invalid(errors)
    directive = None
    if filters.directive is not None:
        directive = _directive_for(request, filters.directive)
    queryset = selectors.filter_reports(
        queryset, status=filters.status, directive=directive, period=period, territory=territory
    )
    return paginate(queryset.order_by("deadline", "unit__sort_key", "pk"), filters.page, filters.page_size, _report_out)


@router.get("/reports/{report_id}", response={200: ReportDetailOut, **ERRORS}, summary="One report with its figures")
def get_report(request, report_id: UUID):
    _require_reporting(request)
    return _report_detail(request, _report_for(request, report_id))


@router.patch(
    "/reports/{report_id}",
    response={200: ReportDetailOut, **WRITE_ERRORS},
    summary="Save figures and narratives (the report becomes a draft)",
    description="Send `version` as read; 409 when someone saved since. Indicators with breakdowns take their "
    "finest cells; totals are added up. A figure differing from the records needs `override_reason`.",
)
def save_report(request, report_id: UUID, payload: ReportPatch):
    report = _report_for(request, report_id)
    if not permissions.can_file(request.user, report):
        raise _forbidden()
    report = _call(
        services.save_report,
        actor=request.user,
        report=report,
        version=payload.version,
        values=[item.dict() for item in payload.values],
        narratives=payload.narratives,
    )
    return _report_detail(request, selectors.get_report_for_user(request.user, report.pk))


def _transition(request, report_id, action: str, version=None, comment: str = ""):
    report = _report_for(request, report_id)
    side = permissions.can_file if action == "submit" else permissions.can_review
    if not side(request.user, report):
        raise _forbidden()
    report = _call(
        services.transition_report, actor=request.user, report=report, action=action, comment=comment, version=version
    )
    return _report_detail(request, selectors.get_report_for_user(request.user, report.pk))


@router.post(
    "/reports/{report_id}/submit",
    response={200: ReportDetailOut, **WRITE_ERRORS},
    summary="Submit: error rules must pass (400 names each indicator and breakdown that fails)",
    description="Rules of severity `warning` do not block: the warnings left are recorded in the history "
    "entry of the submission as the submitter's acknowledgement.",
)
def submit_report(request, report_id: UUID, payload: VersionIn | None = None):
    return _transition(request, report_id, "submit", payload.version if payload else None)


@router.post(
    "/reports/{report_id}/approve",
    response={200: ReportDetailOut, **WRITE_ERRORS},
    summary="Approve a submitted report; it is locked and counts in the consolidated figures at once",
)
def approve_report(request, report_id: UUID, payload: VersionIn | None = None):
    return _transition(request, report_id, "approve", payload.version if payload else None)


@router.post(
    "/reports/{report_id}/return",
    response={200: ReportDetailOut, **WRITE_ERRORS},
    summary="Return a submitted report for correction (a comment is required)",
)
def return_report(request, report_id: UUID, payload: ReturnIn):
    return _transition(request, report_id, "return", payload.version, payload.comment)


# --- Consolidated --------------------------------------------------------------------------------------


@router.get(
    "/consolidated",
    response={200: ConsolidatedOut, **ERRORS, 400: ErrorOut},
    summary="Consolidated figures of a directive at a unit: approved reports summed by child unit",
    description="One column per child unit (its subtree, old units placed through the crosswalk), one for the "
    "unit's own reports, and the total. Only approved reports count; the others are listed as pending. "
    "`unit` (default: the directive's issuing unit) and `as_of`: " + TERRITORY_NOTE,
)
def get_consolidated(request, filters: Query[ConsolidatedFilters]):
    _require_reporting(request)
    directive = _directive_for(request, filters.directive)
    unit = _directive_territory(request, directive, filters) or directive.issuing_unit
    if not selectors.can_view_unit(request.user, unit):
        raise not_found()
    table = selectors.consolidated(request.user, directive, unit=unit)
    return {
        "directive": directive.id,
        "unit": unit_ref(unit),
        "period_id": table.period_id,
        "period_label": table.period_label,
        "columns": [
            {"key": c.key, "label": str(c.label), "unit": unit_ref(c.unit), "approved": c.approved}
            for c in table.columns
        ],
        "rows": [
            {
                "code": row.code,
                "name": row.name,
                "measure": row.measure,
                "cells": [{"key": c.key, "label": c.label, "values": c.values} for c in row.cells],
            }
            for row in table.rows
        ],
        "approved": table.approved,
        "pending": [{"id": str(r.id), "recipient": r.recipient_name, "status": r.status} for r in table.pending],
    }


# --- Notices ---------------------------------------------------------------------------------------
# Only the caller's own notices: another user's id answers 404 like a missing one.


def _notification_out(notice) -> dict:
    return {
        "id": notice.id,
        "kind": notice.kind,
        "kind_label": str(notice.get_kind_display()),
        "title": notice.title,
        "body": notice.body,
        "url": notice.url,
        "report": notice.report_id,
        "created_at": notice.created_at,
        "read_at": notice.read_at,
        "unread": notice.read_at is None,
    }


@router.get(
    "/notifications",
    response={200: NotificationList, **ERRORS},
    summary="The caller's notices, newest first",
    description="`unread=true` keeps only the notices not read yet.",
)
def list_notifications(request, filters: Query[NotificationFilters]):
    queryset = selectors.notifications_for(request.user)
    if filters.unread:
        queryset = queryset.filter(read_at__isnull=True)
    return paginate(queryset, filters.page, filters.page_size, _notification_out)


@router.post(
    "/notifications/{notification_id}/read",
    response={200: NotificationOut, **ERRORS},
    summary="Mark one of the caller's notices read (reading it twice changes nothing)",
)
def read_notification(request, notification_id: UUID):
    notice = selectors.notifications_for(request.user).filter(pk=notification_id).first()
    if notice is None:
        raise not_found()
    return _notification_out(services.mark_notification_read(actor=request.user, notification=notice))
