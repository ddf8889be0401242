"""A real worker process runs a task sent by another process: on the embedded
filesystem broker that `make run` uses, and on Redis as in production."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache

from core.tasks import HEARTBEAT_KEY
from tests.processes import celery_worker, project_env, send_task, wait_for


def test_embedded_broker_carries_a_task_to_a_worker_process(tmp_path: Path) -> None:
    env = project_env(
        GILIRAN_VAR_DIR=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3"
    )
    cache = FileBasedCache(str(tmp_path / "cache"), {})
    with celery_worker(env):
        send_task(env, "core.tasks.heartbeat")
        assert wait_for(lambda: cache.get(HEARTBEAT_KEY) is not None), (
            tmp_path / "worker.log"
        ).read_text()


@pytest.mark.redis
def test_redis_broker_carries_a_task_to_a_worker_process(tmp_path: Path) -> None:
    url = os.environ["REDIS_URL"]
    cache = RedisCache(url, {"KEY_PREFIX": "giliran"})
    cache.delete(HEARTBEAT_KEY)
    env = project_env(
        GILIRAN_VAR_DIR=str(tmp_path),
        REDIS_URL=url,
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
    )
    with celery_worker(env):
        send_task(env, "core.tasks.heartbeat")
        assert wait_for(lambda: cache.get(HEARTBEAT_KEY) is not None), (
            tmp_path / "worker.log"
        ).read_text()
