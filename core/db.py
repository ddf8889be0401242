"""Database helpers for the few places that take row locks across several rows."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from functools import wraps
from typing import ParamSpec, TypeVar

from django.db import OperationalError, connection
from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError

P = ParamSpec("P")
R = TypeVar("R")

# PostgreSQL's codes for "deadlock detected" and "could not serialize access".
RETRYABLE_SQLSTATES = {"40P01", "40001"}


def _sqlstate(error: OperationalError) -> str | None:
    cause = error.__cause__
    return getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)


def retry_on_deadlock(attempts: int = 3) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Run a writing service again when PostgreSQL aborted it to break a deadlock.

    The services lock in one order, so this is a safety net, not the mechanism. Inside an
    outer transaction nothing can be retried (the whole transaction is void): the error
    then becomes a translated 'try again' instead of a 500."""

    def decorate(service: Callable[P, R]) -> Callable[P, R]:
        @wraps(service)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            for attempt in range(attempts):
                try:
                    return service(*args, **kwargs)
                except OperationalError as error:
                    if _sqlstate(error) not in RETRYABLE_SQLSTATES:
                        raise
                    if connection.in_atomic_block or attempt == attempts - 1:
                        raise ApplicationError(
                            "busy",
                            _("Many people are booking right now. Please try again."),
                            status_code=409,
                        ) from error
                    time.sleep(0.01 * (attempt + 1))
            raise AssertionError("unreachable")

        return run

    return decorate


def _lock_number(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)


def lock_for_keys(keys: Sequence[str]) -> None:
    """Serialise transactions about some things (a citizen and a service, say) until
    commit: a PostgreSQL transaction-level advisory lock on a 64-bit hash of each key,
    taken in the order given, in one round trip (the array is unnested in its order and
    each lock is taken, or waited for, before the next). Callers pass their keys in one
    fixed order. SQLite needs nothing: its IMMEDIATE transactions already run one writer
    at a time."""
    if connection.vendor != "postgresql" or not keys:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_advisory_xact_lock(key)) FROM unnest(%s::bigint[]) AS key",
            [[_lock_number(key) for key in keys]],
        )
