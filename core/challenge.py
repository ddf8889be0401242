"""A self-hosted, accessible challenge for clients that trip the soft limits: no third
party, no puzzle (WCAG 2.2 SC 3.3.8). It costs a bot time, not a person thought.

A challenge is a signed token naming a random prefix, a difficulty and the client's
rate-limit bucket. It is solved either by proof of work, a number n such that
SHA-256("<prefix>:<n>") starts with `difficulty_bits` zero bits (static/js/challenge.js
finds it in the browser in about a second), or, without JavaScript, by simply sending
"wait" once `wait_seconds` have passed since it was issued. Each token works once, for
the client it was issued to, within CHALLENGE_MAX_AGE seconds."""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import caches
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import is_ratelimited

from core import personal_data
from core.errors import ApplicationError
from core.ratelimit import client_ip

SIGNING_SALT = "giliran.challenge"
CHALLENGE_MAX_AGE = 600
WAIT = "wait"
TOKEN_HEADER = "X-Giliran-Challenge"  # noqa: S105 (a header name)
SOLUTION_HEADER = "X-Giliran-Challenge-Solution"


def _client_tag(client: str) -> str:
    return personal_data.keyed_hash(f"challenge:{client}")[:16]


def challenge_new(*, client: str) -> dict[str, Any]:
    """A fresh challenge for `client` (its rate-limit bucket), as the API shows it."""
    prefix = secrets.token_hex(12)
    bits = settings.GILIRAN_CHALLENGE_BITS
    token = signing.dumps(
        {"p": prefix, "b": bits, "c": _client_tag(client), "t": int(time.time())},
        salt=SIGNING_SALT,
        compress=True,
    )
    return {
        "token": token,
        "algorithm": "SHA-256",
        "prefix": prefix,
        "difficulty_bits": bits,
        "wait_seconds": settings.GILIRAN_CHALLENGE_WAIT_SECONDS,
    }


def leading_zero_bits(digest: bytes) -> int:
    bits = 0
    for byte in digest:
        if byte:
            return bits + 8 - byte.bit_length()
        bits += 8
    return bits


def _required(client: str) -> ApplicationError:
    return ApplicationError(
        "challenge_required",
        _(
            "Many requests came from your connection. "
            "To protect the quota from bots, please confirm you are here."
        ),
        status_code=429,
        extra={"challenge": challenge_new(client=client)},
    )


def challenge_verify(*, token: str, solution: str, client: str) -> None:
    """Accept a solved challenge once; raise ApplicationError otherwise (with a new
    challenge, or, for an early "wait", the same one and the seconds left)."""
    try:
        data = signing.loads(token, salt=SIGNING_SALT, max_age=CHALLENGE_MAX_AGE)
        prefix, bits, tag, issued = str(data["p"]), int(data["b"]), str(data["c"]), int(data["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise _required(client) from None
    if tag != _client_tag(client):
        raise _required(client)
    solution = solution.strip()
    if solution == WAIT:
        left = issued + settings.GILIRAN_CHALLENGE_WAIT_SECONDS - int(time.time())
        if left > 0:
            challenge = {
                "token": token,
                "algorithm": "SHA-256",
                "prefix": prefix,
                "difficulty_bits": bits,
                "wait_seconds": left,
            }
            raise ApplicationError(
                "challenge_wait",
                _("Please wait a few more seconds, then press the button again."),
                status_code=429,
                extra={"challenge": challenge},
            )
    elif (
        not (solution.isdigit() and len(solution) <= 20)
        or leading_zero_bits(hashlib.sha256(f"{prefix}:{solution}".encode()).digest()) < bits
    ):
        raise _required(client)
    if not caches[settings.RATELIMIT_USE_CACHE].add(
        f"challenge-used:{prefix}", 1, timeout=CHALLENGE_MAX_AGE + 60
    ):
        raise _required(client)  # each solution works once


def challenge_gate(request: HttpRequest, *, token: str, solution: str) -> None:
    """Let the request through while its client is under GILIRAN_CHALLENGE_AFTER; beyond
    it, only with a solved challenge (one per request). Call before the per-address hard
    limits, which still apply."""
    client = client_ip(request)
    if not is_ratelimited(
        request,
        group="challenge",
        key=lambda _group, _request: client,
        rate=settings.GILIRAN_CHALLENGE_AFTER,
        increment=True,
    ):
        return
    if not token:
        raise _required(client)
    challenge_verify(token=token, solution=solution, client=client)
