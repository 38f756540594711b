"""Many rows into one table fast: one prepared INSERT run with `executemany` (on PostgreSQL, one COPY),
each value converted the way its field converts it for the database.

For imports of a hundred thousand rows, where `QuerySet.bulk_create` spends most of its time building
model instances and compiling one SQL statement per batch. Rows are dicts by the field's `attname`
("unit_id", not "unit"); a field left out or None takes its default (None where it has none),
`auto_now`/`auto_now_add` fields the time of the call, an auto-numbered primary key is left to the
database. Like `bulk_create`, no `save()` and
no signals: the caller is a service that has checked every row. Encrypted fields are sealed by their
own field (`EncryptedTextField.get_prep_value`), exactly as a save would seal them.
"""

from __future__ import annotations

import uuid
import weakref
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from itertools import chain, islice

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models, router
from django.utils import timezone

from haidang.common.fields import EncryptedTextField
from haidang.common.ids import new_id, new_ids
from haidang.common.jsontext import json_text

__all__ = ["insert_row", "insert_rows", "page_cache"]

# Fields whose Python value is what the database driver takes, on SQLite and PostgreSQL alike.
_PLAIN = {
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.PositiveBigIntegerField,
    models.SmallIntegerField,
    models.BigIntegerField,
    models.BooleanField,
    models.BigAutoField,
    models.AutoField,
}


# Fields whose values repeat from row to row (a register's days, one time for a whole insert, amounts):
# each distinct value is converted once per call.
_REPEATED = (models.DateField, models.DateTimeField, models.DecimalField)
_MEMO_SIZE = 10_000


def _converter(field, connection, *, memo: bool = True) -> Callable | None:
    target = field.target_field if field.is_relation else field
    if type(target) in _PLAIN:
        return None
    if type(target) is models.UUIDField:
        return _uuid_converter(target, connection)
    if field.is_relation:
        return lambda value: None if value is None else target.get_db_prep_save(value, connection)
    if type(field) is models.JSONField:
        return _json_converter(field, connection)
    if isinstance(field, _REPEATED) and memo:
        return _memo_converter(field, connection)
    if isinstance(field, EncryptedTextField):
        return _sealing_converter(field, connection)
    return lambda value: field.get_db_prep_save(value, connection)


def _uuid_converter(field, connection) -> Callable:
    """A key as `UUIDField.get_db_prep_value` gives it, without its calls for every row (an import's
    persons, cases, events and links hold three or four each)."""
    native = connection.features.has_native_uuid_field

    def convert(value):
        if type(value) is uuid.UUID:
            return value if native else value.hex
        return field.get_db_prep_save(value, connection)

    return convert


def _json_converter(field, connection) -> Callable:
    """A dict or list as the backend's adapter takes it, written by `common.jsontext.json_text`."""
    dumps = json_text(field.encoder)
    if connection.vendor == "postgresql":
        from psycopg.types.json import Jsonb  # the adapter Django's own `adapt_json_value` returns

        def adapt(value):
            return Jsonb(value, dumps=dumps)
    else:
        adapt = dumps  # SQLite stores the text

    def convert(value):
        if type(value) is dict or type(value) is list:
            return adapt(value)
        return field.get_db_prep_save(value, connection)

    return convert


def _memo_converter(field, connection) -> Callable:
    converted: dict = {}

    def convert(value):
        key = (type(value), value)  # the type too: 1 and Decimal(1) are equal keys
        found = converted.get(key)
        if found is None:
            found = field.get_db_prep_save(value, connection)
            if len(converted) < _MEMO_SIZE:
                converted[key] = found
        return found

    return convert


def _sealing_converter(field, connection) -> Callable:
    """Text sealed by the field's own `get_prep_value`, as a save seals it (`get_db_prep_save` adds only
    calls); an empty value stays empty, as the field stores it."""
    seal = field.get_prep_value

    def convert(value):
        if type(value) is str:
            return seal(value) if value else value
        return field.get_db_prep_save(value, connection)

    return convert


class _Plan:
    """How rows become one table's INSERT: the statement, and per field what fills or converts its value.
    Fields filled with the time of the call (`auto_now`) take it at each call of `converter`."""

    def __init__(self, model, connection, *, omit_pk: bool, memo: bool):
        meta = model._meta
        fields = [f for f in meta.concrete_fields if not (f.primary_key and omit_pk and not f.has_default())]
        # Per row, only the fields that need it are touched in Python: the values are read in one `map`,
        # then a missing value takes its default and a value its field's conversion.
        self.attnames = [field.attname for field in fields]
        self.timed, self.fixed_fills, self.called_fills, self.conversions = [], [], [], []
        for index, field in enumerate(fields):
            convert = _converter(field, connection, memo=memo)
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                # The same time for every row of a call; a value the row gives is taken as it is.
                self.timed.append((index, convert))
                continue
            if field.has_default() and field.default is new_id:
                self.called_fills.append((index, _IDS))  # taken a block at a time (`new_ids`), per call
            elif (field.has_default() and callable(field.default)) or field.has_db_default():
                self.called_fills.append((index, field.get_default))
            else:
                fixed = field.get_default()  # a status, 0, "": the same for every row that leaves the field out
                if fixed is not None:
                    self.fixed_fills.append((index, fixed))
            if convert is not None:
                self.conversions.append((index, convert))
        quote = connection.ops.quote_name
        columns = ", ".join(quote(field.column) for field in fields)
        self.sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 (the model's own names, quoted)
            quote(meta.db_table), columns, ", ".join(["%s"] * len(fields))
        )
        self.copy_sql = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"

    def fills(self) -> list:
        """The fixed fills of one call: the defaults, and the time of the call where a field takes it."""
        if not self.timed:
            return self.fixed_fills
        now = timezone.now()
        timed = [(index, now if convert is None else convert(now)) for index, convert in self.timed]
        return [*self.fixed_fills, *timed]

    def converter(self) -> Callable[[dict], list]:
        """`params(row)`: a row's values in the statement's order, filled and converted (one call's fills)."""
        attnames, fixed_fills = self.attnames, self.fills()
        called_fills = [(index, _id_source() if fill is _IDS else fill) for index, fill in self.called_fills]
        conversions = self.conversions

        def params(row: dict) -> list:
            values = list(map(row.get, attnames))
            for index, fixed in fixed_fills:
                if values[index] is None:
                    values[index] = fixed
            for index, fill in called_fills:
                if values[index] is None:
                    values[index] = fill()
            for index, convert in conversions:
                value = values[index]
                if value is not None:
                    values[index] = convert(value)
            return values

        return params


_IDS = object()  # marks a key filled by `new_id`
_ID_BLOCK = 512


def _id_source() -> Callable[[], object]:
    """`new_id()` for the rows of one call, in order, made by `new_ids` in blocks that double up to 512 (a call
    for one row makes one)."""
    ids: list = []
    size = 1

    def fill():
        nonlocal size
        if not ids:
            ids.extend(reversed(new_ids(size)))
            size = min(2 * size, _ID_BLOCK)
        return ids.pop()

    return fill


def insert_rows(model, rows: Iterable[dict], *, batch_size: int = 2000) -> int:
    """Insert `rows` (dicts by attname) into `model`'s table; the number inserted."""
    connection = connections[router.db_for_write(model)]
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    plan = _Plan(model, connection, omit_pk=first.get(model._meta.pk.attname) is None, memo=True)
    params = plan.converter()
    count = 0
    everything = chain([first], rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: the rows streamed in one statement, several times faster than a prepared INSERT run for
            # each (an import's commit spent half its time there). The same values, the same adapters.
            with connection.wrap_database_errors, cursor.cursor.copy(plan.copy_sql) as copy:
                for row in everything:
                    copy.write_row(params(row))
                    count += 1
            return count
        while batch := [params(row) for row in islice(everything, batch_size)]:
            cursor.executemany(plan.sql, batch)
            count += len(batch)
    return count


# Plans for one row at a time, kept per connection (a thread's own) and table: an audited read writes one
# entry, and working out the plan cost as much as the insert. No memo in them (nothing repeats).
_ROW_PLANS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def insert_row(model, row: dict) -> None:
    """`insert_rows(model, [row])`, with the plan kept."""
    connection = connections[router.db_for_write(model)]
    omit_pk = row.get(model._meta.pk.attname) is None
    plans = _ROW_PLANS.get(connection)
    if plans is None:
        plans = _ROW_PLANS[connection] = {}
    plan = plans.get((model, omit_pk))
    if plan is None:
        plan = plans[(model, omit_pk)] = _Plan(model, connection, omit_pk=omit_pk, memo=False)
    with connection.cursor() as cursor:
        cursor.execute(plan.sql, plan.converter()(row))


@contextmanager
def page_cache(using: str = DEFAULT_DB_ALIAS):
    """SQLite: a larger page cache for the connection while a long write runs (an import), then the one
    it had. SQLite's default (2 MB) is far smaller than the indexes an import of a hundred thousand rows
    writes into on random keys (UUIDs): each insert then reads its index pages back from the file, and
    the transaction's changed pages are spilled and read again, so the cost of a row grew with the
    import (about twice as much per row at 40,000 rows as at 5,000). The cache is filled only as pages
    are used and is emptied when the old size is set back. `IMPORT_SQLITE_CACHE_MB` (default 64; 0
    keeps SQLite's). Other databases: nothing changes."""
    connection = connections[using]
    megabytes = settings.IMPORT_SQLITE_CACHE_MB
    if connection.vendor != "sqlite" or not megabytes:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = {-int(megabytes) * 1024}")
    try:
        yield
    finally:
        # Inside a transaction marked for rollback no statement may run (it would hide the error being
        # raised): the connection then keeps the larger cache until it is closed.
        if not connection.needs_rollback:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {int(previous)}")
