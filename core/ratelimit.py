"""Atomic rate limits (django-ratelimit on the cache: Redis in production) that raise the
application's own error, so pages and the API answer 429 in the user's language."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import is_ratelimited

from core.errors import ApplicationError


def rate_limit(request: HttpRequest, *, group: str, key: str, rate: str) -> None:
    """Count this request against `key` (an IP, or a keyed hash: never a raw NIK)."""
    if is_ratelimited(
        request, group=group, key=lambda _group, _request: key, rate=rate, increment=True
    ):
        raise ApplicationError(
            "rate_limited",
            _("Too many attempts. Please wait a while and try again."),
            status_code=429,
        )


def client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")
