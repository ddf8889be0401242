from __future__ import annotations

import os
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from core.tasks import HEARTBEAT_KEY, heartbeat

pytestmark = pytest.mark.django_db


def test_health_reports_database_cache_and_no_worker_yet(client: Client) -> None:
    body = client.get("/healthz/").json()
    assert body == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "worker_heartbeat_age_seconds": None,
        "message_budget": "ok",
    }


def test_health_reports_the_age_of_the_last_worker_heartbeat(client: Client) -> None:
    heartbeat()  # what the beat-scheduled task does in a worker
    assert cache.get(HEARTBEAT_KEY) <= timezone.now().isoformat()
    assert client.get("/healthz/").json()["worker_heartbeat_age_seconds"] == 0


@pytest.mark.redis
def test_health_on_a_redis_cache(client: Client, settings: Any) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": "giliran-test",
        }
    }
    assert client.get("/healthz/").json()["cache"] == "ok"


def test_unreachable_cache_makes_health_fail_with_503(client: Client, settings: Any) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json()["cache"] == "unavailable"
