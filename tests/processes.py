"""Real Celery processes for tests: a worker started as `celery -A config worker`, fed
by a separate process that sends tasks, each with its own environment."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def project_env(**overrides: str) -> dict[str, str]:
    """The test process's environment minus the service URLs, plus `overrides`."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "GILIRAN_VAR_DIR"}
    }
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONUNBUFFERED": "1", **overrides})
    return env


@contextmanager
def celery_worker(
    env: dict[str, str], *, ready_timeout: float = 60
) -> Iterator[subprocess.Popen[str]]:
    """Start a worker and wait until it says it is ready; stop it afterwards."""
    log = Path(env.get("GILIRAN_VAR_DIR", "/tmp")) / "worker.log"
    with open(log, "w") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
             "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + ready_timeout
        while "ready." not in log.read_text():
            if worker.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Celery worker did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield worker
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def send_task(env: dict[str, str], dotted_task: str) -> None:
    """Send a task from another process, as the web process would."""
    module, name = dotted_task.rsplit(".", 1)
    code = f"import django; django.setup(); from {module} import {name}; {name}.delay()"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, timeout=60)


def wait_for(predicate: object, *, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.2)
    return False
