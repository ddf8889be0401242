"""Real processes for tests: Celery workers and beat started as `celery -A config …`, a
process that sends tasks, and a private redis-server, each with its own environment.

Every starter is a context manager that stops what it started, even when the test
fails, so no worker outlives its test database."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REDIS_SERVER = "/usr/bin/redis-server"


def project_env(**overrides: str) -> dict[str, str]:
    """The test process's environment minus the service URLs, plus `overrides`."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "GILIRAN_VAR_DIR"}
    }
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONUNBUFFERED": "1", **overrides})
    return env


def _log_dir(env: dict[str, str]) -> Path:
    return Path(env.get("GILIRAN_VAR_DIR", "/tmp"))


def stop_process(process: subprocess.Popen[str], *, timeout: float = 20) -> None:
    """Ask politely (SIGTERM: a worker finishes its task), then insist (SIGKILL, on the
    whole process group if it leads one, so no pool process is left behind)."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        if os.getpgid(process.pid) == process.pid:
            kill_group(process)
        else:
            process.kill()
            process.wait()


def _wait_for_log(process: subprocess.Popen[str], log: Path, marker: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while marker not in log.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{log.stem} did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)


@contextmanager
def _celery(
    env: dict[str, str], args: list[str], *, name: str, ready_marker: str, ready_timeout: float
) -> Iterator[subprocess.Popen[str]]:
    """Run `celery -A config <args>` logging to <GILIRAN_VAR_DIR>/<name>.log."""
    log = _log_dir(env) / f"{name}.log"
    with open(log, "w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", *args],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own process group: see kill_group
        )
    try:
        _wait_for_log(process, log, ready_marker, ready_timeout)
        yield process
    finally:
        stop_process(process)


@contextmanager
def celery_worker(
    env: dict[str, str],
    *,
    ready_timeout: float = 60,
    pool: str = "solo",
    concurrency: int = 1,
    name: str = "worker",
) -> Iterator[subprocess.Popen[str]]:
    """Start a worker and wait until it says it is ready; stop it afterwards.

    With `pool="prefork"` (as in production) tasks run in a child process."""
    args = [
        "worker",
        f"--pool={pool}",
        f"--concurrency={concurrency}",
        f"--hostname={name}@%h",
        "--loglevel=INFO",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    with _celery(
        env, args, name=name, ready_marker="ready.", ready_timeout=ready_timeout
    ) as worker:
        yield worker


@contextmanager
def celery_beat(
    env: dict[str, str], *, ready_timeout: float = 60, name: str = "beat"
) -> Iterator[subprocess.Popen[str]]:
    """Start a beat process with its own schedule file (two can run side by side)."""
    schedule = _log_dir(env) / f"{name}-schedule"
    args = ["beat", f"--schedule={schedule}", "--loglevel=INFO"]
    with _celery(
        env, args, name=name, ready_marker="beat: Starting", ready_timeout=ready_timeout
    ) as beat:
        yield beat


def kill_group(process: subprocess.Popen[str]) -> None:
    """SIGKILL a process started here and everything it forked (a worker and its pool),
    as the OOM killer or a lost machine would: no cleanup, no goodbye."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def kill_now(pid: int) -> bool:
    """SIGKILL `pid`: no cleanup, no goodbye. False if it had already gone."""
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return False
    return True


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def redis_answers(port: int) -> bool:
    import redis

    try:
        return bool(redis.Redis(port=port, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@contextmanager
def redis_server(
    directory: Path, port: int, *, timeout: float = 30
) -> Iterator[subprocess.Popen[str]]:
    """A private redis-server without persistence: what it holds dies with it."""
    log = directory / f"redis-{port}.log"
    with open(log, "a") as out:
        where = ["--port", str(port), "--bind", "127.0.0.1", "--dir", str(directory)]
        no_persistence = ["--save", "", "--appendonly", "no"]
        server = subprocess.Popen(
            [REDIS_SERVER, *where, *no_persistence],
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
    try:
        answering = wait_for(
            lambda: server.poll() is not None or redis_answers(port), timeout=timeout
        )
        if not answering or server.poll() is not None:
            raise RuntimeError(f"redis-server did not start:\n{log.read_text()[-3000:]}")
        yield server
    finally:
        stop_process(server)


def send_task(env: dict[str, str], dotted_task: str) -> None:
    """Send a task from another process, as the web process would."""
    module, name = dotted_task.rsplit(".", 1)
    code = f"import django; django.setup(); from {module} import {name}; {name}.delay()"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, timeout=60)


def wait_for(predicate: Callable[[], object], *, timeout: float = 30, every: float = 0.2) -> bool:
    """Poll `predicate` until it is true or `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return False
