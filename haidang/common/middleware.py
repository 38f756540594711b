"""Request-wide rules: Vietnamese unless the user chose otherwise; no NUL characters in a request."""

import time

from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    """Pages use the language the user picked (cookie), else Vietnamese; the API follows the
    caller's Accept-Language, else Vietnamese.

    The browser's Accept-Language is ignored on purpose: many officials' computers run an
    English browser, and the system must still open in Vietnamese for them.
    """

    def process_request(self, request):
        if request.path_info.startswith("/api/"):
            # Other systems ask for a language deliberately; honour their Accept-Language.
            code = translation.get_language_from_request(request)
        else:
            code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
            if code not in dict(settings.LANGUAGES):
                code = settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = translation.get_language()


class RejectNulMiddleware:
    """A NUL character in the path or a query parameter is refused with 400, naming the parameter.

    No text a person types contains one, PostgreSQL cannot store or compare one, and a lookup with
    one would fail as a server error. Bodies are checked where they are read: forms by Django's
    own validator, API inputs by `common.schemas.CleanSchema`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        fields = {
            key: [_("Enter valid text of the allowed length.")]
            for key, value in request.GET.lists()
            if "\x00" in key or any("\x00" in item for item in value)
        }
        if "\x00" in request.path_info:
            fields["path"] = [_("Enter valid text of the allowed length.")]
        if not fields:
            return self.get_response(request)
        message = _("The request has invalid values.")
        if request.path_info.startswith("/api/"):
            body = {"error": {"code": "invalid", "message": str(message), "fields": fields}}
            return JsonResponse(body, status=400)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


REFRESHED_AT = "_haidang_refreshed_at"


class SlidingSessionMiddleware:
    """The idle timeout slides with activity, with the session written at most once a minute.

    Django's SESSION_SAVE_EVERY_REQUEST wrote the session row on every request (a write per page
    view, serialised on SQLite). Here a signed-in session is marked for saving only when its last
    save is SESSION_REFRESH_SECONDS old or more; each save sets the expiry SESSION_COOKIE_AGE
    (30 minutes) ahead. So a session ends between 29 and 30 minutes after the last request: never
    later than the idle limit, at most a minute earlier. Placed right after SessionMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty() or getattr(session, "_session_cache", None) is None:
            return response  # nobody signed in, or the session was never read
        now = int(time.time())
        refreshed = session.get(REFRESHED_AT, 0)
        if session.modified or now - refreshed >= settings.SESSION_REFRESH_SECONDS:
            session[REFRESHED_AT] = now  # marks it modified: SessionMiddleware saves it
        return response


class NoStoreMiddleware:
    """Every answer of the application itself (pages, API, downloads) is `Cache-Control: private, no-store`.

    Pages and API answers hold victims' data, and a shared office computer or a proxy must not keep a
    copy. Static files are served above this middleware (WhiteNoise) and keep their long cache life.
    A view that means to be cached by anyone says `public` itself and is left alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "public" not in response.get("Cache-Control", ""):
            patch_cache_control(response, private=True, no_store=True)
        return response
