"""The pool guard: a process started with GILIRAN_SERVER_POOL=staff or citizen answers
421 Misdirected Request for the other pool's paths (config/server_pools.py), so a proxy
that routes wrongly is found at its first request instead of letting a citizen crowd
into the counters' processes unnoticed. GILIRAN_SERVER_POOL=all (the default) answers
everything."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from config.server_pools import serves

MISDIRECTED = 421


class ServerPoolMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if serves(settings.GILIRAN_SERVER_POOL, request.path):
            return self.get_response(request)
        message = _("This address is served by other servers. Please try again in a moment.")
        if request.path.startswith("/api/"):
            body = {"code": "wrong_server_pool", "message": message, "fields": {}}
            return JsonResponse(body, status=MISDIRECTED)
        return HttpResponse(message, status=MISDIRECTED, content_type="text/plain; charset=utf-8")
