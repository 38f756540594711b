"""The one rule for what a user may see.

A user sees records placed under the units of their active memberships, counting only the
memberships whose role grants the capability asked for ("narrowed by role"). Records made
under an old unit count where the crosswalk places them today (`placement_path`), so a 2024
record in the old Thạch Thất district and a 2026 record in its successor commune fall in the
same scope. Every selector that returns records starts from `Scope.filter`.
"""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.db.models.functions import Substr
from django.db.models.lookups import Exact

from haidang.access.models import Membership
from haidang.access.roles import ROLE_CAPABILITIES, role_needs_two_factor
from haidang.common import shared
from haidang.common.lookups import Ids
from haidang.common.queries import ScopeCondition
from haidang.places.models import AdministrativeUnit, UnitLevel
from haidang.places.placing import PlacedRecord


@dataclass(frozen=True)
class ScopeEntry:
    role: str
    unit_id: int
    unit_path: str
    agency_id: object


@dataclass(frozen=True)
class Scope:
    entries: tuple[ScopeEntry, ...] = field(default_factory=tuple)
    # Unit ids per covered paths, capabilities and paths per capability, filled on first use: each is a
    # function of the (frozen) entries alone, and lists ask for them once per row.
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def capabilities(self) -> frozenset[str]:
        found = self._cache.get("capabilities")
        if found is None:
            granted: set[str] = set()
            for entry in self.entries:
                granted |= ROLE_CAPABILITIES.get(entry.role, frozenset())
            found = self._cache["capabilities"] = frozenset(granted)
        return found

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(entry.role for entry in self.entries)

    @property
    def needs_two_factor(self) -> bool:
        return any(role_needs_two_factor(entry.role) for entry in self.entries)

    def can(self, capability: str) -> bool:
        return capability in self.capabilities

    def paths_for(self, capability: str) -> list[str]:
        key = ("paths", capability)
        found = self._cache.get(key)
        if found is None:
            paths = sorted({e.unit_path for e in self.entries if capability in ROLE_CAPABILITIES.get(e.role, ())})
            # A path inside another path adds nothing to the filter.
            found = self._cache[key] = tuple(p for p in paths if not any(p != q and p.startswith(q) for q in paths))
        return list(found)

    def unit_q(self, capability: str, unit_field: str = "unit", model=None, by_path: bool = False) -> Q | None:
        """A filter on `unit_field` for the units this scope covers, or None when it covers none.

        The covered units are resolved to a list of ids first, so the condition is on the record's
        own column: PostgreSQL serves it, and an OR with an explicit share, from indexes instead of
        joining every record to its unit. The list goes to the database as one parameter
        (`__in_ids`, `common.lookups`), and is read once per process and map version
        (`common.shared`): every user of a province shares it. A scope over the whole country
        needs no unit condition at all.

        For a `model` that stores its placement (`places.placing.PlacedRecord`) filtered on its own
        `unit`, a whole province is `placed_province IN (...)` instead of its ~700 unit ids: the same
        rows (the stored placement is the unit's, and the map cannot change under records), one
        parameter to plan instead of a long list, and an index on (placed_province, sort keys).

        `by_path`: the unit's own placement path instead of the list of ids (the same units, `units_under`),
        for records read few at a time by another condition (pending transfers): each is checked through
        its unit, and the list of a province's ~700 ids is never sent nor built into a table.
        """
        units = self.units(capability)
        if units is None:
            return None
        if units is NATIONAL:
            return Q(**{f"{unit_field}__isnull": False})
        if by_path:
            # The path's beginning compared for equality: a bound LIKE pattern makes SQLite prepare the
            # statement again at every run (its LIKE optimisation depends on the value).
            under = Q()
            for path in self.paths_for(capability):
                under |= Q(Exact(Substr(f"{unit_field}__placement_path", 1, len(path)), path))
            return under
        if unit_field == "unit" and model is not None and issubclass(model, PlacedRecord) and units.provinces:
            placed = Q(placed_province_id__in=units.provinces)
            return placed | Q(unit__in_ids=units.others) if units.others else placed
        return Q(**{f"{unit_field}__in_ids": units.ids})

    def units(self, capability: str):
        """What `unit_q` is made of: None (no unit), NATIONAL, or the covered units (`CoveredUnits`), the same
        object for as long as the map and the memberships stay the same (so it can name a kept statement,
        `common.queries.statement`: it decides the condition's shape as well as its values)."""
        paths = self.paths_for(capability)
        if not paths:
            return None
        if any(path.count("/") <= 2 for path in paths):  # "/<nation>/": everything
            return NATIONAL
        return self._unit_ids(tuple(paths))

    def _unit_ids(self, paths: tuple[str, ...]) -> "CoveredUnits":
        cache = self._cache
        if paths not in cache:
            cache[paths] = shared.cached(shared.MAP, ("scope-units", paths), lambda: covered_units(paths))
        return cache[paths]

    def filter(
        self, queryset: QuerySet, capability: str, unit_field: str = "unit", widen=None, by_path: bool = False
    ) -> QuerySet:
        """Narrow `queryset` to this scope; `widen` (a Q, or a list of Qs) adds explicitly shared or
        assigned records; `by_path` as `unit_q`'s."""
        condition = self.unit_q(capability, unit_field, model=queryset.model, by_path=by_path)
        widen = [q for q in ([widen] if isinstance(widen, Q) else widen or []) if q]
        if widen:
            # One OR that lists and counts can still read in parts, each from one index
            # (common.queries.ScopeCondition); a national scope has nothing to split.
            either = Q()
            for q in widen:
                either |= q
            if condition is None:
                condition = either
            elif self.units(capability) is NATIONAL:
                condition = condition | either
            else:
                condition = ScopeCondition(condition, *widen)
        if condition is None:
            return queryset.none()
        return queryset.filter(condition)

    def covers_unit(self, unit, capability: str) -> bool:
        placement_path = unit.scope_path
        return any(placement_path.startswith(path) for path in self.paths_for(capability))


EMPTY_SCOPE = Scope()
NATIONAL = "national"  # a scope over the whole country: no unit condition


@dataclass(frozen=True, eq=False)  # compared by identity: it names kept statements
class CoveredUnits:
    """The units a scope's paths cover, as the two shapes of condition need them."""

    ids: Ids  # every unit placed under the paths (old units through the crosswalk)
    provinces: tuple[int, ...]  # whole provinces, for records that store their placement
    others: Ids  # the units under the other paths (communes)


def units_under(paths: tuple[str, ...]) -> Ids:
    """Ids of the units placed under any of `paths` (old units through the crosswalk)."""
    covered = Q()
    for path in paths:
        covered |= Q(placement_path__startswith=path)
    return Ids(AdministrativeUnit.objects.filter(covered).order_by("pk").values_list("pk", flat=True))


def covered_units(paths: tuple[str, ...]) -> CoveredUnits:
    whole = {path: _whole_province(path) for path in paths}
    provinces = tuple(sorted(province for province in whole.values() if province is not None))
    others = tuple(path for path, province in whole.items() if province is None)
    return CoveredUnits(ids=units_under(paths), provinces=provinces, others=units_under(others) if others else Ids(()))


def _whole_province(path: str) -> int | None:
    """The province at `path` when every unit placed under it stores that province as its records'
    `placed_province` (places.placing: placed in the province itself or in one of its communes), else None.
    On today's two-tier map that is every province; the check keeps the two conditions the same rows
    on any other map (a district level, a unit placed without its placement)."""
    if path.count("/") != 3:  # "/<nation>/<province>/"
        return None
    province = int(path.strip("/").split("/")[-1])
    if not AdministrativeUnit.objects.filter(pk=province, level=UnitLevel.PROVINCE).exists():
        return None
    elsewhere = AdministrativeUnit.objects.filter(placement_path__startswith=path).exclude(
        Q(placement_id=province) | Q(placement__level=UnitLevel.COMMUNE, placement__parent_id=province)
    )
    return None if elsewhere.exists() else province


def scope_for(user) -> Scope:
    """The user's scope, computed once per request (cached on the user object)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return EMPTY_SCOPE
    cached = getattr(user, "_haidang_scope", None)
    if cached is not None:
        return cached
    # Kept in the process until memberships or agencies change anywhere (common.shared ACCESS) or
    # the map is reloaded (unit paths): the membership query is not repeated on every request.
    scope = shared.cached((shared.ACCESS, shared.MAP), ("scope", user.pk), lambda: _read_scope(user))
    user._haidang_scope = scope
    return scope


def _read_scope(user) -> Scope:
    rows = (
        Membership.objects.filter(user=user, is_active=True, agency__is_active=True)
        .select_related("unit")
        .order_by("created_at")
    )
    return Scope(
        tuple(
            ScopeEntry(
                role=m.role,
                unit_id=m.unit_id,
                unit_path=m.unit.scope_path,
                agency_id=m.agency_id,
            )
            for m in rows
        )
    )
