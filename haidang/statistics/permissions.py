"""Who may see statistics and who may let figures out. Where a release lives is checked by the selectors (404)."""

from haidang.access.permissions import require_capability
from haidang.access.roles import Capability
from haidang.access.scope import scope_for
from haidang.places.models import UnitLevel

VIEW = Capability.VIEW_STATISTICS
RELEASE = Capability.RELEASE_STATISTICS

# Dashboards, pivots and drafting releases: aggregates only.
require_statistics = require_capability(VIEW)


def _covers(user, unit, capability: str) -> bool:
    scope = scope_for(user)
    if unit is None or unit.level == UnitLevel.NATION:
        # The whole country needs a membership at the nation itself.
        return any(path.count("/") <= 2 for path in scope.paths_for(capability))
    return scope.covers_unit(unit, capability)


def can_prepare_release(user, unit) -> bool:
    """Drafting a release reads the figures of its area: statistics rights over all of it."""
    return _covers(user, unit, VIEW)


def can_release(user, unit) -> bool:
    """Approving, publishing and withdrawing: the right to release statistics over the whole area."""
    return _covers(user, unit, RELEASE)


def can_release_anything(user) -> bool:
    return scope_for(user).can(RELEASE)
