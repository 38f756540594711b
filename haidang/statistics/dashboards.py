"""Dashboards: the figures of one area for one period, over the query service, as tables and charts.

National, province and commune dashboards are the same page at different units: the headline
figures the seed articles ask for (cases, prosecutions, suspects, victims, victims from outside the
province) against the same period a year before, the trend over the last periods, the comparison
across the units one level down, a breakdown, and a pivot by any two breakdowns. Aggregates only.
"""

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from haidang.common.numbers import format_number, format_percent
from haidang.places.models import AdministrativeUnit, UnitLevel
from haidang.reporting.periods import Period, shift
from haidang.statistics.catalogue import BREAKDOWNS, Origin, Timeliness, get_indicator
from haidang.statistics.query import ABOVE, OutOfScopeError, run_query, run_series

TREND_LENGTH = 8
UNIT_DIMENSION = "unit"
UNIT_CHART_BARS = 40  # the units with the highest figures; the table below the chart has them all
HEADLINES = (
    ("criminal_cases_detected", None),
    ("criminal_cases_prosecuted", None),
    ("suspects_prosecuted", None),
    ("victims_received", None),
    ("victims_received", ("origin", Origin.OUTSIDE_PROVINCE)),
)


class OutOfAreaError(LookupError):
    """The unit is outside the user's statistics area (answered as 404)."""


def child_level(unit: AdministrativeUnit | None) -> int | None:
    """The units one level down: provinces under the nation, communes under a province, none below."""
    if unit is None or unit.level == UnitLevel.NATION:
        return UnitLevel.PROVINCE
    if unit.level == UnitLevel.PROVINCE:
        return UnitLevel.COMMUNE
    return None


def _change_text(change, change_pct, zero_base) -> str:
    """ "+3 (+18,2%)" in the page's language; the words "no base" when the year before had nothing."""
    if change is None:
        return ""
    if zero_base:
        return _("no base")
    return f"{format_number(change, signed=True)} ({format_percent(change_pct, signed=True)})"


def _headline(user, period: Period, unit, code: str, part) -> dict | None:
    definition = get_indicator(code)
    if definition is None or definition.is_pending:
        return None
    if part is None:
        result = run_query(user, code, period, unit, None, [], compare=True)
        value, previous, change, pct, zero = (
            result.total,
            result.previous_total,
            result.change,
            result.change_pct,
            result.zero_base,
        )
        label = str(definition.label)
    else:
        breakdown, category = part
        result = run_query(user, code, period, unit, None, [breakdown], compare=True)
        row = next((r for r in result.rows if r.breakdown.get(breakdown) == category), None)
        value = row.value if row else 0
        previous, change, pct, zero = (
            (row.previous, row.change, row.change_pct, row.zero_base) if row else (0, 0, None, True)
        )
        label = _("%(indicator)s: %(part)s") % {
            "indicator": definition.label,
            "part": result.labels.get(breakdown, {}).get(category, category),
        }
    return {
        "code": code,
        "label": label,
        "value": value,
        "previous": previous,
        "change": change,
        "change_pct": pct,
        "zero_base": zero,
        "change_text": _change_text(change, pct, zero),
    }


def _chart(kind: str, labels, series, horizontal: bool = False) -> dict:
    return {"type": kind, "labels": [str(label) for label in labels], "series": series, "horizontal": horizontal}


def build(
    user,
    *,
    indicator: str,
    period: Period,
    unit: AdministrativeUnit | None,
    breakdown: str = "",
    pivot_rows: str = "",
    pivot_columns: str = "",
) -> dict:
    """Everything the dashboard page shows; OutOfAreaError when the unit is outside the user's area."""
    try:
        return _build(user, indicator, period, unit, breakdown, pivot_rows, pivot_columns)
    except OutOfScopeError:
        raise OutOfAreaError from None


def _build(user, indicator, period, unit, breakdown, pivot_rows, pivot_columns) -> dict:
    definition = get_indicator(indicator)
    main = run_query(user, indicator, period, unit, None, [], compare=True)
    headlines = [h for h in (_headline(user, period, unit, code, part) for code, part in HEADLINES) if h]

    periods = [shift(period, -steps) for steps in range(TREND_LENGTH - 1, -1, -1)]
    series = run_series(user, indicator, periods, unit, [])
    trend = {
        "rows": [
            {"label": item.period.label, "identifier": item.period.identifier, "value": item.total} for item in series
        ],
    }
    trend["chart"] = _chart(
        "line",
        [r["label"] for r in trend["rows"]],
        [{"label": str(definition.label), "data": [r["value"] for r in trend["rows"]]}],
    )

    level = child_level(unit)
    units = None
    if level is not None:
        by_unit = run_query(user, indicator, period, unit, level, [], compare=True)
        rows = [
            {
                "code": row.unit_code,
                "label": row.unit_name,
                "value": row.value,
                "previous": row.previous,
                "change": row.change,
                "change_pct": row.change_pct,
                "change_text": _change_text(row.change, row.change_pct, row.zero_base),
                "zero_base": row.zero_base,
            }
            for row in by_unit.rows
        ]
        # Units with nothing in either period are left out of the chart (they are in the table).
        counted = [r for r in rows if r["value"] or r["previous"]]
        shown = sorted(counted, key=lambda r: (-r["value"], -(r["previous"] or 0)))[:UNIT_CHART_BARS]
        units = {
            "level": level,
            "rows": rows,
            "charted": len(shown),
            "counted": len(counted),
            "chart": _chart(
                "bar",
                [r["label"] for r in shown],
                [
                    {"label": period.label, "data": [r["value"] for r in shown]},
                    {"label": main.previous_period.label, "data": [r["previous"] for r in shown]},
                ],
                horizontal=True,
            ),
        }

    breakdown_view = None
    if breakdown:
        result = run_query(user, indicator, period, unit, None, [breakdown], compare=True)
        labels = result.labels.get(breakdown, {})
        rows = [
            {
                "label": labels.get(row.breakdown[breakdown], row.breakdown[breakdown]),
                "value": row.value,
                "previous": row.previous,
                "change": row.change,
                "change_pct": row.change_pct,
                "change_text": _change_text(row.change, row.change_pct, row.zero_base),
            }
            for row in result.rows
        ]
        breakdown_view = {
            "label": BREAKDOWNS[breakdown].label,
            "multi": BREAKDOWNS[breakdown].multi,
            "rows": rows,
            "chart": _chart(
                "bar",
                [r["label"] for r in rows],
                [
                    {"label": period.label, "data": [r["value"] for r in rows]},
                    {"label": main.previous_period.label, "data": [r["previous"] for r in rows]},
                ],
                horizontal=True,  # long category names stay readable on a phone
            ),
        }

    pivot = _pivot(user, indicator, period, unit, level, pivot_rows, pivot_columns, main.total) if pivot_rows else None
    completeness = _completeness(user, period, unit, level) if definition.group == "reporting" else None
    return {
        "indicator": definition,
        "period": period,
        "previous_period": main.previous_period,
        "unit": unit,
        "unit_code": main.unit_code,
        "unit_name": main.unit_name,
        "main": {
            "value": main.total,
            "previous": main.previous_total,
            "change": main.change,
            "change_pct": main.change_pct,
            "change_text": _change_text(main.change, main.change_pct, main.zero_base),
            "zero_base": main.zero_base,
        },
        "headlines": headlines,
        "trend": trend,
        "units": units,
        "breakdown": breakdown_view,
        "pivot": pivot,
        "completeness": completeness,
    }


def rate(part: int, whole: int) -> float | None:
    """A share in percent, one decimal; None without a base (no report was due)."""
    if not whole:
        return None
    return round(100 * min(part, whole) / whole, 1)


def _rate_text(value: float | None) -> str:
    return "—" if value is None else format_percent(value)


def _completeness(user, period: Period, unit, level) -> dict:
    """Reports due, submitted, on time, late and missing, with the completeness rate, for the unit
    and each unit one level down, this period and the same period a year before (one grouped query)."""
    result = run_query(user, "reports_expected", period, unit, level, ["timeliness"], compare=True)
    counts: dict[str, dict] = {}
    for row in result.rows:
        entry = counts.setdefault(row.unit_code, {"label": row.unit_name, "now": {}, "before": {}})
        entry["now"][row.breakdown["timeliness"]] = row.value
        entry["before"][row.breakdown["timeliness"]] = row.previous or 0

    def figures(code: str, label: str, now: dict, before: dict) -> dict:
        on_time, late = now.get(Timeliness.ON_TIME, 0), now.get(Timeliness.LATE, 0)
        expected = on_time + late + now.get(Timeliness.MISSING, 0)
        previous_expected = sum(before.values())
        previous_submitted = before.get(Timeliness.ON_TIME, 0) + before.get(Timeliness.LATE, 0)
        shares = (rate(on_time + late, expected), rate(on_time, expected), rate(previous_submitted, previous_expected))
        return {
            "code": code,
            "label": label,
            "expected": expected,
            "submitted": on_time + late,
            "on_time": on_time,
            "late": late,
            "missing": expected - on_time - late,
            "rate": shares[0],
            "on_time_rate": shares[1],
            "previous_rate": shares[2],
            "rate_text": _rate_text(shares[0]),
            "on_time_rate_text": _rate_text(shares[1]),
            "previous_rate_text": _rate_text(shares[2]),
        }

    total_now: dict = {}
    total_before: dict = {}
    for entry in counts.values():
        for key, value in entry["now"].items():
            total_now[key] = total_now.get(key, 0) + value
        for key, value in entry["before"].items():
            total_before[key] = total_before.get(key, 0) + value
    rows = []
    if level is not None:
        for code, entry in counts.items():
            row = figures(code, entry["label"], entry["now"], entry["before"])
            if row["expected"] or sum(entry["before"].values()):
                rows.append(row)
        # Reports of the unit itself (e.g. the province's own departments) come last.
        rows.sort(key=lambda r: r["code"] == ABOVE)
    return {"rows": rows, "total": figures(result.unit_code, result.unit_name, total_now, total_before)}


def _pivot(user, indicator, period, unit, level, rows_dim: str, columns_dim: str, grand_total: int) -> dict:
    """A table by one or two dimensions (breakdowns, or the units one level down as one of them), with
    a total for each row and each column.

    The totals are counted, not added up: a record with several values of a breakdown (forms of
    exploitation) counts once in a total, and a person counted once however many rows hold them.
    """
    dims = [d for d in (rows_dim, columns_dim) if d]
    result = _query_by(user, indicator, period, unit, level, dims)

    def label_of(dim, row):
        if dim == UNIT_DIMENSION:
            return row.unit_name
        return result.labels.get(dim, {}).get(row.breakdown.get(dim, ""), row.breakdown.get(dim, ""))

    row_labels: list[str] = []
    column_labels: list[str] = []
    cells: dict[tuple[str, str], int] = {}
    for row in result.rows:
        r = label_of(rows_dim, row)
        c = label_of(columns_dim, row) if columns_dim else str(_("Total"))
        if r not in row_labels:
            row_labels.append(r)
        if c not in column_labels:
            column_labels.append(c)
        cells[(r, c)] = cells.get((r, c), 0) + row.value
    if columns_dim:
        row_totals = _totals_by(user, indicator, period, unit, level, rows_dim)
        column_totals = _totals_by(user, indicator, period, unit, level, columns_dim)
    else:
        row_totals = {}  # the one column is the row's total already
        column_totals = {column_labels[0]: grand_total} if column_labels else {}
    table = [
        {
            "label": r,
            "cells": [cells.get((r, c), 0) for c in column_labels],
            "total": row_totals.get(r, 0) if columns_dim else None,
        }
        for r in row_labels
    ]
    # Rows with nothing in them are left out of the page (as DHIS2's "hide empty rows"), so the
    # figures are not lost among hundreds of communes with none; the downloads keep every row.
    shown = [row for row in table if any(row["cells"]) or row["total"]]
    return {
        "rows_label": _dimension_label(rows_dim),
        "columns_label": _dimension_label(columns_dim) if columns_dim else "",
        "columns": column_labels,
        "rows": shown,
        "all_rows": table,
        "empty_rows": len(table) - len(shown),
        "has_row_totals": bool(columns_dim),
        "column_totals": [column_totals.get(c, 0) for c in column_labels],
        "total": grand_total,
        "multi": any(BREAKDOWNS[d].multi for d in dims if d in BREAKDOWNS),
    }


def _query_by(user, indicator, period, unit, level, dims: list[str]):
    """The indicator by `dims` (the unit dimension groups by the units one level down)."""
    breakdowns = [d for d in dims if d != UNIT_DIMENSION]
    by_unit = UNIT_DIMENSION in dims and level is not None
    return run_query(user, indicator, period, unit, level if by_unit else None, breakdowns, compare=False)


def _totals_by(user, indicator, period, unit, level, dim: str) -> dict[str, int]:
    """The indicator's total for each value of one dimension, keyed by the value's label."""
    result = _query_by(user, indicator, period, unit, level, [dim])
    labels = result.labels.get(dim, {})
    totals: dict[str, int] = {}
    for row in result.rows:
        key = row.unit_name if dim == UNIT_DIMENSION else labels.get(row.breakdown[dim], row.breakdown[dim])
        totals[key] = totals.get(key, 0) + row.value
    return totals


def _dimension_label(dim: str) -> str:
    if dim == UNIT_DIMENSION:
        return str(_("Unit"))
    return str(BREAKDOWNS[dim].label) if dim in BREAKDOWNS else dim


def export_sheets(board: dict) -> list[tuple[str, list[list]]]:
    """The dashboard's tables as sheets (first: the units, or the headline figures).

    Numbers stay numbers (a spreadsheet formats them itself): a change is given as a count and as a
    percentage in two columns, blank where the year before had nothing to compare with.
    """
    period, previous = board["period"].label, board["previous_period"].label
    head = [_("Unit"), period, previous, pgettext("difference", "Change"), pgettext("difference", "Change (%)")]

    def compared(label, item):
        return [label, item["value"], item["previous"], item.get("change"), item.get("change_pct")]

    sheets = []
    if board["units"]:
        rows = [compared(r["label"], r) for r in board["units"]["rows"]]
        rows.append(compared(board["unit_name"], board["main"]))
        sheets.append((str(_("Units")), [head, *rows]))
    headline_rows = [compared(h["label"], h) for h in board["headlines"]]
    sheets.append((str(_("Headline figures")), [[_("Indicator"), *head[1:]], *headline_rows]))
    sheets.append(
        (
            str(_("Trend")),
            [[_("Period"), board["indicator"].label], *[[r["label"], r["value"]] for r in board["trend"]["rows"]]],
        )
    )
    if board["breakdown"]:
        rows = [compared(r["label"], r) for r in board["breakdown"]["rows"]]
        sheets.append((str(board["breakdown"]["label"]), [[board["breakdown"]["label"], *head[1:]], *rows]))
    if board.get("completeness"):
        done = board["completeness"]
        head = [
            _("Unit"),
            _("Reports due"),
            pgettext("report", "Submitted"),
            _("On time"),
            _("Late"),
            _("Not submitted"),
        ]
        head += [_("Completeness rate (%)"), _("On-time rate (%)")]
        keys = ("label", "expected", "submitted", "on_time", "late", "missing", "rate", "on_time_rate")
        rows = [[r[key] for key in keys] for r in [*done["rows"], done["total"]]]
        sheets.append((str(_("Report completeness")), [head, *rows]))
    if board["pivot"]:
        sheets.append((str(_("Pivot")), _pivot_sheet(board["pivot"])))
    # Lazy translations become text for the CSV and XLSX writers.
    return [(title, [[str(v) if isinstance(v, Promise) else v for v in row] for row in rows]) for title, rows in sheets]


def _pivot_sheet(pivot: dict) -> list[list]:
    total = str(_("Total"))
    with_totals = pivot["has_row_totals"]
    head = [pivot["rows_label"], *pivot["columns"], *([total] if with_totals else [])]
    rows = [[r["label"], *r["cells"], *([r["total"]] if with_totals else [])] for r in pivot["all_rows"]]
    rows.append([total, *pivot["column_totals"], *([pivot["total"]] if with_totals else [])])
    return [head, *rows]
