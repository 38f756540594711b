"""API: statistics. Aggregates only, never a record or an identity.

Each section below belongs to one part of the app; keep them apart.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router

from haidang.access.roles import Capability
from haidang.access.scope import scope_for
from haidang.common.api import ApiError, ErrorOut, not_found
from haidang.places.models import AdministrativeUnit, UnitLevel
from haidang.places.selectors import UnitLookupError, resolve_unit
from haidang.reporting.periods import PeriodError, parse
from haidang.statistics import query as stats_query
from haidang.statistics.catalogue import BREAKDOWNS, GROUP_LABELS, INDICATORS
from haidang.statistics.schemas import IndicatorList, QueryOut

router = Router(tags=["statistics"])

# === Indicator catalogue and query (S1): /stats/indicators, /stats/query ===========================

QUERY_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _require_statistics(request) -> None:
    if not scope_for(request.user).can(Capability.VIEW_STATISTICS):
        raise ApiError(403, "forbidden", _("Your role does not allow this."))


def _unprocessable(param: str, message: str) -> ApiError:
    return ApiError(422, "invalid", _("The request has invalid values."), {param: [str(message)]})


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
    description="`period`: an identifier such as 2026S1, 2026Q3, 2026M07, 2026, 2026C (cut-off year) or "
    "2026-01-01_2026-03-31. `unit`: a unit code on today's map (default: your area; the nation for a national "
    "user); records under old units count in their successors. `level`: 1 for provinces, 3 for communes "
    "under `unit`. `breakdowns`: up to two codes from GET /stats/indicators, comma-separated. A bad "
    "indicator, period, level or breakdown answers 422 naming the parameter; a unit outside your statistics "
    "area answers 404 like a missing one.",
)
def run_indicator_query(
    request,
    indicator: str = "",
    period: str = "",
    unit: str = "",
    level: str = "",
    breakdowns: str = "",
    compare: str = "true",
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
    if unit.strip():
        try:
            target = resolve_unit(unit.strip(), timezone.localdate())
        except UnitLookupError:
            raise not_found() from None
        if target.level == UnitLevel.NATION:
            target = None
    else:
        target = _default_unit(request.user)
    try:
        result = stats_query.run_query(
            request.user, definition.code, chosen_period, target, group_level, chosen, with_comparison
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
