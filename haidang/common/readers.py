"""Column values as the ORM reads them, by one call per value: Django's converters, or for the commonest an
equivalent that does less.

A hot list reads thousands of values per request through `common.queries.values_rows`. Django converts each
with a chain of functions called as `f(value, expression, connection)`, and on SQLite the commonest ones
repeat what the driver already did: the driver hands out days, times and booleans as Python values (Django
declares the column types to it), and `convert_datetimefield_value` then asks twice whether the time is
aware before making it so; a key is parsed from its hex digits by `uuid.UUID`, which strips prefixes and
braces first. Each reader here gives exactly what Django's chain gives (`common/tests/test_readers.py`
compares them value by value) and hands anything unusual to that chain.
"""

import uuid
from collections.abc import Callable
from datetime import date, datetime

from django.conf import settings
from django.db.backends.sqlite3.base import DatabaseOperations as SQLiteOperations  # base first: no import cycle
from django.utils.dateparse import parse_datetime

from haidang.common.fields import EncryptedTextField
from haidang.common.ids import uuid_of

__all__ = ["fast_uuid", "key_reader", "readers"]


def fast_uuid(value):
    """`uuid.UUID(value)` for a key as SQLite stores it (32 hex digits), without the parsing of other forms;
    anything else goes to `uuid.UUID` itself (same result, same errors)."""
    if type(value) is str and len(value) == 32 and value.isalnum():
        return uuid_of(int(value, 16))  # ValueError for a letter past f, as uuid.UUID raises
    return uuid.UUID(value)


def _chain(functions, expression) -> Callable:
    """Django's converters of one column, in order."""
    if len(functions) == 1:
        (function,) = functions

        def read_one(value, connection):
            return function(value, expression, connection)

        return read_one

    def read(value, connection):
        for function in functions:
            value = function(value, expression, connection)
        return value

    return read


def _sqlite_uuid(django: Callable) -> Callable:
    def read(value, connection):
        return None if value is None else fast_uuid(value)

    return read


def _sqlite_datetime(django: Callable) -> Callable:
    if not settings.USE_TZ:  # read when the statement is compiled, as Django reads its converters
        return django

    def read(value, connection):
        if value is None:
            return None
        if type(value) is not datetime:
            value = parse_datetime(value)
        if value.tzinfo is None:
            return value.replace(tzinfo=connection.timezone)
        return django(value, connection)  # aware already: Django's own answer

    return read


def _sqlite_passes(kind: type) -> Callable:
    """A converter that leaves a value of `kind` as it is (the driver made it one already)."""

    def make(django: Callable) -> Callable:
        def read(value, connection):
            return value if value is None or type(value) is kind else django(value, connection)

        return read

    return make


def _empty_passes(django: Callable) -> Callable:
    """A sealed column's reader that leaves an empty value (None, "") as it is, as the field itself does,
    without its calls: most of a person's sealed fields are empty."""

    def read(value, connection):
        return value if not value else django(value, connection)

    return read


_FASTER = {
    EncryptedTextField.from_db_value: _empty_passes,
    SQLiteOperations.convert_uuidfield_value: _sqlite_uuid,
    SQLiteOperations.convert_datetimefield_value: _sqlite_datetime,
    SQLiteOperations.convert_datefield_value: _sqlite_passes(date),
    SQLiteOperations.convert_booleanfield_value: _sqlite_passes(bool),
}


def readers(converters: dict) -> tuple:
    """`compiler.get_converters(...)` ({position: (functions, expression)}) as ((position, read), ...),
    `read(value, connection)` giving what the functions give in turn."""
    found = []
    for position, (functions, expression) in converters.items():
        django = _chain(functions, expression)
        faster = _FASTER.get(getattr(functions[0], "__func__", None)) if len(functions) == 1 else None
        found.append((position, django if faster is None else faster(django)))
    return tuple(found)


def key_reader(field) -> Callable:
    """`field.to_python` for the keys a statement hands back (a page's ids): for a UUID key stored as hex
    digits (SQLite), `fast_uuid`; any other value, or one `fast_uuid` refuses, goes to `to_python` itself."""
    to_python = field.to_python
    if field.get_internal_type() != "UUIDField":
        return to_python

    def read(value):
        if type(value) is str:
            try:
                return fast_uuid(value)
            except ValueError:
                pass
        return to_python(value)

    return read
