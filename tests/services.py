"""Which real services this test run can reach: PostgreSQL, Redis, Chromium.

A test marked `postgres`, `redis` or `browser` is skipped with the reason when its
service is missing, and fails instead when GILIRAN_REQUIRE_SERVICES=1 (as in .ci/run)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from functools import cache

REQUIRE_SERVICES = os.environ.get("GILIRAN_REQUIRE_SERVICES") == "1"


def chromium_path() -> str | None:
    explicit = os.environ.get("GILIRAN_CHROMIUM")
    if explicit:
        return explicit if os.path.exists(explicit) else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def postgres_missing() -> str | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return f"needs PostgreSQL: set DATABASE_URL=postgres://… (running on {connection.vendor})"
    return None


@cache
def redis_missing() -> str | None:
    url = os.environ.get("REDIS_URL")
    if not url:
        return "needs Redis: set REDIS_URL=redis://…"
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        return f"needs Redis: {url} does not answer ({error})"
    return None


@cache
def chromium_missing() -> str | None:
    if chromium_path() is None:
        return "needs Chromium: install it (apt-get install chromium) or set GILIRAN_CHROMIUM"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "needs the playwright package"
    return None


CHECKS: dict[str, Callable[[], str | None]] = {
    "postgres": postgres_missing,
    "redis": redis_missing,
    "browser": chromium_missing,
}
