"""Private by default, and a second factor before anything for roles that need one."""

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django_otp.middleware import OTPMiddleware
from django_otp.plugins.otp_totp.models import TOTPDevice

from haidang.access.scope import scope_for
from haidang.access.services import has_confirmed_device
from haidang.common.queries import instance_by_pk

# The JSON API authenticates each call with a bearer token; static files and the health
# check carry no data.
PUBLIC_PREFIXES = ("/api/", "/static/", "/healthz")


class PrivateByDefaultMiddleware(LoginRequiredMiddleware):
    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith(PUBLIC_PREFIXES):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class SecondFactorMiddleware(OTPMiddleware):
    """django-otp's middleware, with the session's authenticator app (a TOTP device) read by a kept
    statement: the ORM built and compiled that one-row read again on every signed-in page. Which device
    counts (the user's own, confirmed) is still decided by django-otp. Another kind of device, or a
    django-otp that no longer calls this method (pinned: 1.7.5), reads it django-otp's way."""

    def _device_from_persistent_id(self, persistent_id: str):
        label, _, device_id = self._normalize_persistent_id(persistent_id).rpartition("/")
        a_number = device_id.isascii() and device_id.isdigit() and len(device_id) < 19
        if label != TOTPDevice.model_label() or not a_number:
            return super()._device_from_persistent_id(persistent_id)
        return instance_by_pk(TOTPDevice, int(device_id), key="session-device")


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
