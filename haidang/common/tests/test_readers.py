"""The faster readers of `common.readers` give what Django's converters give, value by value."""

import uuid
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from django.core.exceptions import ValidationError
from django.db import connections
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper

from haidang.cases.models import Case
from haidang.common.readers import fast_uuid, key_reader, readers


@pytest.fixture
def sqlite():
    """A SQLite connection's operations (never opened): the converters belong to the backend, whatever
    database the suite runs on."""
    settings_dict = {
        **connections["default"].settings_dict,
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": ":memory:",
        "OPTIONS": {},
    }
    return SQLiteWrapper(settings_dict, alias="readers-test")


def _outcome(call):
    try:
        value = call()
    except Exception as error:  # noqa: BLE001 (the failure itself is compared)
        return ("raises", type(error))
    offset = value.utcoffset() if isinstance(value, datetime) else None
    return (type(value), value, offset)


HEX = uuid.UUID("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0").hex
CASES = {
    "convert_uuidfield_value": [
        None,
        HEX,
        HEX.upper(),
        uuid.uuid4().hex,
        "0" * 32,
        "f" * 32,
        "g" * 32,
        "-" + "a" * 31,
        "0x" + "a" * 30,
        "{" + "a" * 30 + "}",
        "short",
        str(uuid.UUID(HEX)),
    ],
    "convert_datetimefield_value": [
        None,
        datetime(2026, 12, 4, 21, 13, 31, 123456),
        datetime(2026, 12, 4, 21, 13, 31),
        datetime(2026, 12, 4, 21, 13, 31, tzinfo=UTC),
        datetime(2026, 12, 4, 21, 13, 31, tzinfo=timezone(timedelta(hours=7))),
        "2026-12-04 21:13:31.123456",
        "2026-12-04 21:13:31",
        "2026-12-04T21:13:31+07:00",
        "31/11/2023",
    ],
    "convert_datefield_value": [None, date(2023, 11, 30), "2023-11-30", datetime(2023, 11, 30, 8, 0)],
    "convert_booleanfield_value": [None, True, False, 1, 0, 2],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_faster_reader_gives_what_djangos_converter_gives(sqlite, name):
    converter = getattr(sqlite.ops, name)
    expression = object()  # the SQLite converters read nothing of it
    ((_position, read),) = readers({0: ([converter], expression)})
    assert read.__qualname__.startswith("_sqlite_")  # the faster one was chosen, not Django's chain
    for value in CASES[name]:
        assert _outcome(lambda v=value: read(v, sqlite)) == _outcome(
            lambda v=value: converter(v, expression, sqlite)
        ), value


def test_a_chain_of_converters_is_applied_in_order(sqlite):
    seen = []

    def first(value, expression, connection):
        seen.append(("first", value))
        return value + 1

    def second(value, expression, connection):
        seen.append(("second", value))
        return value * 10

    ((position, read),) = readers({3: ([first, second], None)})
    assert (position, read(1, sqlite), seen) == (3, 20, [("first", 1), ("second", 2)])


def test_keys_read_as_the_primary_key_reads_them():
    to_python, read = Case._meta.pk.to_python, key_reader(Case._meta.pk)
    key = uuid.uuid4()
    for value in (key.hex, key, str(key), key.int):
        assert (type(read(value)), read(value)) == (uuid.UUID, to_python(value))
    for bad in ("g" * 32, "nonsense"):
        with pytest.raises(ValidationError):
            to_python(bad)
        with pytest.raises(ValidationError):
            read(bad)
    made = fast_uuid(key.hex)
    assert (made, hash(made), str(made), made.version, made.is_safe) == (
        key,
        hash(key),
        str(key),
        key.version,
        uuid.SafeUUID.unknown,
    )


def test_a_sealed_column_reads_as_its_field_reads_it(sqlite):
    from haidang.cases.models import Person

    field = Person._meta.get_field("full_name")
    ((_position, read),) = readers({0: ([field.from_db_value], None)})
    assert read.__qualname__.startswith("_empty_passes")
    for value in (None, "", field.get_prep_value("Nguyễn Thị Lan"), "not sealed", "enc:k1:garbage"):
        assert _outcome(lambda v=value: read(v, sqlite)) == _outcome(
            lambda v=value: field.from_db_value(v, None, sqlite)
        ), value
    assert read(field.get_prep_value("Nguyễn Thị Lan"), sqlite) == "Nguyễn Thị Lan"
