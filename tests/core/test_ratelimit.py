"""Rate limits count atomically: with many parallel requests, exactly the allowed number
pass. On Redis (production) and on the in-process cache (one development process)."""

from __future__ import annotations

import os
import threading
import uuid
from typing import Any

import pytest
from django.test import RequestFactory

from core.errors import ApplicationError
from core.ratelimit import rate_limit


def _parallel_passes(attempts: int, rate: str) -> int:
    key = f"nik-hash-{uuid.uuid4()}"
    barrier = threading.Barrier(attempts)
    passed: list[bool] = []

    def attempt() -> None:
        request = RequestFactory().post("/api/v1/holds/")
        barrier.wait()
        try:
            rate_limit(request, group="hold-nik", key=key, rate=rate)
        except ApplicationError as refused:
            assert refused.status_code == 429
            passed.append(False)
        else:
            passed.append(True)

    threads = [threading.Thread(target=attempt) for _ in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(passed)


def test_in_process_limit_lets_exactly_the_allowed_number_through() -> None:
    assert _parallel_passes(40, "10/h") == 10


@pytest.mark.redis
def test_redis_limit_lets_exactly_the_allowed_number_through(settings: Any) -> None:
    settings.CACHES = {
        **settings.CACHES,
        "ratelimit": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        },
    }
    assert _parallel_passes(40, "10/h") == 10
