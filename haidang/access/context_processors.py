from haidang.access.scope import scope_for


def access(request):
    """The signed-in user's capabilities, for menus (each view still checks on its own)."""
    user = getattr(request, "user", None)
    return {"user_capabilities": scope_for(user).capabilities if user is not None else frozenset()}
