"""How well addresses are read, measured on the crosswalk itself: every old commune's official full address
("Xã Bình Yên, Huyện Thạch Thất, Thành phố Hà Nội"), read on its last day, should resolve to that commune.

`manage.py check_addresses` and `bench/address_resolution.py` print the share; a test asserts it on a sample.
"""

import time
from collections import Counter
from dataclasses import dataclass, field

from haidang.places.models import AdministrativeUnit, UnitLevel
from haidang.places.resolver import resolve_address


@dataclass
class AddressCheck:
    total: int = 0
    itself: int = 0
    statuses: Counter = field(default_factory=Counter)
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # (address, status, what it gave)
    seconds: float = 0.0

    @property
    def share(self) -> float:
        return self.itself / self.total if self.total else 0.0


def official_address(commune: AdministrativeUnit) -> str:
    """The commune and its parents, nearest first, as an official document writes them."""
    names = [commune.name]
    parent = commune.parent
    while parent is not None and parent.level >= UnitLevel.PROVINCE:
        names.append(parent.name)
        parent = parent.parent
    return ", ".join(names)


def old_communes(every: int = 1):
    units = AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE, valid_to__isnull=False)
    units = units.select_related("parent__parent").order_by("pk")
    return list(units)[::every] if every > 1 else list(units)


def check_old_communes(every: int = 1, keep_misses: int = 50) -> AddressCheck:
    """Read every `every`-th old commune's official full address on its last day."""
    check = AddressCheck()
    started = time.perf_counter()
    for commune in old_communes(every):
        address = official_address(commune)
        found = resolve_address(address, as_of=commune.valid_to)
        check.total += 1
        check.statuses[found.status] += 1
        if found.unit is not None and found.unit.pk == commune.pk:
            check.itself += 1
        elif len(check.misses) < keep_misses:
            check.misses.append((address, found.status, found.unit.name if found.unit else ""))
    check.seconds = time.perf_counter() - started
    return check
