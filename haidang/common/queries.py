"""Query shapes shared by the selectors: several counts in one statement, a list whose count is known."""

import threading
import uuid
from collections.abc import Mapping, Sequence
from enum import Enum

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import BooleanField, Case, Expression, Lookup, Q, QuerySet, Value, When
from django.db.models.sql.where import WhereNode

from haidang.common.readers import key_reader, readers


def counts(flags: dict[str, tuple[str, Q]] | None = None, key=None, **querysets: QuerySet) -> dict[str, int]:
    """COUNT(*) of each queryset, all in one statement (one round trip instead of one each).

    Each queryset is a derived table of the one statement, with its own plan, so nothing is counted
    differently from `queryset.count()`; a split scope is counted in its parts, each from an index
    (see ScopeCondition). `flags={"overdue": ("work", condition)}` also counts the rows of `work`
    that meet `condition`, in the same scan. With a `key` (see `statement`) the compiled statement is kept.
    """
    if not querysets:
        return {}
    flags = flags or {}
    flagged = {source: (name, condition) for name, (source, condition) in flags.items()}
    alias = next(iter(querysets.values())).db  # a Later's too: where its model is read
    if key is not None:
        names = tuple((name, source) for name, (source, _condition) in flags.items())
        key = ("counts", alias, _split_setting(), tuple(querysets), names, key)
    sql, params = statement(key, lambda: _counts_sql(flagged, querysets))
    if sql is None:
        return {name: 0 for name in [*querysets, *flags]}
    with connections[alias].cursor() as cursor:
        # Compiled SQL of our own querysets; every value is a bound parameter.
        cursor.execute(sql, params)
        row = iter(cursor.fetchone())
    found = {}
    for name in querysets:
        found[name] = int(next(row))
        if name in flagged:
            found[flagged[name][0]] = int(next(row))
    return found


def _counts_sql(flagged: dict, querysets: dict) -> tuple[str | None, tuple]:
    tables, params, totals = [], [], {}
    for name, queryset in querysets.items():
        # Shaped once, then split: each part only swaps the where clause.
        shaped = built(queryset).order_by()
        if name in flagged:
            condition = flagged[name][1]
            shaped = shaped.annotate(_flag=Case(When(condition, then=Value(1)), default=Value(0))).values("pk", "_flag")
        else:
            shaped = shaped.values("pk")
        for piece in scope_parts(shaped) or [shaped]:
            try:
                sql, sql_params = piece.query.sql_with_params()
            except EmptyResultSet:  # a condition that matches nothing (an empty list of ids)
                continue
            number = len(tables)
            flag_sum = "COALESCE(SUM(_flag), 0)" if name in flagged else "0"
            tables.append(f"(SELECT COUNT(*) AS n, {flag_sum} AS f FROM ({sql}) AS rows_{number}) AS t{number}")  # noqa: S608
            params.extend(sql_params)
            totals.setdefault(name, []).append(number)
    if not tables:
        return None, ()
    columns = []
    for name in querysets:
        numbers = totals.get(name) or []
        columns.append(" + ".join(f"t{n}.n" for n in numbers) or "0")
        if name in flagged:
            columns.append(" + ".join(f"t{n}.f" for n in numbers) or "0")
    return "SELECT " + ", ".join(columns) + " FROM " + " CROSS JOIN ".join(tables), tuple(params)  # noqa: S608


# --- Compiled statements kept per reader ------------------------------------------------------------

# Compiling the statements of a hot list (the ORM resolving and compiling the scope, the filters and
# the counts) costs as much Python as the rest of the request, and for one reader they are the same
# from request to request. `statement(key, compile_)` keeps what `compile_()` made under `key`.
#
# The key must name everything the statement is made of: the caller's own inputs (reader, filters,
# day, page) and the scope's parts, which are the very objects the scope's condition is built from
# (`access.scope.Scope.units` hands out the list of unit ids kept per map version, so a reloaded map
# or a changed membership gives a new object, and a new key; a key holds its objects, so an id is
# never reused). Nothing read from the records is kept, only SQL text and its parameters (ids, days,
# statuses). With COMPILED_STATEMENTS_CHECK (the test settings) every hit is compiled again and must
# be the same, so a key that misses an input fails the tests that change it.
_STATEMENTS: dict = {}
_STATEMENTS_LOCK = threading.Lock()
_STATEMENTS_BOUND = 5_000  # past it, start again (a few statements per active reader and page, a few kB each)


class Later:
    """A queryset of `model` built only when a statement made from it must be compiled (`statement`):
    building the scoped querysets of a page costs about as much as compiling them."""

    __slots__ = ("build", "model")

    def __init__(self, model, build):
        self.model, self.build = model, build

    @property
    def db(self) -> str:
        return router.db_for_read(self.model)


def built(queryset):
    """The queryset itself, or a `Later`'s queryset, built now."""
    return queryset.build() if isinstance(queryset, Later) else queryset


def statement(key, compile_):
    """`compile_()` (a statement's SQL and parameters, and what reading it needs), kept in this process
    under `key`; None, or COMPILED_STATEMENTS off, compiles every time."""
    if key is None or not getattr(settings, "COMPILED_STATEMENTS", True):
        return compile_()
    hit = _STATEMENTS.get(key)
    if hit is None:
        hit = _bindable(compile_())
        with _STATEMENTS_LOCK:
            if len(_STATEMENTS) >= _STATEMENTS_BOUND:
                _STATEMENTS.clear()
            _STATEMENTS[key] = hit
    elif getattr(settings, "COMPILED_STATEMENTS_CHECK", False):
        fresh = _bindable(compile_())
        if _made_of(fresh) != _made_of(hit):
            raise AssertionError(f"A kept statement differs from the one compiled now (key {key!r}).")
    return hit


def _bindable(compiled):
    """A kept (sql, params, …) with each code list's member (`CaseStatus.RECEIVED`) as its plain value: the
    SQLite driver binds an exact str or int at once, but asks a subclass for an adapter first, at every run
    (about a microsecond each; the worklist's counts bind twenty)."""
    if not isinstance(compiled, tuple) or len(compiled) < 2 or not isinstance(compiled[1], tuple | list):
        return compiled
    params = tuple(value.value if isinstance(value, Enum) else value for value in compiled[1])
    return (compiled[0], params, *compiled[2:])


def _made_of(compiled):
    """What the check compares: a tuple's SQL and parameters (its converters are new objects at each
    compile), or the whole of another kept value."""
    return compiled[:2] if isinstance(compiled, tuple) else compiled


def _split_setting() -> bool:
    return getattr(settings, "SCOPE_SPLIT", True) is not False


def values_rows(
    model, queryset, fields: Sequence[str], key=None, *, named: bool = False, slots: Mapping | None = None
) -> list:
    """`list(queryset().values_list(*fields))` (`named`: `.values(*fields)`) for a queryset of `model`; with a
    `key`, `queryset` (a callable) is built and compiled only the first time, and the rows are converted
    with the converters compiled with it.

    With `slots` ({name: value}, each a str, an int or a UUID), `queryset(values)` builds the queryset from such a
    dict, and the statement is kept apart from those values: it is compiled with stand-ins, and each use
    puts the values in their places (`_slotted_sql`). The key names the shape only (which slots are used
    and how), never the values, so a search for another name reuses the statement. A value that reaches
    the SQL transformed (a LIKE pattern) cannot be placed: that statement is built at each use instead.
    """
    if named:
        rows = values_rows(model, queryset, fields, key, slots=slots)
        return [dict(zip(fields, row, strict=True)) for row in rows]
    if slots is not None:
        values = dict(slots)
        build = lambda: queryset(values)  # noqa: E731
    else:
        build = queryset
    if key is None or not getattr(settings, "COMPILED_STATEMENTS", True):
        return list(build().values_list(*fields))
    alias = router.db_for_read(model)
    if slots is None:
        sql, params, converters = statement(
            ("values", alias, tuple(fields), key), lambda: _values_sql(build(), fields, alias)
        )
    else:
        sql, params, converters, places = statement(
            ("values-slots", alias, tuple(fields), tuple(sorted(values)), key),
            lambda: _slotted_sql(queryset, values, fields, alias),
        )
        if places is None:
            return list(build().values_list(*fields))
        params = list(params)
        for position, name, form in places:
            params[position] = _in_form(values[name], form)
    if converters is False:  # a shape this shortcut does not read (columns in another order, another database)
        return list(build().values_list(*fields))
    if sql is None:
        return []
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not converters:
        return [tuple(row) for row in rows]
    converted = []
    for row in rows:
        values = list(row)
        for position, read in converters:
            values[position] = read(values[position], connection)
        converted.append(tuple(values))
    return converted


def _stand_ins(values: Mapping, round_: int) -> dict:
    """A stand-in for each slot's value, of its type, different in each round and from slot to slot. The
    numbers fit every integer column (a value out of a column's range would make Django drop the condition)."""
    stand_ins = {}
    for number, (name, value) in enumerate(sorted(values.items())):
        if isinstance(value, uuid.UUID):
            stand_ins[name] = uuid.UUID(int=(0x5107 << 112) + (round_ << 64) + number)
        elif isinstance(value, str):
            stand_ins[name] = f"\x00slot-{round_}-{name}\x00"
        elif isinstance(value, int) and not isinstance(value, bool):
            stand_ins[name] = 30001 + 500 * round_ + number
        else:
            raise TypeError(f"slot {name!r}: only str, int and UUID values can be kept apart from a statement")
    return stand_ins


# How a slot's value may reach the parameters: as it is, or (a UUID, on a database without a UUID type)
# as its hex digits. A value is placed in the same form as its stand-in was found.
_FORMS = {uuid.UUID: (None, "hex"), str: (None,), int: (None,)}


def _in_form(value, form):
    return value if form is None else getattr(value, form)


def _slotted_sql(build, values: Mapping, fields: Sequence[str], alias: str):
    """`_values_sql` of `build(stand-ins)`, and where each slot's value goes: (sql, params, converters, places),
    places being (position in params, slot, form) triples, or None when the values cannot be placed.

    Compiled twice, with two sets of stand-ins: a parameter is a slot's only where the two compilations
    differ and each holds that slot's stand-in, so a constant that happens to equal a stand-in (a unit's id
    in the scope) stays a constant. Any other difference (the SQL, a transformed value) places nothing."""
    first, second = _stand_ins(values, 0), _stand_ins(values, 1)
    sql, params, converters = _values_sql(build(first), fields, alias)
    again_sql, again_params, _converters = _values_sql(build(second), fields, alias)
    if sql is None or converters is False or sql != again_sql or len(params) != len(again_params):
        return sql, params, converters, None
    by_stand_ins = {}
    for name in values:
        for form in _FORMS[type(first[name])]:
            one, other = _in_form(first[name], form), _in_form(second[name], form)
            by_stand_ins[(type(one), one, other)] = (name, form)
    places = []
    for position, (one, other) in enumerate(zip(params, again_params, strict=True)):
        if type(one) is type(other) and one == other:
            continue
        found = by_stand_ins.get((type(one), one, other))
        if found is None:
            return sql, params, converters, None
        places.append((position, *found))
    return sql, params, converters, tuple(places)


def _values_sql(queryset: QuerySet, fields: Sequence[str], alias: str):
    shaped = queryset.values_list(*fields)
    query = shaped.query
    if shaped.db != alias or [*query.extra_select, *query.values_select, *query.annotation_select] != list(fields):
        return None, (), False
    compiler = query.get_compiler(alias)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return None, (), None
    converters = compiler.get_converters([column[0] for column in compiler.select[: compiler.col_count]])
    return sql, tuple(params), readers(converters)


class Counted(Sequence):
    """A queryset whose count is already known (from `counts`): a Paginator slices it without counting."""

    def __init__(self, queryset: QuerySet, count: int):
        self.queryset, self._count = queryset, count

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        return self.queryset[index]

    def __iter__(self):
        return iter(self.queryset)


class PageFirst(Sequence):
    """A list read page by page: the page's keys first, then only those rows, joined.

    `queryset[a:b]` on a filtered, ordered list makes the database join every matching row to
    its related tables before it sorts and keeps one page (at national scale: 11,000 cases of a
    province joined to 14,000 units to show 50). Here the ordering and the LIMIT run on the main
    table alone (served by its indexes), then `rows(keys)` reads just those rows with whatever
    joins they need; the page keeps the order of the keys.

    `rows(keys)` returns {key: row}; `count` is the total when already known (else counted);
    `queryset` may be a `Later` when a `key` names its statements.
    """

    def __init__(self, queryset: QuerySet, rows, *, count: int | None = None, key=None):
        self.queryset, self._rows, self._count, self._key = queryset, rows, count, key

    def count(self) -> int:
        if self._count is None:
            self._count = counts(key=self._key, all=self.queryset)["all"]
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            page = self[index : index + 1]
            if not page:
                raise IndexError(index)
            return page[0]
        keys = page_keys(self.queryset, index.start or 0, index.stop, key=self._key)
        if not keys:
            return []
        found = self._rows(keys)
        return [found[key] for key in keys if key in found]

    def __iter__(self):
        return iter(self[0 : self.count()])


# --- A scope read in two parts ---------------------------------------------------------------------


class ScopeCondition(Expression):
    """`units OR widen[0] OR widen[1] ...` as one filter that can later be read in disjoint parts.

    A scope is "records under these units, or assigned to me, or shared with me". As one
    condition the OR forces PostgreSQL to fetch every visible row from the table (a BitmapOr), even
    to count them or to keep the newest 50. Read in parts — the units; then each widening minus
    what came before — each part is served by one index alone (an index-only scan of (unit, sort
    keys), of (assignee, unit, sort keys), of the primary key). `PageFirst`, `page_keys` and
    `counts` read the parts; everything else sees the plain OR.
    """

    conditional = True
    output_field = BooleanField()

    def __init__(self, units: Q, *widen: Q, part: int | None = None):
        super().__init__()
        self.conditions, self.part = [units, *widen], part

    @property
    def parts(self) -> int:
        return len(self.conditions)

    def get_source_expressions(self):
        return list(self.conditions)

    def set_source_expressions(self, exprs):
        self.conditions = list(exprs)

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        resolved = self.copy()
        resolved.is_summary = summarize
        resolved.conditions = [
            condition.resolve_expression(query, allow_joins, reuse, summarize, for_save)
            for condition in self.conditions
        ]
        return resolved

    def with_part(self, part: int) -> "ScopeCondition":
        other = self.copy()
        other.part = part
        return other

    def as_sql(self, compiler, connection):
        compiled = [compiler.compile(condition) for condition in self.conditions]
        if self.part is None:
            sql = " OR ".join(f"({text})" for text, _params in compiled)
            return f"({sql})", [param for _text, params in compiled for param in params]
        # Part n: condition n, and none of the conditions before it (so the parts are disjoint).
        # IS NOT TRUE, not NOT: a condition on a NULL column (no assignee) is unknown, not false.
        text, params = compiled[self.part]
        pieces, values = [f"({text})"], list(params)
        for earlier_text, earlier_params in compiled[: self.part]:
            pieces.append(f"({earlier_text}) IS NOT TRUE")
            values.extend(earlier_params)
        return "(" + " AND ".join(pieces) + ")", values


def _with_part(node, part: int):
    """A copy of the where tree `node` with its ScopeCondition reading `part`, or None if it has none."""
    if isinstance(node, WhereNode):
        for position, child in enumerate(node.children):
            replaced = _with_part(child, part)
            if replaced is not None:
                clone = node.clone()
                clone.children[position] = replaced
                return clone
        return None
    if isinstance(node, ScopeCondition):
        return node.with_part(part)
    lhs = getattr(node, "lhs", None)
    if isinstance(lhs, ScopeCondition) and isinstance(node, Lookup):
        return type(node)(lhs.with_part(part), node.rhs)
    return None


def _scope_of(node) -> ScopeCondition | None:
    if isinstance(node, WhereNode):
        return next((found for child in node.children if (found := _scope_of(child)) is not None), None)
    if isinstance(node, ScopeCondition):
        return node
    lhs = getattr(node, "lhs", None)
    return lhs if isinstance(lhs, ScopeCondition) else None


def scope_parts(queryset: QuerySet) -> list[QuerySet] | None:
    """The queryset as its scope's disjoint parts (units; then each widening), or None if not split."""
    scope = _scope_of(queryset.query.where)
    if scope is None or getattr(settings, "SCOPE_SPLIT", True) is False:
        return None
    parts = []
    for number in range(scope.parts):
        part = queryset.all()
        part.query.where = _with_part(queryset.query.where, number)
        parts.append(part)
    return parts


def _order(queryset: QuerySet) -> list[str]:
    query = queryset.query
    order = list(query.order_by) or (list(queryset.model._meta.ordering) if query.default_ordering else [])
    return [*order, "pk"] if not any(name.lstrip("-") in ("pk", "id") for name in order) else order


def page_keys(queryset: QuerySet, start: int, stop: int | None, key=None) -> list:
    """The primary keys of queryset[start:stop], taking a split scope's two parts separately.

    Each part keeps its own first `stop` rows in the list's order (each from its index), and the
    two short lists are merged here: the same page as one sorted query, without fetching every
    visible row. With a `key` (see `statement`) the compiled statement is kept.
    """
    if stop is None or key is None:
        queryset = built(queryset)
    if stop is None:
        return list(queryset.values_list("pk", flat=True)[start:stop])
    if key is not None:
        key = ("page", queryset.db, _split_setting(), start, stop, key)
    sql, params, order = statement(key, lambda: _page_sql(built(queryset), start, stop))
    if sql is None:
        return []
    with connections[queryset.db].cursor() as cursor:  # both parts in one round trip
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    to_python = key_reader(queryset.model._meta.pk)
    if order is None:  # not split: the database's page
        return [to_python(row[0]) for row in rows]
    for position in range(len(order) - 1, -1, -1):  # a stable sort per key, the last key first
        rows.sort(key=lambda row, p=position: row[p + 1], reverse=order[position].startswith("-"))
    # Raw rows: the sort keys compare alike from both parts; the key is made a Python value again.
    return [to_python(row[0]) for row in rows[start:stop]]


def _page_sql(queryset: QuerySet, start: int, stop: int):
    """The page's statement: (sql, params, order), order None when the scope is not split."""
    parts = scope_parts(queryset)
    if parts is None:
        shaped = queryset.values_list("pk", flat=True)[start:stop]
        try:
            sql, params = shaped.query.get_compiler(shaped.db).as_sql()
        except EmptyResultSet:
            return None, (), None
        return sql, tuple(params), None
    order = _order(queryset)
    fields = [name.lstrip("-") for name in order]
    selects, params = [], []
    for number, part in enumerate(parts):
        try:
            sql, part_params = part.order_by(*order).values_list("pk", *fields)[:stop].query.sql_with_params()
        except EmptyResultSet:  # this part matches nothing
            continue
        selects.append(f"SELECT * FROM ({sql}) AS part_{number}")  # noqa: S608 (compiled SQL)
        params.extend(part_params)
    if not selects:
        return None, (), order
    return " UNION ALL ".join(selects), tuple(params), tuple(order)


def model_columns(model, names=None) -> tuple[str, ...]:
    """The attnames of `model`'s concrete fields named in `names` (every one without), in the model's field
    order: read as values in that order, a row becomes an instance with `model.from_db(alias, columns, row)`."""
    return tuple(field.attname for field in model._meta.concrete_fields if names is None or field.name in names)


def instance_by_pk(model, pk, *, key: str):
    """The row of `model` with primary key `pk` as a model instance (every column), or None: read by a
    statement kept per `key` apart from the key's value (`values_rows`, slots), not built at each call."""
    columns = model_columns(model)
    rows = values_rows(
        model,
        lambda values: model._default_manager.filter(pk=values["pk"]),
        columns,
        ("by-pk", key),
        slots={"pk": pk},
    )
    return model.from_db(router.db_for_read(model), columns, rows[0]) if rows else None
