"""Processes a benchmark starts (servers, Celery workers, beat), what they cost, and Redis.

Every process runs in its own group with its output in a log, is stopped however the
block ends, and gets SIGTERM from the kernel if the benchmark itself is killed outright.
CPU and memory come from /proc (Linux only).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import psycopg
import redis

BASE_DIR = Path(__file__).resolve().parents[2]
STOP_SECONDS = 30.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def die_with_parent() -> None:
    """In the child before exec: PR_SET_PDEATHSIG, so no server outlives a killed run.
    preexec_fn is unsafe only with threads: every benchmark starts its servers and
    workers before any thread of its own."""
    ctypes.CDLL(None).prctl(1, signal.SIGTERM)


@contextlib.contextmanager
def started(
    command: list[str], env: dict[str, str], log: Path, *, group_stop: bool = False
) -> Iterator[subprocess.Popen[bytes]]:
    """The process until the block ends. Stopping sends SIGTERM to the process itself
    (Celery's warm shutdown finishes running tasks), or to its whole group when
    `group_stop` (gunicorn's workers); SIGKILL to whatever of the group is left after
    STOP_SECONDS."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        process = subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=die_with_parent,
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    if group_stop:
                        os.killpg(process.pid, signal.SIGTERM)
                    else:
                        process.send_signal(signal.SIGTERM)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=STOP_SECONDS)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=STOP_SECONDS)


@contextlib.contextmanager
def celery(
    env: dict[str, str], log: Path, *, beat: bool = False, concurrency: int = 2
) -> Iterator[subprocess.Popen[bytes]]:
    """A worker as production runs it (compose.yaml), or beat; yields once it is ready."""
    if beat:
        schedule = log.with_suffix(".schedule")
        command = ["beat", "--loglevel=INFO", f"--schedule={schedule}"]
    else:
        command = [
            "worker",
            "--loglevel=INFO",
            "--pool=prefork",
            f"--concurrency={concurrency}",
            "--without-gossip",
            "--without-mingle",
            f"--hostname=bench-{log.stem}@%h",
        ]
    with started([sys.executable, "-m", "celery", "--app=config", *command], env, log) as process:
        deadline = time.monotonic() + 60
        ready = "beat: Starting" if beat else "ready."
        while ready not in log.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"bench: celery {command[0]} did not start; see {log}")
            time.sleep(0.2)
        yield process


# Only keys Celery, kombu, the Django cache and the waiting room's store (releases/store.py)
# write may be in the Redis database before it is emptied: anything else belongs to
# someone else.
OUR_REDIS_KEYS = re.compile(r"^(_kombu\.|celery|unacked|giliran:|wr:)")


def flush_redis(url: str) -> None:
    """Queued tasks of an earlier run must not run in this one."""
    client = redis.Redis.from_url(url, socket_timeout=10)
    try:
        foreign = [
            k for k in client.scan_iter(count=1000) if not OUR_REDIS_KEYS.match(k.decode("latin-1"))
        ]
        if foreign:
            raise SystemExit(f"bench: {url} holds keys not ours ({foreign[:3]!r}); use --redis")
        client.flushdb()
    finally:
        client.close()


# --- /proc -------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds) of a process; None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def memory_kb(pid: int, key: str) -> int:
    """VmRSS or VmHWM from status, Pss from smaps_rollup; 0 once the process is gone."""
    name = "smaps_rollup" if key == "Pss" else "status"
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/{name}").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def peak_reset(pid: int) -> None:
    """Start VmHWM (peak RSS) again from the current RSS (Linux 4.0+, our own process),
    so a later memory_kb(pid, "VmHWM") is the peak of what ran in between."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def family(parent: int) -> list[int]:
    """A process and its direct children (a Celery worker's pool)."""
    kids = [
        int(e.name)
        for e in os.scandir("/proc")
        if e.name.isdigit() and (cpu_seconds(int(e.name)) or (0, 0))[0] == parent
    ]
    return [parent, *kids]


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    return (sum(values) - values[3] - values[4]) / CLOCK_TICKS, sum(values) / CLOCK_TICKS


def postgres_pids(conn: psycopg.Connection[Any], database: str) -> list[int]:
    """The server processes of the other sessions on `database`."""
    rows = conn.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
        [database],
    ).fetchall()
    return [int(r[0]) for r in rows]


class CpuWatch:
    """CPU seconds used by groups of processes since the first sample (a process first
    seen later counts from zero), and the machine's busy share meanwhile."""

    def __init__(self) -> None:
        self.first: dict[int, float] = {}
        self.last: dict[str, dict[int, float]] = {}
        self.machine = machine_cpu()

    def sample(self, groups: dict[str, Sequence[int]]) -> None:
        fresh = not self.first
        for group, pids in groups.items():
            for pid in pids:
                stat = cpu_seconds(pid)
                if stat:
                    self.first.setdefault(pid, stat[1] if fresh else 0.0)
                    self.last.setdefault(group, {})[pid] = stat[1]

    def seconds(self) -> dict[str, float]:
        used = {
            g: round(sum(v - self.first[p] for p, v in pids.items()), 2)
            for g, pids in self.last.items()
        }
        busy, total = machine_cpu()
        used["machine_busy_share"] = round(
            (busy - self.machine[0]) / max(total - self.machine[1], 1e-9), 3
        )
        return used
