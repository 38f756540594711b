"""Capability checks for the prevention pages. Where a record lives is checked by the selectors (404)."""

from functools import wraps

from django.core.exceptions import PermissionDenied

from haidang.access.permissions import require_capability
from haidang.access.roles import Capability
from haidang.access.scope import scope_for

# Lists, records and forms: the people who record prevention work.
require_prevention = require_capability(Capability.MANAGE_PREVENTION)

SUMMARY_CAPABILITIES = (Capability.MANAGE_PREVENTION, Capability.VIEW_STATISTICS)


def can_manage_prevention(user) -> bool:
    return scope_for(user).can(Capability.MANAGE_PREVENTION)


def can_see_summaries(user) -> bool:
    """Summaries are aggregates: prevention staff and holders of statistics rights (analysts) see them."""
    scope = scope_for(user)
    return any(scope.can(capability) for capability in SUMMARY_CAPABILITIES)


def require_summaries(view):
    """403 for a signed-in user who may neither record prevention work nor see statistics."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can_see_summaries(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
