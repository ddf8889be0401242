"""Atomic rate limits (django-ratelimit on the cache: Redis in production) that raise the
application's own error, so pages and the API answer 429 in the user's language; and the
client's address behind the trusted proxies, shared with django-axes."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import is_ratelimited

from core import personal_data
from core.errors import ApplicationError

# An ISP gives one customer a whole IPv6 /64 (RFC 6177), so one citizen can take a new
# address in it for every request: rate limits count the /64.
IPV6_BUCKET_PREFIX = 64


def rate_limit(request: HttpRequest | None, *, group: str, key: str, rate: str) -> None:
    """Count this request against `key` (an IP, or a keyed hash: never a raw NIK). A
    caller with no HTTP request (a chat message taken from a webhook's body) passes None:
    the count is the key's alone."""
    if is_ratelimited(
        request or HttpRequest(),
        group=group,
        key=lambda _group, _request: key,
        rate=rate,
        increment=True,
    ):
        raise ApplicationError(
            "rate_limited",
            _("Too many attempts. Please wait a while and try again."),
            status_code=429,
        )


def rate_limit_code_send(request: HttpRequest, *, contact: str) -> None:
    """The limits on sending a one-time code: per contact (keyed hash, never the address
    itself) and per client, so one client cannot make Giliran text many numbers."""
    rate_limit(
        request,
        group="code-ip",
        key=client_ip(request),
        rate=settings.GILIRAN_RATE_CODE_PER_IP,
    )
    rate_limit(
        request,
        group="code-contact",
        key=personal_data.keyed_hash(contact),
        rate=settings.GILIRAN_RATE_CODE_PER_CONTACT,
    )


def client_address(request: HttpRequest) -> str:
    """The client's own address, seen through GILIRAN_TRUSTED_PROXY_COUNT proxies.

    Each trusted proxy appends the address it received the request from to
    X-Forwarded-For, so the client is that many entries from the right; anything left of
    it was written by the client and is ignored. A missing or malformed entry falls back
    to REMOTE_ADDR (the nearest proxy), which is never a fresh bucket for an attacker."""
    remote = _valid(request.META.get("REMOTE_ADDR", "")) or ""
    hops = settings.GILIRAN_TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [entry for entry in forwarded if entry]
    if len(forwarded) < hops:
        return remote
    return _valid(forwarded[-hops]) or remote


def client_ip(request: HttpRequest) -> str:
    """The rate-limit bucket of the client: its IPv4 address, or its IPv6 /64."""
    address = client_address(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        host_bits = 128 - IPV6_BUCKET_PREFIX
        network = int(parsed) >> host_bits << host_bits  # drops any %scope, too
        return str(ipaddress.IPv6Network((network, IPV6_BUCKET_PREFIX)))
    return str(parsed)


def axes_client_ip(request: HttpRequest) -> str:
    """django-axes' AXES_CLIENT_IP_CALLABLE: the same address as the rate limits."""
    return client_address(request)


def _valid(entry: str) -> str | None:
    try:
        return str(ipaddress.ip_address(entry))
    except ValueError:
        return None
