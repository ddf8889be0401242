"""What a hold records of the client that made it, for the anti-calo report (anticalo/):
its network and its device, never its address or its device identifier as such.

- The network is the client's address cut to an IPv4 /24 or an IPv6 /48
  (`client_network`): enough to see many holds coming from one office block, one
  internet café or one hosting provider, too coarse to name a household. UU PDP (No.
  27/2022, art. 16(2)(a)) asks that data be collected limited to its purpose (data
  minimisation); the purpose is spotting
  crowds of holds from one place, which a /24 (256 addresses) or a /48 (a whole site)
  shows as well as the full address would, so the full address is never stored.
- The device is a keyed hash (`core.personal_data.keyed_hash`) of a long-lived random
  cookie that the booking details page sets (`device_cookie_set`), or of the
  `X-Device-Id` header an API client sends; empty when there is neither. The cookie
  holds a random value only, and its keyed hash cannot be turned back into it.

Both are erased with the booking's other personal fields (booking/privacy.py)."""

from __future__ import annotations

import functools
import ipaddress
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from core import personal_data
from core.ratelimit import client_address

IPV4_NETWORK_PREFIX = 24
IPV6_NETWORK_PREFIX = 48
DEVICE_COOKIE = "giliran_perangkat"
DEVICE_HEADER = "X-Device-Id"
# Browsers cap a cookie's lifetime at 400 days.
DEVICE_COOKIE_MAX_AGE = 400 * 24 * 3600
# A longer identifier is cut before hashing: nobody needs more, and it bounds the work.
DEVICE_ID_MAX_LENGTH = 128


@dataclass(frozen=True)
class ClientMark:
    """The client of one hold: its network (`203.0.113.0/24`) and device hash, each
    empty when unknown (a chat, a staff booking, a waiting-list offer)."""

    network: str = ""
    device_hash: str = ""


NO_CLIENT = ClientMark()


def network_of(address: str) -> str:
    """The /24 (IPv4) or /48 (IPv6) that holds `address`, as text; "" if it is none."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return ""
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        parsed = parsed.ipv4_mapped
    prefix = IPV4_NETWORK_PREFIX if parsed.version == 4 else IPV6_NETWORK_PREFIX
    return str(ipaddress.ip_network(f"{parsed}/{prefix}", strict=False))


def client_network(request: HttpRequest) -> str:
    """The network of the client's address, seen through the trusted proxies."""
    return network_of(client_address(request))


def _device_id(request: HttpRequest) -> str:
    value = request.headers.get(DEVICE_HEADER, "") or request.COOKIES.get(DEVICE_COOKIE, "")
    return value.strip()[:DEVICE_ID_MAX_LENGTH]


def device_hash(request: HttpRequest) -> str:
    """The keyed hash of the client's device identifier (header first, then cookie)."""
    device = _device_id(request)
    return personal_data.keyed_hash(f"device:{device}") if device else ""


def client_mark(request: HttpRequest) -> ClientMark:
    return ClientMark(network=client_network(request), device_hash=device_hash(request))


def device_cookie_set(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Give a browser without one its random device cookie (kept across visits)."""
    if not request.COOKIES.get(DEVICE_COOKIE):
        response.set_cookie(
            DEVICE_COOKIE,
            secrets.token_urlsafe(24),
            max_age=DEVICE_COOKIE_MAX_AGE,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    return response


def with_device_cookie(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A view whose answers give a browser without one its device cookie."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return device_cookie_set(request, view(request, *args, **kwargs))

    return wrapped
