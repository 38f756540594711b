"""Days and times read as the text the API writes, for a hot list: no value object made and written back.

A list of cases reads five days and times a row. Read as values, each is parsed (on SQLite by a Python
converter of the driver, then made aware), then written back to text by the JSON encoder's `default`:
about a tenth of the case list's time on the demonstration data. `DayText` and `TimeText` select the
column as ISO text in one fixed form on both databases (SQLite stores it so; PostgreSQL writes it with
`to_char`, whatever its DateStyle), and `json_time` turns a time's text into what Django's JSON encoder
writes for it (milliseconds, "Z"); a day's text is already what it writes. `tests/test_isotext.py`
compares them with the values read and encoded the usual way, on both databases.
"""

import re
from datetime import UTC

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import CharField, Func
from django.utils.dateparse import parse_datetime
from django.utils.timezone import is_naive, make_aware

__all__ = ["DayText", "TimeText", "json_time"]


class _IsoText(Func):
    """A column as ISO text: SQLite stores it so; PostgreSQL writes it with `postgresql` (None stays None)."""

    output_field = CharField()
    postgresql = ""

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="CAST(%(expressions)s AS TEXT)", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template=self.postgresql, **extra)


class DayText(_IsoText):
    """A date column as 'YYYY-MM-DD'."""

    postgresql = "to_char(%(expressions)s, 'YYYY-MM-DD')"


class TimeText(_IsoText):
    """A timestamp column (stored in UTC) as 'YYYY-MM-DD HH:MM:SS[.ffffff]' in UTC."""

    postgresql = "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"


_UTC_TEXT = re.compile(r"(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?(?:Z|\+00(?::?00)?)?")
_ENCODER = DjangoJSONEncoder()


def json_time(text: str | None) -> str | None:
    """A UTC time's text as `DjangoJSONEncoder` writes the time: '2026-12-05T03:00:00.123Z' (milliseconds cut,
    none when there are no microseconds). Any other form is read and written by Django itself."""
    if text is None:
        return None
    match = _UTC_TEXT.fullmatch(text)
    if match is None:
        value = parse_datetime(text)
        if value is None:
            raise ValueError(f"not a time: {text[:40]!r}")
        return _ENCODER.default(make_aware(value, UTC) if is_naive(value) else value.astimezone(UTC))
    day, clock, fraction = match.groups()
    if fraction and int(fraction):
        return f"{day}T{clock}.{fraction.ljust(3, '0')[:3]}Z"
    return f"{day}T{clock}Z"
