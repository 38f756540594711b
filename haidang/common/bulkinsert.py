"""Many rows into one table fast: one prepared INSERT run with `executemany`, each value converted the
way its field converts it for the database.

For imports of a hundred thousand rows, where `QuerySet.bulk_create` spends most of its time building
model instances and compiling one SQL statement per batch. Rows are dicts by the field's `attname`
("unit_id", not "unit"); a field left out or None takes its default (None where it has none),
`auto_now`/`auto_now_add` fields the time of the call, an auto-numbered primary key is left to the
database. Like `bulk_create`, no `save()` and
no signals: the caller is a service that has checked every row. Encrypted fields are sealed by their
own field (`EncryptedTextField.get_prep_value`), exactly as a save would seal them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import chain, islice

from django.db import connections, models, router
from django.utils import timezone

__all__ = ["insert_objects", "insert_rows"]

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


def _converter(field, connection) -> Callable | None:
    target = field.target_field if field.is_relation else field
    if type(target) in _PLAIN:
        return None
    if field.is_relation:
        return lambda value: None if value is None else target.get_db_prep_save(value, connection)
    if isinstance(field, _REPEATED):
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
    return lambda value: field.get_db_prep_save(value, connection)


def insert_rows(model, rows: Iterable[dict], *, batch_size: int = 2000) -> int:
    """Insert `rows` (dicts by attname) into `model`'s table; the number inserted."""
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    fields = [
        f for f in meta.concrete_fields if not (f.primary_key and first.get(f.attname) is None and not f.has_default())
    ]
    now = timezone.now()
    converters = []
    for field in fields:
        convert = _converter(field, connection)
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            stamp = now if convert is None else convert(now)  # the same for every row: converted once
            converters.append((field.attname, None, lambda stamp=stamp: stamp))
        else:
            converters.append((field.attname, convert, field.get_default))
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 (the model's own names, quoted)
        quote(meta.db_table),
        ", ".join(quote(field.column) for field in fields),
        ", ".join(["%s"] * len(fields)),
    )

    def params(row: dict) -> list:
        values = []
        for attname, convert, fill in converters:
            value = row.get(attname)
            if value is None:
                value = fill()
            values.append(value if convert is None or value is None else convert(value))
        return values

    count = 0
    everything = chain([first], rows)
    with connection.cursor() as cursor:
        while batch := [params(row) for row in islice(everything, batch_size)]:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def insert_objects(objects: Iterable[models.Model], *, batch_size: int = 2000) -> int:
    """`insert_rows` for model instances built but not saved (all of one model); their primary keys
    must be set already (a UUID default) unless nobody reads them back."""
    objects = iter(objects)
    first = next(objects, None)
    if first is None:
        return 0
    attnames = [field.attname for field in first._meta.concrete_fields]
    return insert_rows(
        type(first),
        ({name: obj.__dict__.get(name) for name in attnames} for obj in chain([first], objects)),
        batch_size=batch_size,
    )
