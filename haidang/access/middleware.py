"""Private by default, and a second factor before anything for roles that need one."""

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.shortcuts import redirect
from django.urls import reverse

from haidang.access.scope import scope_for
from haidang.access.services import has_confirmed_device

# The JSON API authenticates each call with a bearer token; static files and the health
# check carry no data.
PUBLIC_PREFIXES = ("/api/", "/static/", "/healthz")


class PrivateByDefaultMiddleware(LoginRequiredMiddleware):
    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith(PUBLIC_PREFIXES):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class TwoFactorRequiredMiddleware:
    """Until a user who needs two-factor sign-in has proved it, only the two-factor pages open."""

    allowed_url_names = (
        "access:two_factor_verify",
        "access:two_factor_setup",
        "access:logout",
        "set_language",
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path_info.startswith(PUBLIC_PREFIXES)
            and scope_for(user).needs_two_factor
            and not user.is_verified()
        ):
            allowed = {reverse(name) for name in self.allowed_url_names}
            if request.path_info not in allowed:
                target = "access:two_factor_verify" if has_confirmed_device(user) else "access:two_factor_setup"
                return redirect(target)
        return self.get_response(request)
