"""API: statistics. Aggregates only, never a record or an identity.

Each section below belongs to one part of the app; keep them apart.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router

from haidang.access.roles import Capability
from haidang.access.scope import scope_for
from haidang.common.api import ApiError, ErrorOut, error_fields, invalid, not_found
from haidang.common.dates import DayError, parse_day
from haidang.common.replica import read_on_replica
from haidang.common.schemas import CleanSchema
from haidang.places.models import AdministrativeUnit, UnitLevel
from haidang.places.selectors import UnitLookupError, resolve_unit
from haidang.places.territory import API_NOTE as TERRITORY_NOTE
from haidang.reporting.periods import PeriodError, parse
from haidang.statistics import query as stats_query
from haidang.statistics.catalogue import BREAKDOWNS, GROUP_LABELS, INDICATORS
from haidang.statistics.schemas import IndicatorList, QueryOut

router = Router(tags=["statistics"])

# === Indicator catalogue and query (S1): /stats/indicators, /stats/query ===========================

QUERY_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 400: ErrorOut}


def _require_statistics(request) -> None:
    if not scope_for(request.user).can(Capability.VIEW_STATISTICS):
        raise ApiError(403, "forbidden", _("Your role does not allow this."))


def _unprocessable(param: str, message: str) -> ApiError:
    return invalid({param: [str(message)]})


def _breakdown_out(code: str) -> dict:
    breakdown = BREAKDOWNS[code]
    labels = breakdown.value_labels()
    values = None
    if breakdown.choices is not None:
        values = [{"value": str(value), "label": labels[str(value)]} for value, _label in breakdown.choices]
    return {"code": code, "label": str(breakdown.label), "multi": breakdown.multi, "values": values}


def _period_out(period) -> dict | None:
    if period is None:
        return None
    return {"identifier": period.identifier, "label": period.label, "start": period.start, "end": period.end}


def _default_unit(user) -> AdministrativeUnit | None:
    """The nation for a national user; else the top unit of the user's statistics area."""
    paths = scope_for(user).paths_for(Capability.VIEW_STATISTICS)
    if not paths or any(path.count("/") <= 2 for path in paths):
        return None
    top = min(paths, key=lambda path: (path.count("/"), path))
    return AdministrativeUnit.objects.filter(pk=int(top.strip("/").split("/")[-1])).first()


@router.get(
    "/stats/indicators",
    response={200: IndicatorList, 401: ErrorOut, 403: ErrorOut},
    summary="The indicator catalogue: what each indicator counts, the date that places it, its breakdowns",
)
def list_indicators(request):
    _require_statistics(request)
    items = [
        {
            "code": indicator.code,
            "label": str(indicator.label),
            "group": indicator.group,
            "group_label": str(GROUP_LABELS[indicator.group]),
            "counts": str(indicator.counts),
            "placed_by": str(indicator.placed_by),
            "filters": str(indicator.filters),
            "breakdowns": [_breakdown_out(code) for code in indicator.breakdowns],
            "sensitive": indicator.sensitive,
            "additive": indicator.additive,
            "pending": str(indicator.pending) if indicator.pending else None,
        }
        for indicator in INDICATORS
    ]
    return {"items": items, "count": len(items)}


@router.get(
    "/stats/query",
    response={200: QueryOut, **QUERY_ERRORS},
    summary="An indicator for a period over a unit, by unit and breakdowns, with the same period a year before",
    description="`period`: an identifier such as 2026S1, 2026Q3, 2026M07, 2026N9 (first nine months), 2026, "
    "2026C (cut-off year) or 2026-01-01_2026-03-31. `unit` (default: your area; the nation for a national user) "
    "and `as_of`: " + TERRITORY_NOTE + " `level`: 1 for provinces, 3 for communes under `unit`. `breakdowns`: up "
    "to two codes from GET /stats/indicators, comma-separated. A bad indicator, period, map date, unit, level or "
    "breakdown answers 400 naming the parameter; a unit outside your statistics area answers 404 like a missing "
    "one.",
)
def run_indicator_query(
    request,
    indicator: str = "",
    period: str = "",
    unit: str = "",
    level: str = "",
    breakdowns: str = "",
    compare: str = "true",
    as_of: str = "",
):
    _require_statistics(request)
    try:
        definition = stats_query.resolve_indicator(indicator.strip())
    except stats_query.QueryError as error:
        raise _unprocessable("indicator", error.message) from None
    try:
        chosen_period = parse(period)
    except PeriodError as error:
        raise _unprocessable("period", str(error)) from None
    group_level = None
    if level.strip():
        if not level.strip().isdigit():
            raise _unprocessable("level", _("Choose level 1 (provinces) or 3 (communes)."))
        group_level = int(level)
    if compare.strip().lower() not in ("true", "false", "1", "0", ""):
        raise _unprocessable("compare", _("Send true or false."))
    with_comparison = compare.strip().lower() in ("true", "1", "")
    chosen = [code.strip() for code in breakdowns.split(",") if code.strip()]
    try:
        day = parse_day(as_of) if as_of.strip() else timezone.localdate()
    except DayError as error:
        raise _unprocessable("as_of", error.message) from None
    if unit.strip():
        try:
            target = resolve_unit(unit.strip(), day)
        except UnitLookupError as error:
            raise _unprocessable("unit", error.message) from None
        if target.level == UnitLevel.NATION:
            target = None
    else:
        target = _default_unit(request.user)
    try:
        result = read_on_replica(
            stats_query.run_query,
            request.user,
            definition.code,
            chosen_period,
            target,
            group_level,
            chosen,
            with_comparison,
        )
    except stats_query.QueryError as error:
        raise _unprocessable(error.param, error.message) from None
    except stats_query.OutOfScopeError:
        raise not_found() from None
    return {
        "indicator": definition.code,
        "indicator_label": str(definition.label),
        "sensitive": definition.sensitive,
        "additive": definition.additive,
        "period": _period_out(result.period),
        "previous_period": _period_out(result.previous_period),
        "unit_code": result.unit_code,
        "unit_name": result.unit_name,
        "level": result.level,
        "breakdowns": list(result.breakdowns),
        "labels": result.labels,
        "total": result.total,
        "previous_total": result.previous_total,
        "change": result.change,
        "change_pct": result.change_pct,
        "zero_base": result.zero_base,
        "rows": [row.__dict__ for row in result.rows],
    }


# === Releases (S2) ================================================================================
# Published releases are open to anyone (auth=None): they hold only figures that passed the release
# step. Building, approving, publishing and withdrawing take a bearer token and the rights of the
# services (RELEASE_STATISTICS over the whole area to approve).

from uuid import UUID  # noqa: E402

from django.core.exceptions import PermissionDenied, ValidationError  # noqa: E402
from ninja import Schema, Status  # noqa: E402

from haidang.common.api import paginate  # noqa: E402
from haidang.statistics import selectors as release_selectors  # noqa: E402
from haidang.statistics import services as release_services  # noqa: E402
from haidang.statistics.models import Release  # noqa: E402


class ReleaseCellOut(Schema):
    value: int | None  # None: hidden to protect the people counted
    share: int | None = None  # percent of the row total, when the denominator is 20 or more


class ReleaseRowOut(Schema):
    code: str
    label: str
    is_total: bool
    cells: list[ReleaseCellOut]


class ReleaseColumnOut(Schema):
    code: str
    label: str


class ReleaseTableOut(Schema):
    title: str
    indicator: str
    breakdown: str
    protected: bool
    columns: list[ReleaseColumnOut]
    rows: list[ReleaseRowOut]


class ReleaseOut(Schema):
    id: UUID
    series: UUID
    version: int
    title: str
    note: str
    audience: str
    status: str
    indicators: list[str]
    breakdowns: list[str]
    period: str
    period_label: str
    unit_code: str
    unit_name: str
    level: int
    rules: dict
    audit: dict
    approved_by: str | None
    approved_at: str | None
    published_at: str | None


class ReleaseDetailOut(ReleaseOut):
    tables: list[ReleaseTableOut]


class ReleaseList(Schema):
    items: list[ReleaseOut]
    count: int
    page: int
    page_size: int


class ReleaseIn(CleanSchema):
    title: str
    audience: str = "public"
    indicators: list[str]
    breakdowns: list[str] = []
    period: str
    unit: str = ""  # a unit code on today's map; empty for the whole country
    level: int = 0  # 0 the area itself, 1 its provinces, 3 its communes
    note: str = ""


class WithdrawIn(CleanSchema):
    reason: str


def _release_out(release: Release) -> dict:
    period_label = release.period_label
    approver = release.approved_by
    return {
        "id": release.pk,
        "series": release.series,
        "version": release.version,
        "title": release.title,
        "note": release.note,
        "audience": release.audience,
        "status": release.status,
        "indicators": release.indicators,
        "breakdowns": release.breakdowns,
        "period": release.period,
        "period_label": period_label,
        "unit_code": release.unit.code if release.unit else "VN",
        "unit_name": release.unit.name if release.unit else str(_("Viet Nam")),
        "level": release.level,
        "rules": release.rules,
        "audit": release.audit,
        "approved_by": (approver.full_name or approver.get_username()) if approver else None,
        "approved_at": release.approved_at.isoformat() if release.approved_at else None,
        "published_at": release.published_at.isoformat() if release.published_at else None,
    }


def _release_detail(release: Release) -> dict:
    tables = []
    for table in release.tables.all():
        view = release_selectors.table_view(table)
        tables.append(
            {
                "title": view["title"],
                "indicator": view["indicator"],
                "breakdown": view["breakdown"],
                "protected": view["protected"],
                "columns": view["columns"],
                "rows": [
                    {
                        "code": row["code"],
                        "label": row["label"],
                        "is_total": row["is_total"],
                        "cells": [{"value": cell["value"], "share": cell["share"]} for cell in row["cells"]],
                    }
                    for row in view["rows"]
                ],
            }
        )
    return {**_release_out(release), "tables": tables}


def _service_errors(error: ValidationError) -> ApiError:
    return invalid(error_fields(error))


@router.get(
    "/releases",
    auth=None,
    response={200: ReleaseList, 400: ErrorOut},
    summary="Published statistics releases (open to anyone, no sign-in)",
)
def list_releases(request, page: int = 1, page_size: int = 50):
    return paginate(release_selectors.public_releases(), page, page_size, _release_out)


@router.get(
    "/releases/{release_id}",
    auth=None,
    response={200: ReleaseDetailOut, 404: ErrorOut},
    summary="One published release with its tables; a hidden cell has value null",
)
def get_release(request, release_id: str):
    release = release_selectors.get_public_release(release_id)
    if release is None:
        raise not_found()
    return _release_detail(release)


@router.post(
    "/releases",
    response={201: ReleaseDetailOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 400: ErrorOut},
    summary="Build a draft release (disclosure control applied; province × quarter at most for persons)",
)
def create_release(request, payload: ReleaseIn):
    unit = None
    if payload.unit.strip():
        try:
            unit = resolve_unit(payload.unit.strip(), timezone.localdate())
        except UnitLookupError:
            raise not_found() from None
    try:
        spec = release_services.check_spec(
            title=payload.title,
            audience=payload.audience,
            indicators=payload.indicators,
            breakdowns=payload.breakdowns,
            period=payload.period,
            unit=unit,
            level=payload.level,
            note=payload.note,
        )
        release = release_services.create_release(actor=request.user, spec=spec)
    except ValidationError as error:
        raise _service_errors(error) from None
    except stats_query.OutOfScopeError:
        raise not_found() from None
    except PermissionDenied:
        raise ApiError(404, "not_found", _("Not found.")) from None
    return Status(201, _release_detail(release))


def _staff_release(request, release_id: str) -> Release:
    release = release_selectors.get_release_for_user(request.user, release_id)
    if release is None:
        raise not_found()
    return release


def _step(request, release_id: str, action, **kwargs):
    release = _staff_release(request, release_id)
    try:
        release = action(actor=request.user, release=release, **kwargs)
    except ValidationError as error:
        raise _service_errors(error) from None
    return _release_detail(release)


STEP_RESPONSES = {200: ReleaseDetailOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 400: ErrorOut}


@router.post("/releases/{release_id}/approve", response=STEP_RESPONSES, summary="Approve a draft (not its author)")
def approve_release(request, release_id: str):
    return _step(request, release_id, release_services.approve_release)


@router.post("/releases/{release_id}/publish", response=STEP_RESPONSES, summary="Publish an approved release")
def publish_release(request, release_id: str):
    return _step(request, release_id, release_services.publish_release)


@router.post("/releases/{release_id}/withdraw", response=STEP_RESPONSES, summary="Withdraw a release, with a reason")
def withdraw_release(request, release_id: str, payload: WithdrawIn):
    return _step(request, release_id, release_services.withdraw_release, reason=payload.reason)
