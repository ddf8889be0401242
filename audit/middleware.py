from __future__ import annotations

from auditlog.middleware import AuditlogMiddleware
from django.http import HttpRequest

from core.ratelimit import client_address


class AuditMiddleware(AuditlogMiddleware):
    """django-auditlog's middleware, with the client address taken the way the rest of
    Giliran takes it (core.ratelimit.client_address: the trusted proxies' view), never from an
    X-Forwarded-For header any client can write."""

    @staticmethod
    def _get_remote_addr(request: HttpRequest) -> str | None:
        return client_address(request) or None

    @staticmethod
    def _get_remote_port(request: HttpRequest) -> int | None:
        return None
