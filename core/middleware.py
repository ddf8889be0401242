from __future__ import annotations

from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class GiliranLocaleMiddleware(LocaleMiddleware):
    """Pages take their language from the address (/ is Bahasa Indonesia, /en/ English).
    The API has no language in its addresses, so there the Accept-Language header
    decides, as integrators expect; without one, Bahasa Indonesia."""

    def process_request(self, request: HttpRequest) -> None:
        if request.path_info.startswith("/api/"):
            translation.activate(translation.get_language_from_request(request))
            request.LANGUAGE_CODE = translation.get_language()
            return
        super().process_request(request)
