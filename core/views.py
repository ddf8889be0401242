"""Cross-cutting views: health for load balancers, error pages, and the benchmark's
bare Django view."""

from __future__ import annotations

from datetime import datetime

from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.message_budget import message_budget_alarm
from core.tasks import HEARTBEAT_KEY


def health(request: HttpRequest) -> JsonResponse:
    """200 when the database and the cache answer; reports the last worker heartbeat."""
    checks: dict[str, object] = {}
    healthy = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:
        checks["database"] = "unavailable"
        healthy = False
    try:
        cache.set("health-probe", "1", timeout=10)
        checks["cache"] = "ok" if cache.get("health-probe") == "1" else "unavailable"
    except Exception:
        checks["cache"] = "unavailable"
    if checks["cache"] != "ok":
        healthy = False
    last_beat = cache.get(HEARTBEAT_KEY) if checks["cache"] == "ok" else None
    checks["worker_heartbeat_age_seconds"] = (
        round((timezone.now() - datetime.fromisoformat(last_beat)).total_seconds())
        if last_beat
        else None
    )
    # Not a reason to take this process out of the balancer, but an alarm to act on.
    try:
        alarm = message_budget_alarm()
        checks["message_budget"] = "spent" if alarm else "ok"
    except Exception:
        alarm = None
        checks["message_budget"] = "unknown"  # its cache does not answer
    if alarm:
        checks["message_budget_alarm"] = alarm
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503
    )


def hello(request: HttpRequest) -> JsonResponse:
    """The baseline for bench/: the least a Django view can do in the same server."""
    return JsonResponse({"hello": "world"})


def rate_limited(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = _("Too many attempts. Please wait a while and try again.")
    if _wants_json(request):
        return JsonResponse({"code": "rate_limited", "message": message, "fields": {}}, status=429)
    return render(request, "429.html", {"message": message}, status=429)


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's own refusals (a body past DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields, a
    bad Host…): the API's error shape, or a translated page, instead of Django's bare HTML."""
    if isinstance(exception, RequestDataTooBig):
        code, status, message = "too_large", 413, _("The request body is too large.")
    else:
        code, status, message = "bad_request", 400, _("The request could not be understood.")
    if _wants_json(request):
        return JsonResponse({"code": code, "message": message, "fields": {}}, status=status)
    return render(request, "400.html", {"message": message}, status=status)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(
            {"code": "not_found", "message": _("Not found."), "fields": {}}, status=404
        )
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(
            {
                "code": "server_error",
                "message": _("Something went wrong on our side. Please try again."),
                "fields": {},
            },
            status=500,
        )
    return render(request, "500.html", status=500)
