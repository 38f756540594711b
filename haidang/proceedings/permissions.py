"""Capability checks for the register's pages. Whether a particular criminal case is within reach
is the selectors' answer (out of scope is a 404)."""

from haidang.access.permissions import require_capability
from haidang.access.roles import Capability
from haidang.access.scope import scope_for

require_proceedings = require_capability(Capability.MANAGE_PROCEEDINGS)


def can_manage_proceedings(user) -> bool:
    return scope_for(user).can(Capability.MANAGE_PROCEEDINGS)
