"""The additive relations between the cells of a release, derived from the structure: categories
of a breakdown sum to the row total, child units to their parent, sub-periods to the period."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from haidang.statistics.disclosure.cells import Key, Kind, Relation, Structure


def derive_relations(keys: Iterable[Key], structure: Structure) -> list[Relation]:
    """Every additive relation among `keys` that the structure implies.

    A relation is kept when at least one of its parts is among `keys`; its other parts may be
    absent (cells nobody published): they enter the audit as unknowns.
    """
    keys = set(keys)
    relations: list[Relation] = []
    seen: set[tuple] = set()

    def add(total: Key, parts: list[Key], kind: str) -> None:
        if not parts or not (total in keys or any(part in keys for part in parts)):
            return
        if not any(part in keys for part in parts):
            return
        signature = (total, tuple(parts))
        if signature not in seen:
            seen.add(signature)
            relations.append(Relation(total, tuple(parts), kind))

    for key in sorted(keys):
        # Categories of a breakdown add up to the row total.
        if not key.is_total and key.variable in structure.categories:
            total = Key.total(key.measure, key.row, key.period)
            parts = [Key(key.measure, key.row, key.variable, c, key.period) for c in structure.categories[key.variable]]
            add(total, parts, Kind.CATEGORY)
    parents = {child: parent for parent, children in structure.row_children.items() for child in children}
    containers: dict[str, list[tuple[str, Sequence[str]]]] = defaultdict(list)
    for whole, tilings in structure.period_parts.items():
        for tiling in tilings:
            for part in tiling:
                containers[part].append((whole, tiling))
    for key in sorted(keys):
        for row in {key.row, parents.get(key.row)} - {None}:
            if row in structure.row_children:
                parts = [
                    Key(key.measure, child, key.variable, key.category, key.period)
                    for child in structure.row_children[row]
                ]
                add(Key(key.measure, row, key.variable, key.category, key.period), parts, Kind.HIERARCHY)
        tilings = [(key.period, t) for t in structure.period_parts.get(key.period, ())] + containers.get(key.period, [])
        for whole, tiling in tilings:
            parts = [Key(key.measure, key.row, key.variable, key.category, p) for p in tiling]
            add(Key(key.measure, key.row, key.variable, key.category, whole), parts, Kind.PERIOD)
    return relations
