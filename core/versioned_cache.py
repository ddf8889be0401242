"""Cached answers that a write makes unreachable: versioned keys in Django's cache.

A cached answer's key carries the versions of what it was computed from (an
office-service's free places, the catalog). A write that changes one of them bumps its
version when its transaction commits (`version_bump_on_commit`), and every entry stored
under the old version is never read again (it ages out of the cache by its timeout).

A version is a random token, set (never incremented) by a bump: a set is atomic on every
backend, the file cache of the embedded setup included, and two bumps racing each other
both leave a token no entry was stored under. A version that is missing (never bumped,
or evicted) is created as a fresh token, so it cannot bring an old entry back.

Readers take the versions BEFORE they read the database: an answer computed from rows
that a write changes meanwhile is stored under the version that write's bump replaces.

Every answer also says until when it holds (`valid_until`), for what changes with time
alone (a hold running out, a day opening); it is served only from the moment it was
computed until then. Should the cache itself fail, the answer is computed, not refused.

Inside a transaction nothing is cached (see `cached_answer`)."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from django.core.cache import cache
from django.db import connection, transaction

logger = logging.getLogger(__name__)

T = TypeVar("T")

# An entry outlives no bump: this only bounds how long one stays when a bump was lost
# (the cache was down at the moment of a commit).
MAX_SECONDS = 600


def _version_key(name: str) -> str:
    return f"version:{name}"


def _new_token() -> str:
    return secrets.token_hex(8)


def versions_read(names: Sequence[str]) -> tuple[str, ...]:
    """The current token of each named version (one round trip when they all exist)."""
    keys = [_version_key(name) for name in names]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            token = _new_token()
            # add() is "set if absent": two first readers agree on one token.
            found[key] = token if cache.add(key, token, timeout=None) else cache.get(key, token)
    return tuple(str(found[key]) for key in keys)


def versions_bump(names: Sequence[str]) -> None:
    """Give each named version a new token now (one round trip)."""
    if names:
        cache.set_many({_version_key(name): _new_token() for name in names}, timeout=None)


def version_bump_on_commit(*names: str) -> None:
    """Bump these versions when the current transaction commits (at once outside one).
    Nothing happens if it rolls back: the rows did not change. A failing cache is
    logged, never raised into a request whose transaction has already committed."""
    transaction.on_commit(lambda: versions_bump(sorted(set(names))), robust=True)


@dataclass(frozen=True)
class Answer(Generic[T]):
    """What a reader computed, with the moments it holds between."""

    value: T
    valid_until: datetime


@dataclass(frozen=True)
class _Entry(Generic[T]):
    computed_at: datetime
    valid_until: datetime
    value: T


def cached_answer(
    *,
    key: str,
    versions: Sequence[str],
    now: datetime,
    compute: Callable[[], Answer[T]],
    max_seconds: int = MAX_SECONDS,
) -> T:
    """The answer stored under `key` and the current tokens of `versions`, if it holds at
    `now`; otherwise `compute()` (which must read the database only after this reads the
    versions, as it does) and store it until its `valid_until`.

    Inside a transaction the answer is computed and neither served from nor stored in
    the cache: it may see the transaction's own writes, which no other request may see
    before they commit (and which a rollback takes back without a bump).

    `max_seconds` may be longer than MAX_SECONDS for an answer whose rows change once a
    night and cost seconds to read (insights): a lost bump then keeps it until then."""
    if connection.in_atomic_block:
        return compute().value
    try:
        tokens = versions_read(versions)
        full_key = f"{key}:{':'.join(tokens)}"
        entry = cache.get(full_key)
    except Exception:  # the cache is down: answer from the database
        logger.exception("versioned cache unavailable for %s", key)
        return compute().value
    if isinstance(entry, _Entry) and entry.computed_at <= now < entry.valid_until:
        return entry.value
    answer = compute()
    seconds = int(min((answer.valid_until - now).total_seconds(), max_seconds))
    if seconds >= 1:
        try:
            cache.set(full_key, _Entry(now, answer.valid_until, answer.value), timeout=seconds)
        except Exception:
            logger.exception("versioned cache unavailable for %s", key)
    return answer.value
