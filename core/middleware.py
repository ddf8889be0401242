from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import translation

from core.errors import ApplicationError


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


class ApplicationErrorPageMiddleware:
    """An ApplicationError that leaves a page view (a date outside what the page can show,
    a rate limit) becomes a translated error page with the error's status, never a 500.
    The API answers through DRF's exception handler and never gets here."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ApplicationError):
            return None
        if request.path_info.startswith("/api/"):
            return JsonResponse(exception.as_dict(), status=exception.status_code)
        template = "429.html" if exception.status_code == 429 else "400.html"
        return render(
            request, template, {"message": exception.message}, status=exception.status_code
        )
