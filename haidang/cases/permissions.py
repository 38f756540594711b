"""Capability checks for case pages. Whether a particular case is within reach is the selectors'
answer (out of scope is a 404); these say what kind of work the user's roles allow at all."""

from haidang.access.permissions import require_capability
from haidang.access.roles import Capability, role_can
from haidang.access.scope import scope_for

require_view_cases = require_capability(Capability.VIEW_CASES)
require_edit_cases = require_capability(Capability.EDIT_CASES)


def can_record_intake(user) -> bool:
    return scope_for(user).can(Capability.EDIT_CASES)


def intake_memberships(memberships):
    """The memberships under which the user may record a case (their agency and unit are the defaults)."""
    return [m for m in memberships if role_can(m.role, Capability.EDIT_CASES)]
