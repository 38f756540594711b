"""Vietnamese unless the user chose otherwise."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


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
