"""Capability checks for views. Where a record lives is checked by the selectors (404)."""

from functools import wraps

from django.core.exceptions import PermissionDenied

from haidang.access.scope import scope_for


def require_capability(capability: str):
    """403 for a signed-in user whose roles do not grant `capability`."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not scope_for(request.user).can(capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
