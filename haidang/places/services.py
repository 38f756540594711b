"""Writes to the administrative map: loading both maps and the crosswalk in one transaction."""

import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Count, ForeignObjectRel, Max, Q

from haidang.common import shared
from haidang.common.text import fold
from haidang.places.models import AdministrativeUnit, UnitLevel, UnitSuccession, UnitType
from haidang.places.sources import NEW_MAP_FROM, OLD_MAP_TO, MapSource, SourceDataError, read_sources
from haidang.places.text import vietnamese_sort_key

NATION_CODE = "VN"
NATION_NAME = "Việt Nam"


class MapInUseError(Exception):
    """A reload was asked for, but records already point at the loaded units."""


@dataclass
class LoadResult:
    loaded: bool  # False: the map was already there and nothing was written
    counts: dict[str, int]
    seconds: float = 0.0
    code_disagreements: list[str] = field(default_factory=list)
    spelling_differences: list[str] = field(default_factory=list)
    package_versions: dict[str, str] = field(default_factory=dict)


def map_counts() -> dict[str, int]:
    """Units per map and level, and crosswalk links, in two queries."""
    counts = {
        "nation": 0,
        "new_provinces": 0,
        "new_communes": 0,
        "old_provinces": 0,
        "old_districts": 0,
        "old_communes": 0,
    }
    names = {
        (UnitLevel.PROVINCE, True): "new_provinces",
        (UnitLevel.COMMUNE, True): "new_communes",
        (UnitLevel.PROVINCE, False): "old_provinces",
        (UnitLevel.DISTRICT, False): "old_districts",
        (UnitLevel.COMMUNE, False): "old_communes",
    }
    rows = AdministrativeUnit.objects.values("level").annotate(
        current=Count("id", filter=Q(valid_to__isnull=True)),
        old=Count("id", filter=Q(valid_to__isnull=False)),
    )
    for row in rows:
        if row["level"] == UnitLevel.NATION:
            counts["nation"] += row["current"] + row["old"]
            continue
        for is_current, number in ((True, row["current"]), (False, row["old"])):
            if number:
                counts[names.get((row["level"], is_current), f"other_{row['level']}")] = number
    counts["successions"] = UnitSuccession.objects.count()
    return counts


def _references_outside_places() -> list[str]:
    """Models of other apps that hold a reference to some unit (their labels), for --reload."""
    found = []
    # include_hidden: the audit log's link to a unit has no reverse name ('+') but counts all the same.
    for relation in AdministrativeUnit._meta.get_fields(include_hidden=True):
        if not isinstance(relation, ForeignObjectRel) or relation.related_model._meta.app_label == "places":
            continue
        model = relation.related_model
        if model._default_manager.filter(**{f"{relation.field.name}__isnull": False}).exists():
            found.append(model._meta.label)
    return sorted(set(found))


def _wipe() -> None:
    # The self-references are PROTECT, so Django's collector would refuse; nothing outside
    # places points here (checked by the caller), so plain table deletes are safe.
    with connection.cursor() as cursor:
        for model in (UnitSuccession, AdministrativeUnit):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608


def load_admin_map(*, reload: bool = False) -> LoadResult:
    """Load the nation root, the 2025 map, the last three-tier map and the crosswalk.

    Idempotent: when the map is there already nothing is read or written (one query). With
    `reload`, the map is rebuilt from the package data, unless other records refer to it.
    """
    started = time.monotonic()
    with transaction.atomic():
        if AdministrativeUnit.objects.filter(level=UnitLevel.NATION, code=NATION_CODE).exists():
            if not reload:
                return LoadResult(loaded=False, counts=map_counts(), seconds=time.monotonic() - started)
            users = _references_outside_places()
            if users:
                raise MapInUseError(", ".join(users))
            _wipe()
        source = read_sources()
        _write(source)
        shared.bump(shared.MAP)  # every process drops the unit lists it kept for scopes
    return LoadResult(
        loaded=True,
        counts=map_counts(),
        seconds=time.monotonic() - started,
        code_disagreements=source.code_disagreements,
        spelling_differences=source.spelling_differences,
        package_versions=source.package_versions,
    )


def _unit(
    pk: int,
    code: str,
    name: str,
    unit_type: str,
    level: int,
    parent: AdministrativeUnit | None,
    valid_from,
    valid_to,
) -> AdministrativeUnit:
    return AdministrativeUnit(
        id=pk,
        code=code,
        name=name,
        name_folded=fold(name),
        sort_key=vietnamese_sort_key(name),
        unit_type=unit_type,
        level=level,
        parent=parent,
        valid_from=valid_from,
        valid_to=valid_to,
        path=f"{parent.path if parent else '/'}{pk}/",
    )


def _common_ancestor(units: list[AdministrativeUnit], by_id: dict[int, AdministrativeUnit]) -> AdministrativeUnit:
    """The lowest unit whose subtree holds all of `units` (the unit itself when there is one)."""
    paths = [u.path.strip("/").split("/") for u in units]
    common = paths[0]
    for path in paths[1:]:
        length = 0
        while length < min(len(common), len(path)) and common[length] == path[length]:
            length += 1
        common = common[:length]
    return by_id[int(common[-1])]


# A map's units by (level, code).
_ByCode = dict[tuple[int, str], AdministrativeUnit]


def _map_units(source: MapSource, next_id: int) -> tuple[list[AdministrativeUnit], _ByCode, _ByCode]:
    """The nation and both maps' units, with ids from `next_id`: (every unit, the new map, the old map)."""
    units: list[AdministrativeUnit] = []

    def add(code, name, unit_type, level, parent, valid_from, valid_to) -> AdministrativeUnit:
        unit = _unit(next_id + len(units), code, name, unit_type, level, parent, valid_from, valid_to)
        units.append(unit)
        return unit

    root = add(NATION_CODE, NATION_NAME, UnitType.NATION, UnitLevel.NATION, None, None, None)
    new: _ByCode = {}
    old: _ByCode = {}
    for rows, index, valid_from, valid_to in (
        (source.new_units, new, NEW_MAP_FROM, None),
        (source.old_units, old, None, OLD_MAP_TO),
    ):
        parent_level = {
            UnitLevel.PROVINCE: None,
            UnitLevel.DISTRICT: UnitLevel.PROVINCE,
            UnitLevel.COMMUNE: UnitLevel.DISTRICT if index is old else UnitLevel.PROVINCE,
        }
        for row in rows:  # parents come before their children in the source lists
            parent = root if row.parent_code is None else index[(parent_level[row.level], row.parent_code)]
            if (row.level, row.code) in index:
                raise SourceDataError(f"Unit code {row.code} appears twice on one map.")
            index[(row.level, row.code)] = add(
                row.code, row.name, row.unit_type, row.level, parent, valid_from, valid_to
            )
    return units, new, old


def _crosswalk(
    source: MapSource, new: _ByCode, old: _ByCode, by_id: dict[int, AdministrativeUnit]
) -> dict[tuple[int, int], UnitSuccession]:
    """The successions of the source's edges, and of each old district to wherever its communes went."""
    successions: dict[tuple[int, int], UnitSuccession] = {}
    district_successors: dict[int, dict[int, AdministrativeUnit]] = defaultdict(dict)
    for edge in source.edges:
        predecessor = old[(edge.old_level, edge.old_code)]
        successor = new[(edge.new_level, edge.new_code)]
        successions[(predecessor.id, successor.id)] = UnitSuccession(
            predecessor=predecessor,
            successor=successor,
            is_default=edge.is_default,
            effective_on=NEW_MAP_FROM,
        )
        if edge.old_level == UnitLevel.COMMUNE:
            district_successors[predecessor.parent.id][successor.id] = successor
        elif edge.old_level == UnitLevel.DISTRICT:
            district_successors[predecessor.id][successor.id] = successor
    # An old district went wherever its communes went.
    for district_id, targets in district_successors.items():
        for successor in targets.values():
            successions.setdefault(
                (district_id, successor.id),
                UnitSuccession(
                    predecessor=by_id[district_id],
                    successor=successor,
                    is_default=len(targets) == 1,
                    effective_on=NEW_MAP_FROM,
                ),
            )
    return successions


def _checked_successors(
    successions: dict[tuple[int, int], UnitSuccession], old: _ByCode
) -> tuple[dict[int, list[AdministrativeUnit]], dict[int, list[AdministrativeUnit]]]:
    """Every old unit has successors; exactly one default below province level. Returns the
    (default successors, all successors) of each old unit's id."""
    defaults: dict[int, list[AdministrativeUnit]] = defaultdict(list)
    targets_of: dict[int, list[AdministrativeUnit]] = defaultdict(list)
    for succession in successions.values():
        targets_of[succession.predecessor.id].append(succession.successor)
        if succession.is_default:
            defaults[succession.predecessor.id].append(succession.successor)
    for unit in old.values():
        if not targets_of.get(unit.id):
            raise SourceDataError(f"The crosswalk has no successor for {unit.name} ({unit.code}).")
        if unit.level in (UnitLevel.PROVINCE, UnitLevel.COMMUNE) and len(defaults[unit.id]) != 1:
            raise SourceDataError(f"{unit.name} ({unit.code}) has {len(defaults[unit.id])} default successors.")
    return defaults, targets_of


def _write(source: MapSource) -> None:
    # Primary keys are assigned here, so paths and placements are known before the insert and
    # every row is written once (bulk inserts, no follow-up updates).
    next_id = (AdministrativeUnit.objects.aggregate(top=Max("id"))["top"] or 0) + 1
    units, new, old = _map_units(source, next_id)
    by_id = {u.id: u for u in units}
    successions = _crosswalk(source, new, old, by_id)
    defaults, targets_of = _checked_successors(successions, old)

    # --- Placement: where records made under each unit count today -----------------------------
    for unit in units:
        if unit.valid_to is None:
            unit.placement = unit
        elif unit.level == UnitLevel.DISTRICT:
            unit.placement = _common_ancestor(targets_of[unit.id], by_id)
        else:
            unit.placement = defaults[unit.id][0]
        unit.placement_path = unit.placement.path

    AdministrativeUnit.objects.bulk_create(units, batch_size=500)
    # PostgreSQL's id sequence does not see explicit ids; move it past them (SQLite: no-op).
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [AdministrativeUnit]):
            cursor.execute(statement)
    UnitSuccession.objects.bulk_create(successions.values(), batch_size=1000)
