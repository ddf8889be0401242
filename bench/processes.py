"""Process, /proc and Redis helpers of the benchmarks that run Celery processes.

bench/reminders.py and bench/national_night.py start a Celery worker (and beat, a fake
gateway) as production does, sample what those processes cost from /proc while they
work, and empty the Redis database that serves as their broker between runs; both take
the same --postgres, --database, --redis and --no-docs options. The endpoint benchmarks
(harness.py) need none of this: gunicorn and wrk report for themselves. Kept in one
place so that both measure CPU and memory the same way.

Linux only: everything here reads /proc.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import re
import signal
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Generic, Self, TypeVar
from urllib.parse import urlsplit

import harness
import psycopg
import redis

# --- The command line -----------------------------------------------------------------

P = TypeVar("P")


@dataclass(frozen=True)
class WorkerOptions(Generic[P]):
    """What a Celery benchmark's command line chose: its parameters (`params`, the full or
    quick preset with the flags given) and the PostgreSQL and Redis it runs against."""

    params: P
    postgres: str
    database: str
    redis: str
    quick: bool
    write_docs: bool
    command: str

    @classmethod
    def from_args(
        cls, args: argparse.Namespace, params: P, script: str, argv: Sequence[str], **extra: Any
    ) -> Self:
        """Refuses a PostgreSQL or Redis off loopback: a benchmark empties both."""
        for url in (args.postgres, args.redis):
            harness.require_loopback(urlsplit(url).hostname or "")
        return cls(
            params=params,
            postgres=args.postgres,
            database=args.database,
            redis=args.redis,
            quick=args.quick,
            write_docs=not (args.quick or args.no_docs),
            command=" ".join([".venv/bin/python", script, *argv]),
            **extra,
        )


# --- Starting and stopping ------------------------------------------------------------


@contextlib.contextmanager
def started(
    command: list[str], env: dict[str, str], log_path: Path, *, stop_seconds: float
) -> Iterator[subprocess.Popen[bytes]]:
    """A process in its own group, its output in log_path, stopped (see `stop()`)
    however the block ends, so no worker outlives a failed or interrupted run."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command,
            cwd=harness.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            # The benchmarks run no thread of their own, so preexec_fn is safe.
            preexec_fn=harness._die_with_parent,
        )
        try:
            yield process
        finally:
            stop(process, stop_seconds)


def stop(process: subprocess.Popen[bytes], timeout: float) -> None:
    """SIGTERM to the process itself, as `docker stop` does: Celery's warm shutdown lets
    its pool finish the running tasks. Whatever of the group is left after `timeout` (a
    task still running, a pool process) gets SIGKILL."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=timeout)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=timeout)


# --- Redis ----------------------------------------------------------------------------

# Only keys that Celery, kombu and the Django cache write may be found in the Redis
# database before it is emptied: anything else belongs to someone else.
OUR_REDIS_KEYS = re.compile(r"^(_kombu\.|celery|unacked|giliran:)")


def flush_redis(url: str) -> None:
    """Empty the broker's database: queued and unacknowledged tasks of an earlier run
    must not run in this one. Refuses a database holding anything not ours."""
    client = redis.Redis.from_url(url, socket_timeout=10)
    try:
        foreign = [
            key
            for key in client.scan_iter(count=1000)
            if not OUR_REDIS_KEYS.match(key.decode(errors="replace"))
        ]
        if foreign:
            raise SystemExit(
                f"bench: {url} holds keys that are not Celery's or Giliran's "
                f"({foreign[:3]!r}…); pick another database with --redis"
            )
        client.flushdb()
    finally:
        client.close()


def redis_version(url: str) -> str:
    client = redis.Redis.from_url(url, socket_timeout=10)
    try:
        return str(client.info("server").get("redis_version", "unknown"))
    finally:
        client.close()


def describe_machine(postgres_url: str, redis_url: str, packages: Sequence[str]) -> dict[str, str]:
    """The machine and the versions a Celery benchmark's figures depend on; `packages`
    are the Python distributions named after Python itself (django, celery, …)."""
    return {
        "nproc": str(harness.usable_cpus()),
        "cpu": harness.cpu_model(),
        "memory": harness.memory_gib(),
        "kernel": platform.release(),
        "postgresql": harness.postgres_version(postgres_url),
        "redis": redis_version(redis_url),
        "python": platform.python_version(),
        **{name: metadata.version(name) for name in packages},
    }


# --- /proc ----------------------------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def proc_stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds) of a process, None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rpartition(")")[2].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def proc_memory(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak RSS) from status, Pss from smaps_rollup; kB."""
    memory = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmRSS:", "VmHWM:")):
                memory[line.split(":")[0]] = int(line.split()[1])
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                memory["Pss"] = int(line.split()[1])
    return memory


def children(parent: int) -> list[int]:
    """The direct children of a process (a Celery worker's pool processes)."""
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            stat = proc_stat(int(entry.name))
            if stat and stat[0] == parent:
                found.append(int(entry.name))
    return found


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / CLOCK_TICKS, sum(values) / CLOCK_TICKS


def postgres_pids(conn: psycopg.Connection[Any], database: str) -> list[int]:
    """The server processes of the other sessions on `database`, whose CPU time the
    benchmark's processes cause (conn's own session left out)."""
    rows = conn.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
        [database],
    ).fetchall()
    return [int(r[0]) for r in rows]
