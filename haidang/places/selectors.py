"""Reads of the administrative map: units by code and date, the crosswalk, search.

A code alone is not a unit ("01" is the old and the new Hà Nội); every lookup takes a day.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery

from haidang.common.text import fold
from haidang.places.errors import UnitLookupError, UnitNotValidError, UnknownUnitError
from haidang.places.models import AdministrativeUnit, UnitSuccession

__all__ = [
    "UnitLookupError",
    "UnitNotValidError",
    "UnknownUnitError",
    "ancestors",
    "current_unit_for",
    "predecessors",
    "resolve_unit",
    "search_units",
    "successors",
    "unit_as_of",
    "units_valid_on",
    "units_with_code",
    "valid_on_q",
    "validate_unit_on",
    "with_successions",
]

MAX_QUERY_LENGTH = 100


def valid_on_q(day: date, prefix: str = "") -> Q:
    """Units whose validity covers `day` (open ends count as unbounded)."""
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": day})) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": day})
    )


def _ordered(queryset: QuerySet) -> QuerySet:
    # Level, then Vietnamese alphabetical order; between equal names the current unit first.
    return queryset.order_by("level", "sort_key", F("valid_to").desc(nulls_first=True), "code")


def with_successions(queryset: QuerySet) -> QuerySet:
    """Fetch each unit's crosswalk successors in one extra query (for lists marking old units)."""
    links = UnitSuccession.objects.select_related("successor").order_by(
        "-is_default", "successor__level", "successor__sort_key"
    )
    return queryset.prefetch_related(Prefetch("successions", queryset=links))


def units_valid_on(day: date, level: int | None = None, parent: AdministrativeUnit | str | None = None) -> QuerySet:
    """Units valid on `day`, optionally of one level and/or the children of one unit (or unit code)."""
    queryset = AdministrativeUnit.objects.filter(valid_on_q(day)).select_related("parent")
    if level is not None:
        queryset = queryset.filter(level=level)
    if parent is not None:
        if isinstance(parent, str):
            parent = resolve_unit(parent, day)
        queryset = queryset.filter(parent=parent)
    return _ordered(queryset)


def units_with_code(code: str, *, with_links: bool = False) -> list[AdministrativeUnit]:
    """Every unit that has carried this code, newest first (with their successions if asked)."""
    queryset = (
        AdministrativeUnit.objects.filter(code=code.strip().upper())
        .select_related("parent", "placement")
        .order_by(F("valid_to").desc(nulls_first=True), "level")
    )
    return list(with_successions(queryset) if with_links else queryset)


def resolve_unit(code: str, day: date) -> AdministrativeUnit:
    """The unit with `code` valid on `day`.

    Raises UnknownUnitError when no unit ever had the code, and UnitNotValidError (naming the
    unit's successors, or when it starts) when the code belongs to units of other dates.
    """
    code = (code or "").strip().upper()  # "vn" is "VN"; the other codes are digits
    candidates = units_with_code(code) if code else []
    for unit in candidates:
        if unit.is_valid_on(day):
            return unit
    if not candidates:
        raise UnknownUnitError(code, day)
    # Report the unit nearest in time: the last one that ended before the day, else the first to come.
    ended = [u for u in candidates if u.valid_to is not None and u.valid_to < day]
    if ended:
        unit = max(ended, key=lambda u: u.valid_to)
        raise UnitNotValidError(unit, day, successors(unit))
    unit = min(candidates, key=lambda u: u.valid_from or date.min)
    raise UnitNotValidError(unit, day)


def unit_as_of(code: str, day: date) -> AdministrativeUnit:
    """The unit with `code` valid on `day`, or a UnitLookupError (which is a DoesNotExist)."""
    return resolve_unit(code, day)


def validate_unit_on(unit: AdministrativeUnit, day: date, field: str | None = None) -> None:
    """For forms: a record dated `day` may only name a unit valid on that day.

    Raises a ValidationError (on `field` when given) whose message names the unit's successors.
    """
    if unit.is_valid_on(day):
        return
    later = successors(unit) if unit.valid_to is not None and unit.valid_to < day else []
    error = ValidationError(UnitNotValidError(unit, day, later).message, code="unit_not_valid")
    raise ValidationError({field: error}) if field else error


def successors(unit: AdministrativeUnit) -> list[AdministrativeUnit]:
    """Where the unit went on a reorganisation, default first; each has `is_default`, `effective_on`."""
    return list(
        AdministrativeUnit.objects.filter(predecessions__predecessor=unit)
        .annotate(is_default=F("predecessions__is_default"), effective_on=F("predecessions__effective_on"))
        .order_by("-is_default", "level", "sort_key")
    )


def predecessors(unit: AdministrativeUnit) -> list[AdministrativeUnit]:
    """The old units that (in whole or part) became this unit.

    Each has `is_default`, `effective_on` and `successor_count` (how many units it went to) set.
    """
    # How many units each predecessor went to: 1 means it became part of this unit whole.
    spread = (
        UnitSuccession.objects.filter(predecessor=OuterRef("pk"))
        .order_by()
        .values("predecessor")
        .annotate(n=Count("id"))
        .values("n")
    )
    return list(
        AdministrativeUnit.objects.filter(successions__successor=unit)
        .select_related("parent")
        .annotate(
            is_default=F("successions__is_default"),
            effective_on=F("successions__effective_on"),
            successor_count=Subquery(spread),
        )
        .order_by("level", "sort_key")
    )


def current_unit_for(unit: AdministrativeUnit) -> AdministrativeUnit | None:
    """Where records made under `unit` count today: itself if current, else its placement."""
    if unit.placement_id is None or unit.placement_id == unit.pk:
        return unit if unit.is_current else None
    return unit.placement


def ancestors(unit: AdministrativeUnit) -> list[AdministrativeUnit]:
    """The unit's parent chain from the nation root down to its parent, in one query."""
    ids = [int(part) for part in unit.path.strip("/").split("/") if part][:-1]
    return list(AdministrativeUnit.objects.filter(pk__in=ids).order_by("level"))


def _word_q(word: str) -> Q:
    # A word matches at the start of any word of the folded name ("thach" finds "xa thach that").
    variants = {word, word.replace("’", "'"), word.replace("'", "’")}
    condition = Q()
    for variant in variants:
        condition |= Q(name_folded__startswith=variant) | Q(name_folded__contains=f" {variant}")
    return condition


def search_units(q: str, *, as_of: date | None = None, level: int | None = None) -> QuerySet:
    """Units whose name has every word of `q` as a word prefix, with or without diacritics.

    "thach that" and "Thạch Thất" both find Huyện Thạch Thất and Xã Thạch Thất. A number also
    matches codes by prefix. Without `as_of`, units of every date are searched.
    """
    words = fold(q)[:MAX_QUERY_LENGTH].split()
    if not words:
        return AdministrativeUnit.objects.none()
    condition = Q()
    for word in words:
        condition &= _word_q(word)
    if len(words) == 1 and words[0].isdigit():
        condition |= Q(code__startswith=words[0])
    queryset = AdministrativeUnit.objects.filter(condition).select_related("parent")
    if as_of is not None:
        queryset = queryset.filter(valid_on_q(as_of))
    if level is not None:
        queryset = queryset.filter(level=level)
    return _ordered(queryset)
