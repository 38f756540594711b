"""The one territory rule of every list, export, report and statistic that is filtered by a unit.

A unit filter names a unit on a map date given by its own parameter (`as_of`, default today),
separate from the period the list covers. Records are then selected by their placement through the
crosswalk:

- a **current unit** (of today's map) selects every record placed inside it, whatever the map of
  the record's own date: a 2024 case of the old commune Kim Quan counts in today's Xã Thạch Thất,
  and so does a 2026 case of Xã Thạch Thất itself;
- an **old unit** (of the map before 01/07/2025) selects the records made under it or the units below
  it. The crosswalk is many-to-one (Kim Quan, Liên Quan and others all went into Xã Thạch Thất), so a
  record made after the reform under a current unit cannot be given back to one of the old units that
  went into it: an old unit's territory cannot select records made after its last day. Asking for an
  old unit over a period that reaches past that day is refused (400 naming `unit`), and the answer
  says to compare across the reform on today's units.

Every filter goes through `territory_of` and `Territory.q`; nothing else reads a unit filter.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from haidang.common.dates import format_day
from haidang.places.errors import UnitLookupError
from haidang.places.models import AdministrativeUnit
from haidang.places.selectors import resolve_unit

__all__ = ["API_NOTE", "Territory", "checked", "territory_into", "territory_of"]

# The rule in one paragraph, for the descriptions of API endpoints with a unit filter.
API_NOTE = (
    "`unit` (a code) names the unit valid on `as_of` (ISO date, default today), separately from the period. "
    "A unit of today's map selects every record placed inside it through the crosswalk, including records "
    "made under old units before 01/07/2025. A unit of the old map selects only records made under it or its "
    "units (records dated up to 30/06/2025): records made after the reform cannot be placed in an old unit, so "
    "an old unit with a period reaching past its last day answers 400 naming `unit` — compare across the reform "
    "on today's units."
)


@dataclass(frozen=True)
class Territory:
    """The territory a unit filter selects: the unit, and the map date it was named on."""

    unit: AdministrativeUnit
    as_of: date | None = None  # the day the unit was named on (None: it came as a record, not by code)

    @property
    def is_old(self) -> bool:
        return not self.unit.is_current

    def q(self, field: str = "unit") -> Q:
        """The condition on a record's unit (`field` names the record's foreign key to its unit)."""
        prefix = f"{field}__" if field else ""
        if self.is_old:
            return Q(**{f"{prefix}path__startswith": self.unit.path})
        return Q(**{f"{prefix}placement_path__startswith": self.unit.path})

    @property
    def path(self) -> str:
        return self.unit.path

    def path_of(self, unit: AdministrativeUnit) -> str:
        """Where a record's unit sits in this territory's tree: today's tree (its placement) under a current
        unit, the old tree (its own path) under an old one. Roll-ups find a record's child unit by it."""
        return unit.path if self.is_old else unit.scope_path

    def units(self):
        """The units whose records the territory selects (for queries that join units themselves)."""
        return AdministrativeUnit.objects.filter(self.q(""))

    def covers(self, unit: AdministrativeUnit) -> bool:
        """Whether a record made under `unit` lies in the territory (the same rule as `q`, in Python)."""
        if self.is_old:
            return unit.path.startswith(self.unit.path)
        return unit.scope_path.startswith(self.unit.path)

    def period_error(self, start: date | None, end: date | None) -> str:
        """Why this territory cannot answer for the days from `start` to `end`, or "" when it can.

        Only an old unit has a limit: records made after its last day cannot be placed in it.
        """
        if not self.is_old or (start is None and end is None):
            return ""
        last = self.unit.valid_to
        if (end is None or end > last) or (start is not None and start > last):
            return _(
                "%(unit)s (code %(code)s) is a unit of the map before %(next)s: records made after %(last)s cannot "
                "be placed in it, because the crosswalk merged it with other units. End the period by %(last)s, "
                "or choose a unit of today's map to compare across the reform."
            ) % {
                "unit": self.unit.name,
                "code": self.unit.code,
                "last": format_day(last),
                "next": format_day(date.fromordinal(last.toordinal() + 1)),
            }
        return ""


def territory_of(
    code: str,
    as_of: date | None = None,
    *,
    start: date | None = None,
    end: date | None = None,
    field: str = "unit",
) -> Territory | None:
    """The territory of the unit with `code` on `as_of` (default today), checked against the period from
    `start` to `end`; None for an empty code. Raises a ValidationError on `field` (and `as_of`) naming
    what is wrong: a code no unit had, a unit not valid on `as_of`, or an old unit over a later period."""
    code = (code or "").strip()
    if not code:
        return None
    day = as_of or timezone.localdate()
    try:
        unit = resolve_unit(code, day)
    except UnitLookupError as error:
        raise ValidationError({field: [error.message]}) from None
    return checked(Territory(unit=unit, as_of=day), start=start, end=end, field=field)


def checked(territory: Territory, *, start=None, end=None, field: str = "unit") -> Territory:
    """The territory, or a ValidationError on `field` when it cannot answer for the period."""
    problem = territory.period_error(start, end)
    if problem:
        raise ValidationError({field: [problem]})
    return territory


def territory_into(errors: dict, code: str, as_of: date | None = None, *, start=None, end=None) -> Territory | None:
    """`territory_of`, with what is wrong added to `errors` ({field: [message]}) instead of raised, for
    an API that names every bad filter in one answer."""
    try:
        return territory_of(code, as_of, start=start, end=end)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
        return None
