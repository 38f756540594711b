"""The row-error machinery every import uses: a schema of columns per kind of register, each cell read
into a value or a `RowError` (row, column, value, translated message), and a pipeline
"validate rows → errors → staged rows" that any import (registers, HTCDS records) builds on.

A cell is read the way the forms read the same field: dates through `common.dates.parse_day` (and Excel
serial numbers), counts with "." as thousands separator (the Vietnamese way: 10.000), text NFC, codes
from the field's list by code or by label (with or without diacritics), units through the one name
resolver `places.resolver` on the record's own date — an old unit named for a day after the reform is
an error naming what it became.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import cached_property, lru_cache

from django.utils import translation
from django.utils.translation import gettext as _

from haidang.common.dates import DayError, format_day, parse_day
from haidang.common.text import clean_text, fold
from haidang.places import resolver
from haidang.places.models import AdministrativeUnit

__all__ = [
    "Column",
    "RowError",
    "RowResult",
    "Schema",
    "UnitCache",
    "excel_serial_day",
    "read_count",
    "read_day",
    "validate_rows",
]

# Excel counts days from 30/12/1899 (its 1900 leap-year bug folded in); 1 = 01/01/1900.
_EXCEL_EPOCH = date(1899, 12, 30)
_SERIAL_RANGE = (1, 73_050)  # up to 31/12/2099
_SERIAL_TEXT = re.compile(r"^\d{5}(?:\.0+)?$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:[.\s\u00a0]\d{3})+$")
_PLAIN_INT = re.compile(r"^[+-]?\d+$")
# The column the error sheet adds: a fixed sheet comes back with it, and it is not read.
ERROR_HEADER = "Lỗi cần sửa"
LIST_SEPARATORS = re.compile(r"\s*[;,\n]\s*")


@dataclass(frozen=True)
class RowError:
    """One problem in one cell: the sheet's row number (as Excel shows it), the column's header, the
    value as it was typed, and a translated message saying what is wrong."""

    row: int
    column: str
    value: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "value": self.value, "message": self.message}


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return format_day(value if isinstance(value, date) and not isinstance(value, datetime) else value.date())
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean_text(str(value))[:200]


class CellError(ValueError):
    """A cell that cannot be read; `message` is translated."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _not_a_date(value) -> str:
    return _("%(value)s is not a date. Enter a date as dd/mm/yyyy, for example 30/07/2026.") % {"value": value}


def excel_serial_day(number: float) -> date:
    """The day an Excel serial number stands for (45123 → 17/07/2023)."""
    if isinstance(number, float) and not number.is_integer():
        number = math.floor(number)  # a date with a time of day
    number = int(number)
    if not _SERIAL_RANGE[0] <= number <= _SERIAL_RANGE[1]:
        raise CellError(_not_a_date(number))
    return _EXCEL_EPOCH + timedelta(days=number)


def read_day(value) -> date | None:
    """A day from a cell: a date, an Excel serial number, or text in any form `parse_day` reads."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, date):  # a cell formatted as a date (a datetime is a date too)
        return parse_day(value)
    if isinstance(value, bool):
        raise CellError(_not_a_date(value))
    if isinstance(value, int | float):
        return excel_serial_day(value)
    text = clean_text(str(value))
    if _SERIAL_TEXT.match(text):
        return excel_serial_day(float(text))
    try:
        return parse_day(text)
    except DayError as error:
        raise CellError(error.message) from error


def read_count(value) -> int | None:
    """A whole number from a cell: 10000, "10000", "10.000" or "10 000" (thousands separated by a dot or
    a space, the Vietnamese way); a negative number or a fraction is refused."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise CellError(_("Enter a whole number."))
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError(_("%(value)s is not a whole number.") % {"value": _shown(value)})
        value = int(value)
    if isinstance(value, int):
        number = value
    else:
        text = clean_text(str(value))
        if _THOUSANDS.match(text):
            text = re.sub(r"[.\s\u00a0]", "", text)
        if not _PLAIN_INT.match(text):
            raise CellError(_("%(value)s is not a whole number (write 10.000 or 10000).") % {"value": text[:60]})
        number = int(text)
    if number < 0:
        raise CellError(_("%(value)s is negative; enter zero or more.") % {"value": number})
    if number > 2_000_000_000:
        raise CellError(_("%(value)s is too large.") % {"value": number})
    return number


def read_amount(value) -> Decimal | None:
    """An amount in đồng: like a count (10.000.000), whole đồng."""
    number = read_count(value)
    return None if number is None else Decimal(number)


def read_text(value, *, max_length: int) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        value = _shown(value)
    text = clean_text(str(value))
    if len(text) > max_length:
        raise CellError(_("Enter at most %(count)s characters.") % {"count": max_length})
    return text


_DASH = re.compile(r"\s*[-–—]\s*")


@lru_cache(maxsize=8192)  # a register repeats the same few labels on every row
def code_key(text: str) -> str:
    """How a code or label is matched: folded, dashes without the spaces around them."""
    return _DASH.sub("-", fold(text))


def code_lookup(choices) -> dict[str, str]:
    """Every way a code may be written → the code: the code itself and its labels in both languages,
    folded (no case, no diacritics)."""
    table: dict[str, str] = {}
    for language in ("vi", "en"):
        with translation.override(language):
            for value, label in choices:
                table[code_key(str(value))] = value
                table[code_key(str(label))] = value
    return table


def read_code(value, *, lookup: dict[str, str], shown_choices: Callable[[], str]) -> str:
    text = read_text(value, max_length=200)
    if not text:
        return ""
    code = lookup.get(code_key(text))
    if code is None:
        raise CellError(
            _("“%(value)s” is not in the list; choose one of: %(choices)s.")
            % {"value": text, "choices": shown_choices()}
        )
    return code


class UnitCache:
    """Units named in a file, resolved once per text and map epoch: a register names a few hundred places
    over a hundred thousand rows and as many days. Between two days on which no unit begins or ends the
    map is the same, so is the answer; the epoch of a day is found among those boundaries.
    `covers(unit)` is the importer's scope (None: no scope check)."""

    def __init__(self, *, levels: Iterable[int] | None = None, covers: Callable | None = None, prefer=()):
        self.levels = tuple(levels) if levels else None
        self.covers = covers
        self.prefer = tuple(prefer)
        self._seen: dict[tuple[str, int], resolver.Resolution] = {}
        self._boundaries: list[date] | None = None
        self._read: dict[tuple[str, int], AdministrativeUnit] = {}  # cell text and map epoch -> unit read

    def _epoch(self, day: date) -> int:
        if self._boundaries is None:
            starts = AdministrativeUnit.objects.exclude(valid_from=None).values_list("valid_from", flat=True)
            ends = AdministrativeUnit.objects.exclude(valid_to=None).values_list("valid_to", flat=True)
            boundaries = set(starts.distinct()) | {end + timedelta(days=1) for end in ends.distinct()}
            self._boundaries = sorted(boundaries)
        return bisect.bisect_right(self._boundaries, day)

    def resolution(self, text: str, day: date) -> resolver.Resolution:
        key = (text, self._epoch(day))
        found = self._seen.get(key)
        if found is None or found.day != day and found.unit is None:
            # A failed answer names its day in its message: worked out again for another day.
            if len(self._seen) > 50_000:
                self._seen.clear()
            found = resolver.resolve(text, day=day, levels=self.levels, prefer=self.prefer)
            self._seen[key] = found
        return found

    def read(self, value, day: date | None):
        # A register names the same places over and over: a cell read without error is kept by its text
        # and the map epoch of its day (the answer `resolution` gives for the whole epoch, and the scope
        # check does not depend on the day); a cell in error is read again, each row gets its own error.
        key = (value, self._epoch(day)) if type(value) is str and day is not None else None
        unit = self._read.get(key) if key is not None else None
        if unit is not None:
            return unit
        unit = self._read_unit(value, day)
        if key is not None and unit is not None:
            if len(self._read) > 50_000:
                self._read.clear()
            self._read[key] = unit
        return unit

    def _read_unit(self, value, day: date | None):
        text = read_text(value, max_length=300)
        if not text:
            return None
        if day is None:
            raise CellError(_("Give the row's date first: a place is read on the date of the record."))
        found = self.resolution(text, day)
        if found.unit is None:
            raise CellError(found.message or _unit_choices(found))
        if self.covers is not None and not self.covers(found.unit):
            raise CellError(_("%(unit)s is outside your area.") % {"unit": found.unit.name})
        return found.unit


def _unit_choices(found: resolver.Resolution) -> str:
    names = ", ".join(resolver.label(m.unit) for m in found.alternatives[:4])
    return _("Several units match “%(text)s” on %(day)s: write the unit with its province (%(names)s).") % {
        "text": found.text,
        "day": format_day(found.day),
        "names": names,
    }


@dataclass(frozen=True)
class Column:
    """One column of a register: its key in the row's values, its Vietnamese header as the template
    writes it, how a cell is read, and whether it must be filled.

    `kind`: "text", "day", "count", "amount", "code", "codes" (several, separated by ";"), "unit".
    `day_from`: for a unit, the key of the date it is read on.
    """

    key: str
    header: str
    kind: str = "text"
    required: bool = False
    choices: tuple = ()
    max_length: int = 255
    day_from: str = ""
    help: str = ""
    aliases: tuple[str, ...] = ()

    def lookup(self) -> dict[str, str]:
        return code_lookup(self.choices)


@dataclass
class RowResult:
    """A row read: its values (None for a row with errors), its errors and its warnings."""

    row: int
    values: dict | None
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    raw: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


# Cells whose reading depends only on the value (not on the row's other cells), kept per file.
_MEMO_KINDS = frozenset({"day", "code", "codes", "count", "amount"})
_MEMO_TYPES = frozenset({str, int, float, date, datetime, type(None)})  # None: an empty cell
_MEMO_SIZE = 200_000
_MISSING = object()


class Schema:
    """The columns of one kind of register, and how a row of cells becomes values or errors."""

    def __init__(self, columns: Iterable[Column], *, source_key: str):
        self.columns = tuple(columns)
        self.source_key = source_key
        self.by_key = {column.key: column for column in self.columns}
        self._header_index: dict[str, Column] = {}
        for column in self.columns:
            for name in (column.header, column.key, *column.aliases):
                self._header_index[fold(name)] = column

    @cached_property
    def _lookups(self) -> dict[str, dict[str, str]]:
        # Built on first use, in both languages (the labels are translated).
        return {c.key: c.lookup() for c in self.columns if c.kind in ("code", "codes")}

    @cached_property
    def _ordered(self) -> tuple[Column, ...]:
        # Dates are read before the places named on them.
        return tuple(sorted(self.columns, key=lambda c: c.kind == "unit"))

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.columns]

    def match_headers(self, cells: Iterable) -> tuple[list[Column | None], list[RowError]]:
        """Each header cell → its column (in any order; None for an empty one); extra and missing
        columns are errors on row 1 naming them."""
        mapped: list[Column | None] = []
        errors: list[RowError] = []
        seen: set[str] = set()
        for number, cell in enumerate(cells, start=1):
            text = clean_text(str(cell)) if cell is not None else ""
            column = self._header_index.get(fold(text)) if text else None
            if fold(text) == fold(ERROR_HEADER):
                mapped.append(None)
                continue
            if text and column is None:
                message = _("Column %(number)s, “%(name)s”, is not a column of this register.")
                errors.append(RowError(1, text, text, message % {"number": number, "name": text}))
            elif column is not None and column.key in seen:
                errors.append(RowError(1, text, text, _("Column “%(name)s” appears twice.") % {"name": text}))
                column = None
            if column is not None:
                seen.add(column.key)
            mapped.append(column)
        missing = [c.header for c in self.columns if c.key not in seen and c.required]
        errors.extend(
            RowError(1, header, "", _("Column “%(name)s” is missing.") % {"name": header}) for header in missing
        )
        return mapped, errors

    def _choices_text(self, column: Column) -> Callable[[], str]:
        def shown() -> str:
            text = "; ".join(str(label) for _value, label in column.choices)
            return text if len(text) <= 300 else text[:300].rsplit(";", 1)[0] + "; …"

        return shown

    def read_cell(self, column: Column, value, values: dict, units: UnitCache | None):
        kind = column.kind
        if kind == "day":
            return read_day(value)
        if kind == "count":
            return read_count(value)
        if kind == "amount":
            return read_amount(value)
        if kind == "code":
            return read_code(value, lookup=self._lookups[column.key], shown_choices=self._choices_text(column))
        if kind == "codes":
            text = read_text(value, max_length=1000)
            parts = [part for part in LIST_SEPARATORS.split(text) if part]
            lookup, shown = self._lookups[column.key], self._choices_text(column)
            return list(dict.fromkeys(read_code(part, lookup=lookup, shown_choices=shown) for part in parts))
        if kind == "unit":
            if units is None:
                raise CellError(_("Places cannot be read here."))
            return units.read(value, values.get(column.day_from))
        return read_text(value, max_length=column.max_length)

    def read_row(
        self, row: int, cells: dict[str, object], *, units: UnitCache | None = None, memo: dict | None = None
    ) -> RowResult:
        """The values of one row by key, or its errors; dates are read before the places named on them.
        `memo` (one per file) keeps what a cell of a date, code, codes, count or amount column was read
        as, so that a value repeated over many rows is parsed once; a cell in error is read each time."""
        values: dict = {}
        errors: list[RowError] = []
        for column in self._ordered:
            value = cells.get(column.key)
            try:
                if memo is not None and column.kind in _MEMO_KINDS and type(value) in _MEMO_TYPES:
                    key = (column.key, type(value), value)
                    read = memo.get(key, _MISSING)
                    if read is _MISSING:
                        read = self.read_cell(column, value, values, units)
                        if len(memo) < _MEMO_SIZE:
                            memo[key] = read
                    if type(read) is list:
                        read = list(read)
                else:
                    read = self.read_cell(column, value, values, units)
            except CellError as error:
                errors.append(RowError(row, column.header, _shown(value), error.message))
                values[column.key] = None
                continue
            if column.required and read in (None, "", []):
                errors.append(RowError(row, column.header, _shown(value), _("This column must be filled.")))
            values[column.key] = read
        return RowResult(row=row, values=None if errors else values, errors=errors, raw=cells)

    def error_for(self, row: int, key: str, cells: dict, message: str) -> RowError:
        column = self.by_key.get(key)
        header = column.header if column is not None else key
        return RowError(row, header, _shown(cells.get(key)), message)


def validate_rows(
    schema: Schema,
    rows: Iterable[tuple[int, dict]],
    *,
    units: UnitCache | None = None,
    checks: Iterable[Callable[[RowResult], None]] = (),
) -> Iterator[RowResult]:
    """The pipeline: each (row number, cells by key) read through the schema, then through `checks`
    (each may add errors or warnings to the result: duplicates, scope, a date past the reform…); a
    source key seen twice in the file is an error on the second row. Streams: one row at a time."""
    seen_keys: dict[str, int] = {}
    checks = tuple(checks)
    memo: dict = {}
    for row, cells in rows:
        result = schema.read_row(row, cells, units=units, memo=memo)
        key = clean_text(str(cells.get(schema.source_key) or ""))
        if key:
            first = seen_keys.setdefault(key, row)
            if first != row:
                message = _("The number %(key)s is already on row %(row)s.") % {"key": key, "row": first}
                result.errors.append(schema.error_for(row, schema.source_key, cells, message))
        if result.ok:
            for check in checks:
                check(result)
        if result.errors:
            result.values = None
        yield result


def jsonable(values: dict) -> dict:
    """Values as the staged row keeps them in JSON: days ISO, units by id, amounts as text."""
    out = {}
    for key, value in values.items():
        if isinstance(value, date):
            out[key] = value.isoformat()
        elif isinstance(value, Decimal):
            out[key] = str(value)
        elif hasattr(value, "pk") and hasattr(value, "code"):
            out[key] = value.pk
        else:
            out[key] = value
    return out


def parse_amount(text) -> Decimal | None:
    try:
        return None if text in (None, "") else Decimal(str(text))
    except InvalidOperation:
        return None
