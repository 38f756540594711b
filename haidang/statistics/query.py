"""The one query service: indicator × period × unit (and level) × breakdowns, compared with the
same period of the previous year.

Figures are computed in the database with GROUP BY over the records' placement on today's map
(conditional aggregates for the periods side by side), so the number of queries does not grow
with the number of records, and a record made under an old unit counts in its successor.

Scope: a user sees aggregates over the units in their VIEW_STATISTICS scope and nothing else:
asking for a unit outside it (or for the nation without national scope) raises `OutOfScopeError`,
which pages and the API answer as 404. Never an identity: only counts leave this module.
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.db import connections
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    Sum,
    TextField,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from haidang.access.roles import Capability
from haidang.access.scope import scope_for
from haidang.common import queries, shared
from haidang.common.ages import age_band_expression
from haidang.places.models import AdministrativeUnit, UnitLevel
from haidang.places.territory import Territory
from haidang.reporting.periods import Period, same_period_previous_year
from haidang.statistics.catalogue import (
    BREAKDOWNS,
    NONE,
    UNKNOWN,
    Indicator,
    Measure,
    Origin,
    get_indicator,
)

VIEW = Capability.VIEW_STATISTICS
MAX_BREAKDOWNS = 2
# The two-tier map has no districts: level 2 is read as "the communes".
LEVELS = {UnitLevel.PROVINCE: UnitLevel.PROVINCE, 2: UnitLevel.COMMUNE, UnitLevel.COMMUNE: UnitLevel.COMMUNE}
ABOVE = ""  # unit code of the row for records above the level asked (e.g. at the province itself)


class QueryError(ValueError):
    """A request the service cannot answer; `param` names the parameter at fault."""

    def __init__(self, param: str, message: str):
        super().__init__(message)
        self.param = param
        self.message = message


class OutOfScopeError(LookupError):
    """The unit is outside the user's statistics scope (answer exactly like a missing unit)."""


@dataclass(frozen=True)
class Row:
    unit_code: str
    unit_name: str
    breakdown: dict[str, str]
    value: int
    previous: int | None
    change: int | None
    change_pct: float | None
    zero_base: bool


@dataclass(frozen=True)
class QueryResult:
    indicator: Indicator
    period: Period
    previous_period: Period | None
    unit_code: str  # "VN" for the nation
    unit_name: str
    level: int | None
    breakdowns: tuple[str, ...]
    rows: list[Row]
    total: int
    previous_total: int | None
    change: int | None = None
    change_pct: float | None = None
    zero_base: bool = False
    # breakdown code -> {value: label}, for the values in `rows`
    labels: dict = field(default_factory=dict)


def change_between(value: int, previous: int | None) -> tuple[int | None, float | None, bool]:
    """Absolute and percent change; a zero base is reported as such (no percentage), never infinity."""
    if previous is None:
        return None, None, False
    if previous == 0:
        return value, None, True
    return value - previous, round((value - previous) * 100 / previous, 1), False


# --- Checks ---------------------------------------------------------------------------------------


def resolve_indicator(code: str) -> Indicator:
    indicator = get_indicator(code or "")
    if indicator is None:
        raise QueryError("indicator", _("Unknown indicator: %(code)s.") % {"code": code})
    if indicator.is_pending:
        raise QueryError(
            "indicator",
            _("%(label)s is not available yet: %(why)s")
            % {
                "label": indicator.label,
                "why": indicator.pending,
            },
        )
    return indicator


def check_breakdowns(indicator: Indicator, breakdowns) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(b for b in breakdowns or () if b))
    wrong = [b for b in chosen if b not in indicator.breakdowns]
    if wrong:
        raise QueryError(
            "breakdowns",
            _("%(indicator)s cannot be broken down by %(wrong)s; allowed: %(allowed)s.")
            % {
                "indicator": indicator.label,
                "wrong": ", ".join(wrong),
                "allowed": ", ".join(indicator.breakdowns) or "—",
            },
        )
    if len(chosen) > MAX_BREAKDOWNS:
        raise QueryError("breakdowns", _("Choose at most %(max)s breakdowns.") % {"max": MAX_BREAKDOWNS})
    if sum(BREAKDOWNS[b].multi for b in chosen) > 1:
        raise QueryError("breakdowns", _("Only one breakdown with several values per record can be used at a time."))
    return chosen


def check_level(level: int | None, unit: AdministrativeUnit | None) -> int | None:
    if level is None:
        return None
    if level not in LEVELS:
        raise QueryError("level", _("Choose level 1 (provinces) or 3 (communes)."))
    level = LEVELS[level]
    own = unit.level if unit is not None else UnitLevel.NATION
    if level < own:
        raise QueryError("level", _("The level must be below the unit asked for."))
    return level


def check_territory(unit: AdministrativeUnit | None, periods) -> None:
    """An old unit cannot answer for days after its last one (places.territory): QueryError on `unit`."""
    if unit is None or not periods:
        return
    problem = Territory(unit).period_error(min(p.start for p in periods), max(p.end for p in periods))
    if problem:
        raise QueryError("unit", problem)


def _scope_extent(user, unit: AdministrativeUnit | None) -> tuple[Q | None, str]:
    """The unit condition for the records, and the path of the extent; OutOfScopeError if not allowed."""
    scope = scope_for(user)
    paths = scope.paths_for(VIEW)
    if not paths:
        raise OutOfScopeError
    if unit is None or unit.level == UnitLevel.NATION:
        national = [path for path in paths if path.count("/") <= 2]
        if not national:
            raise OutOfScopeError
        return None, national[0]
    if not scope.covers_unit(unit, VIEW):
        raise OutOfScopeError
    # The one territory rule (places.territory): a current unit takes what is placed in it, an old unit what
    # was made under it; rows by unit list an old unit's successors only where it has records.
    territory = Territory(unit)
    return territory.q(""), ("" if territory.is_old else unit.path)


# --- Expressions --------------------------------------------------------------------------------------


def _coded(path: str, blank: str = UNKNOWN):
    """A text field with "" read as `blank`."""
    return Case(When(**{path: ""}, then=Value(blank)), default=F(path), output_field=CharField())


def _breakdown_expression(indicator: Indicator, code: str):
    source = indicator.source
    if code in source.computed:
        return source.computed[code]
    if code in source.fields:
        path = source.fields[code]
        return _coded(path, NONE if code == "destination_country" else UNKNOWN)
    person, case = source.person_prefix, source.case_prefix
    if code == "sex":
        return F(f"{person}sex")
    if code == "ethnicity":
        return _coded(f"{person}ethnicity")
    if code == "destination_country":
        return _coded(f"{case}destination_country", NONE)
    if code == "route":
        return _coded(f"{case}route")
    if code == "age_band":
        # Age on the day of reception, by the one age rule (common.ages: a birth year alone is 31/12).
        return age_band_expression(
            birth_date=f"{person}birth_date", birth_year=f"{person}birth_year", on=f"{case}reception_date"
        )
    if code == "origin":
        residence = f"{person}residence_unit"
        return Case(
            When(**{f"{residence}__isnull": True}, then=Value(UNKNOWN)),
            When(
                **{f"{residence}__placement_path__startswith": F(f"{case}province__path")},
                then=Value(Origin.IN_PROVINCE),
            ),
            default=Value(Origin.OUTSIDE_PROVINCE),
            output_field=CharField(),
        )
    raise QueryError("breakdowns", code)


def _unit_group(indicator: Indicator, level: int):
    """The id of the unit at `level` (today's map) that holds each record, or None above it."""
    source = indicator.source
    if source.placed:  # stored with the record when its unit was saved (places.placing)
        record = source.unit_path.removesuffix("unit")
        return F(f"{record}placed_province_id" if level == UnitLevel.PROVINCE else f"{record}placed_commune_id")
    placement = f"{source.unit_path}__placement"
    if level == UnitLevel.PROVINCE:
        return Case(
            When(**{f"{placement}__level": UnitLevel.PROVINCE}, then=F(f"{placement}_id")),
            When(**{f"{placement}__level": UnitLevel.COMMUNE}, then=F(f"{placement}__parent_id")),
            default=Value(None),
            output_field=IntegerField(),
        )
    return Case(
        When(**{f"{placement}__level": UnitLevel.COMMUNE}, then=F(f"{placement}_id")),
        default=Value(None),
        output_field=IntegerField(),
    )


# --- Aggregation ------------------------------------------------------------------------------------


@dataclass
class _Extent:
    unit: AdministrativeUnit | None
    path: str
    unit_ids: tuple[int, ...] | None  # None: the whole country, no condition


def _extent(user, unit: AdministrativeUnit | None) -> _Extent:
    condition, path = _scope_extent(user, unit)
    ids = None
    if condition is not None:  # the units of a territory change only with the map (MAP)
        ids = shared.cached(shared.MAP, ("statistics-extent", unit.pk), lambda: _unit_ids(condition))
    return _Extent(unit=unit, path=path, unit_ids=ids)


def _unit_ids(condition: Q) -> tuple[int, ...]:
    return tuple(AdministrativeUnit.objects.filter(condition).order_by("pk").values_list("pk", flat=True))


def _records(indicator: Indicator, extent: _Extent):
    source = indicator.source
    queryset = apps.get_model(source.model).objects.filter(source.condition)
    if extent.unit_ids is not None:
        queryset = queryset.filter(**{f"{source.unit_path}__in": extent.unit_ids})
    if source.date_is_text:
        queryset = queryset.annotate(_day=Cast(KT(source.date_path), CharField()))
    return queryset


def _window_q(indicator: Indicator, period: Period) -> Q:
    source = indicator.source
    if source.date_is_text:  # ISO dates compare as text
        return Q(_day__gte=period.start.isoformat(), _day__lte=period.end.isoformat())
    return Q(**{f"{source.date_path}__gte": period.start, f"{source.date_path}__lte": period.end})


def _in_windows(indicator: Indicator, extent: _Extent, windows: list[Period]) -> tuple:
    """The indicator's records in any of the windows, and each window's condition."""
    windows_q = [_window_q(indicator, window) for window in windows]
    any_window = Q()
    for condition in windows_q:
        any_window |= condition
    return _records(indicator, extent).filter(any_window), windows_q


def _measure(indicator: Indicator, condition: Q):
    source = indicator.source
    if source.measure == Measure.PERSONS:
        return Count(source.measure_path, distinct=True, filter=condition)
    if source.measure == Measure.RECORDS:
        return Count("pk", filter=condition)
    return Coalesce(Sum(source.measure_path, filter=condition), 0)


def _multi_conditions(indicator: Indicator, code: str) -> dict[str, Q]:
    """For a breakdown with several values per record: value -> condition on the record's list."""
    values = [str(value) for value, _label in BREAKDOWNS[code].choices if value != NONE]
    conditions = {value: Q(_forms__contains=f'"{value}"') for value in values}
    conditions[NONE] = Q(_forms="[]") | Q(_forms__isnull=True)
    return conditions


@dataclass(frozen=True)
class _Statement:
    """A grouped statement and how to read its rows: `_unit`, `_b_<code>` for each breakdown but the
    multi-valued one, then either `_split` (its value) and `w<window>` (unnested), or
    `w<window>_<position>` for each of `splits` (conditional counts)."""

    sql: str
    params: tuple
    unnested: bool
    splits: tuple  # the multi-valued breakdown's values, one conditional count each; (None,) without one
    whole: bool  # one row, with every group NULL, holds the whole (GROUPING SETS)
    total: str  # the whole's column, by window


# Statements built once per process for the same question (`common.queries.statement`). A statement
# is made from the catalogue (code) and the question alone, never from the data, so nothing has to
# drop it; a new release of the code starts new processes.
def _statement(indicator: Indicator, extent: _Extent, windows, level, breakdowns, one_pass: bool, db) -> _Statement:
    key = (
        db,
        indicator.code,
        id(indicator),
        tuple((window.start, window.end) for window in windows),
        level,
        tuple(breakdowns),
        one_pass,
        extent.unit_ids,
        timezone.get_current_timezone_name(),  # day truncations (reports' timeliness) are in it
    )
    return queries.statement(
        ("statistics", *key), lambda: _build_statement(indicator, extent, windows, level, breakdowns, one_pass)
    )


def _build_statement(indicator: Indicator, extent: _Extent, windows, level, breakdowns, one_pass: bool) -> _Statement:
    source = indicator.source
    queryset, windows_q = _in_windows(indicator, extent, windows)
    groups, annotations = [], {}
    if level is not None:
        unit = _unit_group(indicator, level)
        # In one pass the whole is the row with no unit, so "above this level" is -1 until read back.
        annotations["_unit"] = Coalesce(unit, Value(-1)) if one_pass else unit
        groups.append("_unit")
    multi = next((code for code in breakdowns if BREAKDOWNS[code].multi), None)
    for code in breakdowns:
        if code != multi:
            annotations[f"_b_{code}"] = _breakdown_expression(indicator, code)
            groups.append(f"_b_{code}")
    if multi is not None and source.measure != Measure.SUM:
        queryset = queryset.annotate(**annotations)
        sql, params = _unnested_sql(indicator, queryset, windows_q, groups, multi, one_pass=one_pass)
        return _Statement(sql, tuple(params), unnested=True, splits=(), whole=one_pass, total="w{}")
    splits = {None: Q()}
    if multi is not None:
        annotations["_forms"] = Cast(f"{source.case_prefix}exploitation_forms", TextField())
        splits = _multi_conditions(indicator, multi)
    aggregates = {}
    for index, window in enumerate(windows_q):
        for position, condition in enumerate(splits.values()):
            aggregates[f"w{index}_{position}"] = _measure(indicator, window & condition)
        if one_pass and multi is not None:  # a person under several values is one in the total
            aggregates[f"t{index}"] = _measure(indicator, window)
    grouped = queryset.annotate(**annotations).order_by().values(*groups).annotate(**aggregates)
    sql, params = grouped.query.get_compiler(using=grouped.db).as_sql()
    whole = _with_whole(sql) if one_pass else None
    return _Statement(
        whole or sql,
        tuple(params),
        unnested=False,
        splits=tuple(splits),
        whole=whole is not None,
        total="t{}" if multi is not None else "w{}_0",
    )


def _aggregate(
    indicator: Indicator, extent: _Extent, windows: list[Period], level, breakdowns, *, with_total: bool = False
) -> tuple[dict, list[int] | None]:
    """{(unit id or None, (breakdown values...)): [figure per window]} in one query, and the total per
    window when the same pass gives it: without units or breakdowns, or with `with_total` on PostgreSQL
    by unit (GROUPING SETS: the rows by unit and the whole, so distinct persons are counted once over
    all units); else None."""
    db = apps.get_model(indicator.source.model).objects.db
    if level is None and not breakdowns:  # one figure per window: it is the total
        figures = _aggregate_whole(indicator, extent, windows)
        return figures, figures[(None, ())]
    one_pass = with_total and level is not None and connections[db].vendor == "postgresql"
    statement = _statement(indicator, extent, windows, level, breakdowns, one_pass, db)
    with connections[db].cursor() as cursor:
        cursor.execute(statement.sql, statement.params)
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    count, totals = len(windows), None
    if statement.whole:
        whole = next((row for row in rows if row["_unit"] is None), None)
        totals = [int(whole[statement.total.format(index)] or 0) if whole else 0 for index in range(count)]
        rows = [row for row in rows if row["_unit"] is not None]
    multi = next((code for code in breakdowns if BREAKDOWNS[code].multi), None)
    result: dict = {}
    for row in rows:
        unit_id = row.get("_unit") if level is not None else None
        if unit_id == -1:  # "above this level" in one pass
            unit_id = None
        if statement.unnested:
            if row["_split"] is None:  # only values outside the breakdown's list: in the total alone
                continue
            values = tuple(row["_split"] if code == multi else str(row[f"_b_{code}"]) for code in breakdowns)
            result[(unit_id, values)] = [int(row[f"w{index}"] or 0) for index in range(count)]
            continue
        base = [str(row[f"_b_{code}"]) if code != multi else None for code in breakdowns]
        for position, split_value in enumerate(statement.splits):
            values = tuple(split_value if code == multi else base[i] for i, code in enumerate(breakdowns))
            figures = [int(row[f"w{index}_{position}"] or 0) for index in range(count)]
            previous = result.get((unit_id, values))
            result[(unit_id, values)] = (
                figures if previous is None else [a + b for a, b in zip(previous, figures, strict=True)]
            )
    return result, totals


def _aggregate_whole(indicator: Indicator, extent: _Extent, windows: list[Period]) -> dict:
    """The figures over the whole extent, no groups: {(None, ()): [figure per window]}."""
    queryset, windows_q = _in_windows(indicator, extent, windows)
    aggregates = {f"w{index}": _measure(indicator, window) for index, window in enumerate(windows_q)}
    row = queryset.order_by().aggregate(**aggregates)
    return {(None, ()): [int(row[f"w{index}"] or 0) for index in range(len(windows))]}


def _unnested_sql(
    indicator: Indicator, queryset, windows_q: list[Q], groups: list[str], multi: str, *, one_pass: bool
) -> tuple[str, list]:
    """The statement for a breakdown with several values per record, counting persons or records:
    the record's list is unnested (one row per value: `jsonb_array_elements_text` on PostgreSQL,
    `json_each` on SQLite), so each window is one distinct count grouped by the value instead of one
    conditional count per value. Same figures as the conditions of `_multi_conditions`: a value
    counts when it is one of the breakdown's values, NONE when the list is empty or missing."""
    source = indicator.source
    measure = source.measure_path if source.measure == Measure.PERSONS else "pk"
    inner = (
        queryset.order_by()  # no sort: the rows are grouped
        .annotate(
            _forms=F(f"{source.case_prefix}exploitation_forms"),
            _m=F(measure),
            **{f"_w{index}": ExpressionWrapper(condition, BooleanField()) for index, condition in enumerate(windows_q)},
        )
        .values(*groups, "_forms", "_m", *(f"_w{index}" for index in range(len(windows_q))))
    )
    sql, params = inner.query.get_compiler(using=inner.db).as_sql()
    values = [str(value) for value, _label in BREAKDOWNS[multi].choices if value != NONE]
    if connections[inner.db].vendor == "postgresql":
        # Through an array: the planner expects 10 values a record from unnest(), 100 from the JSON
        # function, and on that estimate chose a parallel plan with a sort several times dearer.
        unnest = (
            "LEFT JOIN LATERAL unnest(ARRAY(SELECT jsonb_array_elements_text("
            "CASE WHEN jsonb_typeof(s._forms) = 'array' THEN s._forms END))) AS f(value) ON TRUE"
        )
        empty = "s._forms::text = '[]'"
    else:
        unnest = "LEFT JOIN json_each(CASE WHEN json_type(s._forms) = 'array' THEN s._forms END) AS f"
        empty = "CAST(s._forms AS text) = '[]'"
    split = (
        f"CASE WHEN f.value IN ({', '.join(['%s'] * len(values))}) THEN f.value "
        f"WHEN s._forms IS NULL OR {empty} THEN %s END"
    )
    columns = [f"s.{name}" for name in groups] + [f"{split} AS _split"]
    counts = [f"COUNT(DISTINCT CASE WHEN s._w{index} THEN s._m END) AS w{index}" for index in range(len(windows_q))]
    group_by = ", ".join([f"s.{name}" for name in groups] + ["_split"])
    if one_pass:
        group_by = f"GROUPING SETS (({group_by}), ())"
    statement = f"SELECT {', '.join(columns + counts)} FROM ({sql}) s {unnest} GROUP BY {group_by}"  # noqa: S608 (names and placeholders only)
    return statement, [*values, NONE, *params]


def _with_whole(sql: str) -> str | None:
    """The grouped statement with one more row for the whole (its group columns NULL), by rewriting
    its GROUP BY into GROUPING SETS; None when the statement is not of the expected shape."""
    head, separator, tail = sql.rpartition(" GROUP BY ")
    if (
        not separator
        or " GROUP BY " in head.split(" FROM ", 1)[0]
        or any(word in tail for word in (" HAVING ", " ORDER BY ", " LIMIT ", ")"))
    ):
        return None
    return f"{head} GROUP BY GROUPING SETS (({tail}), ())"


def _totals(indicator: Indicator, extent: _Extent, windows: list[Period]) -> list[int]:
    return _aggregate_whole(indicator, extent, windows)[(None, ())]


# --- Results ----------------------------------------------------------------------------------------


def _value_order(code: str, found: set[str]) -> list[str]:
    breakdown = BREAKDOWNS[code]
    if breakdown.choices is not None:
        closed = [str(value) for value, _label in breakdown.choices]
        return closed + sorted(found - set(closed))
    tail = [value for value in (UNKNOWN, NONE) if value in found]
    return sorted(found - {UNKNOWN, NONE}) + tail


def _combinations(orders: list[list[str]]) -> list[tuple]:
    combos: list[tuple] = [()]
    for values in orders:
        combos = [(*combo, value) for combo in combos for value in values]
    return combos


def _units(extent: _Extent, level, found_ids: set) -> list[tuple]:
    """(id, code, name) of the units of the rows, in Vietnamese order, with the row above the level last."""
    if level is None:
        unit = extent.unit
        if unit is None:
            return [(None, "VN", str(_("Viet Nam")))]
        return [(None, unit.code, unit.name)]
    found = {i for i in found_ids if i}
    units = None
    if extent.path:
        # Today's units under the extent: the same for every query until the map is reloaded (MAP).
        current, ids = shared.cached(
            shared.MAP, ("statistics-units", level, extent.path), lambda: _units_of(level, extent.path)
        )
        if found <= ids:
            units = list(current)
        # else a record placed outside them (an old unit's own rows): all read together, in one order
    if units is None:
        wanted = Q(pk__in=sorted(found))
        if extent.path:
            wanted |= Q(level=level, valid_to__isnull=True, path__startswith=extent.path)
        units = _unit_rows(wanted)
    if None in found_ids:
        units.append((None, ABOVE, str(_("Above this level"))))
    return units


def _unit_rows(wanted: Q) -> list[tuple]:
    return list(
        AdministrativeUnit.objects.filter(wanted).order_by("sort_key", "code").values_list("pk", "code", "name")
    )


def _units_of(level, path: str) -> tuple[tuple, frozenset]:
    rows = _unit_rows(Q(level=level, valid_to__isnull=True, path__startswith=path))
    return tuple(rows), frozenset(pk for pk, _code, _name in rows)


def _labels(breakdowns, found: dict[str, set[str]]) -> dict:
    labels = {}
    for code in breakdowns:
        known = BREAKDOWNS[code].value_labels()
        labels[code] = {value: known.get(value, value) for value in _value_order(code, found[code])}
    return labels


def _rows(figures: dict, index: int, base: int | None, extent, level, breakdowns) -> tuple[list[Row], dict]:
    found = {code: {key[1][i] for key in figures} for i, code in enumerate(breakdowns)}
    combos = _combinations([_value_order(code, found[code]) for code in breakdowns])
    rows = []
    for unit_id, code, name in _units(extent, level, {key[0] for key in figures}):
        for combo in combos:
            values = figures.get((unit_id, combo))
            value = values[index] if values else 0
            previous = (values[base] if values else 0) if base is not None else None
            change, change_pct, zero_base = change_between(value, previous)
            rows.append(
                Row(
                    code,
                    name,
                    dict(zip(breakdowns, combo, strict=True)),
                    value,
                    previous,
                    change,
                    change_pct,
                    zero_base,
                )
            )
    return rows, _labels(breakdowns, found)


def _unit_label(extent: _Extent) -> tuple[str, str]:
    if extent.unit is None or extent.unit.level == UnitLevel.NATION:
        return "VN", str(_("Viet Nam"))
    return extent.unit.code, extent.unit.name


@shared.reading()  # the scope's and the map's versions: one read per query outside a request too
def run_query(
    user,
    indicator: str,
    period: Period,
    unit: AdministrativeUnit | None = None,
    group_by_level: int | None = None,
    breakdowns: list[str] | tuple[str, ...] = (),
    compare: bool = True,
) -> QueryResult:
    """The indicator's figures for `period` over `unit` (None: the nation), by unit at
    `group_by_level` and by `breakdowns`, with the same period of the previous year when `compare`.

    Raises QueryError (naming the parameter) for an unknown indicator, a breakdown it does not
    allow or a bad level, and OutOfScopeError for a unit outside the user's statistics scope.
    """
    definition = resolve_indicator(indicator)
    chosen = check_breakdowns(definition, breakdowns)
    level = check_level(group_by_level, unit)
    check_territory(unit, [period])
    extent = _extent(user, unit)
    previous_period = same_period_previous_year(period) if compare else None
    windows = [period, previous_period] if compare else [period]
    additive = definition.additive and not any(BREAKDOWNS[code].multi for code in chosen)
    figures, totals = _aggregate(definition, extent, windows, level, chosen, with_total=not additive)
    rows, labels = _rows(figures, 0, 1 if compare else None, extent, level, chosen)
    if additive:
        # Each record lies in exactly one row: the total is their sum, no second pass over the records.
        totals = [sum(values[index] for values in figures.values()) for index in range(len(windows))]
    elif totals is None:  # distinct persons (one may count in two units), or a record under several values
        totals = _totals(definition, extent, windows)
    previous_total = totals[1] if compare else None
    change, change_pct, zero_base = change_between(totals[0], previous_total)
    code, name = _unit_label(extent)
    return QueryResult(
        indicator=definition,
        period=period,
        previous_period=previous_period,
        unit_code=code,
        unit_name=name,
        level=level,
        breakdowns=chosen,
        rows=rows,
        total=totals[0],
        previous_total=previous_total,
        change=change,
        change_pct=change_pct,
        zero_base=zero_base,
        labels=labels,
    )


@shared.reading()
def run_series(
    user,
    indicator: str,
    periods: list[Period],
    unit: AdministrativeUnit | None = None,
    breakdowns: list[str] | tuple[str, ...] = (),
    group_by_level: int | None = None,
) -> list[QueryResult]:
    """One result per period (for trends), all computed in one grouped query plus one for totals."""
    definition = resolve_indicator(indicator)
    chosen = check_breakdowns(definition, breakdowns)
    level = check_level(group_by_level, unit)
    if not periods:
        return []
    check_territory(unit, periods)
    extent = _extent(user, unit)
    figures, totals = _aggregate(definition, extent, list(periods), level, chosen, with_total=True)
    if totals is None:
        totals = _totals(definition, extent, list(periods))
    code, name = _unit_label(extent)
    results = []
    for index, period in enumerate(periods):
        rows, labels = _rows(figures, index, None, extent, level, chosen)
        results.append(
            QueryResult(
                indicator=definition,
                period=period,
                previous_period=None,
                unit_code=code,
                unit_name=name,
                level=level,
                breakdowns=chosen,
                rows=rows,
                total=totals[index],
                previous_total=None,
                labels=labels,
            )
        )
    return results
