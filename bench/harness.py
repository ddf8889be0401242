"""Shared pieces of the benchmarks in bench/.

A benchmark compares a target endpoint with the bare Django view at /bench/hello/,
served by the same production-like gunicorn in the same run:

1. a throwaway PostgreSQL database is dropped, recreated, migrated and given the demo
   data (all on loopback);
2. gunicorn serves config.wsgi with DEBUG off on a free loopback port;
3. wrk drives baseline and target in alternating rounds, so slow phases of the shared
   machine hit both alike, and the report uses medians over rounds;
4. the figures go to bench/results/*.json and to the benchmark's own section of
   docs/benchmarks.md.

The database is left in place after a run, for looking into; the next run drops it.

A benchmark script describes itself with an `EndpointBenchmark` and calls `main()`.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import ipaddress
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = BASE_DIR / "bench"
RESULTS_DIR = BENCH_DIR / "results"
DOCS_FILE = BASE_DIR / "docs" / "benchmarks.md"
WRK_SCRIPT = BENCH_DIR / "wrk_report.lua"

BASELINE_PATH = "/bench/hello/"
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
DEFAULT_DATABASE = "giliran_bench"

# Every wait and every subprocess below has one of these bounds, so a run always ends.
SERVER_START_SECONDS = 60.0
SERVER_STOP_SECONDS = 15.0
MANAGE_SECONDS = 600.0
WRK_GRACE_SECONDS = 30.0
INSTALL_SECONDS = 600.0

# Only these variables pass from the caller's environment to Django: anything else
# (a REDIS_URL, a SECURE_SSL_REDIRECT…) would silently change what is measured.
PASSED_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ")

DOCS_INTRO = """\
# Benchmarks

Figures measured by the harness in `bench/`. Each benchmark recreates a throwaway
PostgreSQL database with the demo data, serves the project with gunicorn and `DEBUG` off
on a loopback port, and drives it with [wrk](https://github.com/wg/wrk).

The machine is shared with other work and noisy, so absolute figures move between runs.
Each benchmark therefore measures its endpoint against a baseline, the bare Django view
at `/bench/hello/` served by the same server, in alternating rounds of the same run: the
figures are medians over the rounds, and the ratio target/baseline is the number to
compare between runs. Raw results of each run are saved under `bench/results/`
(not committed).

The server is gunicorn with 3 sync workers, started with `DEBUG=0`, a random
`SECRET_KEY`, `ALLOWED_HOSTS=127.0.0.1`, TLS-only cookies and HSTS off (plain HTTP on
loopback) and persistent database connections (`DATABASE_CONN_MAX_AGE`, 60 s by default).
Why 3 sync workers on this 2-core machine: the requests measured are CPU-bound Python, so
one worker per core plus one to cover the moments a worker waits on PostgreSQL keeps both
cores busy; gunicorn's usual (2 x cores) + 1 assumes the machine serves nothing else, but
here wrk and PostgreSQL share the same two cores. Sync workers are gunicorn's default and
what sits behind a buffering proxy in production; they close the connection after each
response, so every request includes a loopback TCP connect, alike for both endpoints.
In one short comparison (2 rounds of 5 s, 2026-11-22), 3 sync workers served both
endpoints fastest: 2 or 5 sync workers, and 3 gthread workers of 4 threads, had 20 to 60 %
less throughput, gthread the least (its threads share one GIL per process). `--workers`,
`--worker-class` and `--worker-threads` change the setup.

Each section below is rewritten by its own script; edit the scripts, not the sections.
"""


# --- Parameters -----------------------------------------------------------------------


@dataclass(frozen=True)
class LoadParams:
    """How hard and how long wrk drives each endpoint."""

    rounds: int = 5
    duration: int = 10
    warmup: int = 3
    threads: int = 2
    connections: int = 32
    timeout: int = 5


# A smoke run: proves the whole chain works in well under a minute; its figures are noise.
QUICK_LOAD = LoadParams(rounds=1, duration=2, warmup=1)


@dataclass(frozen=True)
class ServerParams:
    """The gunicorn setup. Three sync workers on two cores: see docs/benchmarks.md."""

    workers: int = 3
    worker_class: str = "sync"
    threads: int = 1

    def describe(self) -> str:
        if self.worker_class == "gthread":
            return f"{self.workers} gthread workers x {self.threads} threads"
        return f"{self.workers} {self.worker_class} workers"


@dataclass(frozen=True)
class Options:
    load: LoadParams
    server: ServerParams
    postgres: str
    database: str
    quick: bool
    write_docs: bool
    command: str


P = TypeVar("P", bound="DataclassInstance")


def add_database_options(parser: argparse.ArgumentParser, default_database: str) -> None:
    """--postgres and --database, alike in every benchmark: each drops and recreates its
    own database, named so that two benchmarks can run at the same time."""
    parser.add_argument(
        "--postgres",
        default=DEFAULT_POSTGRES,
        help="URL of a maintenance database on the loopback server (%(default)s)",
    )
    parser.add_argument("--database", default=default_database, help="dropped and recreated")


def preset_with_flags(preset: P, args: argparse.Namespace) -> P:
    """The preset (a frozen dataclass: the full or the quick run's parameters) with the
    fields given on the command line in its place: flags win, the rest come from it."""
    given = {
        name: getattr(args, name)
        for name in asdict(preset)
        if getattr(args, name, None) is not None
    }
    return replace(preset, **given)


def parse_options(description: str, argv: Sequence[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(description=description)
    defaults = LoadParams()
    parser.add_argument("--rounds", type=int, help=f"rounds per endpoint ({defaults.rounds})")
    parser.add_argument("--duration", type=int, help=f"seconds per round ({defaults.duration})")
    parser.add_argument(
        "--warmup", type=int, help=f"unrecorded seconds per endpoint first ({defaults.warmup})"
    )
    parser.add_argument("--threads", type=int, help=f"wrk threads ({defaults.threads})")
    parser.add_argument("--connections", type=int, help=f"wrk connections ({defaults.connections})")
    parser.add_argument(
        "--timeout", type=int, help=f"seconds before wrk counts a timeout ({defaults.timeout})"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"smoke run ({QUICK_LOAD.rounds} round of {QUICK_LOAD.duration} s); "
        "does not touch docs/benchmarks.md",
    )
    parser.add_argument("--workers", type=int, default=ServerParams.workers)
    parser.add_argument(
        "--worker-class", choices=["sync", "gthread"], default=ServerParams.worker_class
    )
    parser.add_argument(
        "--worker-threads", type=int, default=ServerParams.threads, help="for gthread only"
    )
    add_database_options(parser, DEFAULT_DATABASE)
    parser.add_argument(
        "--no-docs", action="store_true", help="do not rewrite this benchmark's docs section"
    )
    args = parser.parse_args(argv)
    load = preset_with_flags(QUICK_LOAD if args.quick else defaults, args)
    _check_positive(parser, load)
    return Options(
        load=load,
        server=ServerParams(args.workers, args.worker_class, args.worker_threads),
        postgres=args.postgres,
        database=args.database,
        quick=args.quick,
        write_docs=not (args.quick or args.no_docs),
        command=_command_line(argv),
    )


def _check_positive(parser: argparse.ArgumentParser, load: LoadParams) -> None:
    for name, value in asdict(load).items():
        if value < (0 if name == "warmup" else 1):
            parser.error(f"--{name} is too small: {value}")
    if load.connections < load.threads:
        parser.error("wrk needs at least one connection per thread")


def _command_line(argv: Sequence[str] | None) -> str:
    script = Path(sys.argv[0]).resolve()
    with contextlib.suppress(ValueError):
        script = script.relative_to(BASE_DIR)
    args = list(sys.argv[1:] if argv is None else argv)
    return " ".join([".venv/bin/python", str(script), *args])


# --- Loopback only --------------------------------------------------------------------


def require_loopback(host: str) -> None:
    """Refuse any target off this machine: the harness must never load another host."""
    addresses = {str(info[4][0]) for info in socket.getaddrinfo(host, None)}
    outside = [a for a in addresses if not ipaddress.ip_address(a.split("%")[0]).is_loopback]
    if not addresses or outside:
        raise SystemExit(f"bench: {host!r} is not a loopback address; refusing to use it")


# --- PostgreSQL -----------------------------------------------------------------------


def database_url(server_url: str, name: str) -> str:
    """The same server and credentials as server_url, with another database."""
    parts = urlsplit(server_url)
    return parts._replace(path=f"/{name}").geturl()


def recreate_database(server_url: str, name: str) -> None:
    require_loopback(urlsplit(server_url).hostname or "")
    # CREATE/DROP DATABASE cannot run inside a transaction, hence autocommit.
    with psycopg.connect(server_url, autocommit=True, connect_timeout=10) as conn:
        # FORCE ends sessions left by a run that was killed before its server stopped.
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def postgres_version(server_url: str) -> str:
    with psycopg.connect(server_url, connect_timeout=10) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "unknown"


# --- Django ---------------------------------------------------------------------------


def django_env(db_url: str, var_dir: Path) -> dict[str, str]:
    """A production-like environment: DEBUG off, a fresh random key, loopback only.

    TLS-only cookies and HSTS are off because the benchmark speaks plain HTTP on
    loopback; var_dir keeps the cache and collected static files out of the developer's
    own var/.
    """
    env = {key: os.environ[key] for key in PASSED_ENV if key in os.environ}
    env.update(
        DATABASE_URL=db_url,
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1",
        GILIRAN_BENCHMARK_VIEWS="1",
        GILIRAN_VAR_DIR=str(var_dir),
        SECURE_COOKIES="0",
        SECURE_HSTS_SECONDS="0",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def manage(env: dict[str, str], *args: str, what: str = "") -> str:
    """Run manage.py with env; on failure show its output, which says what went wrong."""
    print(f"bench: manage.py {what or ' '.join(args)}", flush=True)
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=MANAGE_SECONDS,
        check=False,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"bench: manage.py {args[0]} failed ({done.returncode})")
    return done.stdout


def load_demo_database(env: dict[str, str], server_url: str, database: str) -> None:
    """A fresh database, migrated, with the demo data: where every benchmark starts."""
    print(f"bench: recreating database {database}", flush=True)
    recreate_database(server_url, database)
    manage(env, "migrate", "--no-input")
    manage(env, "load_demo", "--allow-without-debug")


def manage_shell(env: dict[str, str], script: str, marker: str, what: str) -> Any:
    """Run a script in `manage.py shell` and return the JSON it prints after `marker`:
    set-ups and profiles run inside Django, the benchmark itself outside it."""
    output = manage(env, "shell", "--no-imports", "-c", script, what=f"shell ({what})")
    line = next(line for line in output.splitlines() if line.startswith(marker + " "))
    return json.loads(line.split(" ", 1)[1])


def vacuum_analyze(db_url: str, tables: Sequence[str]) -> None:
    """What autovacuum would soon do after a bulk set-up: fresh statistics, no dead rows,
    so the measured queries are planned as on a settled database."""
    with psycopg.connect(db_url, autocommit=True, connect_timeout=10) as conn:
        for table in tables:
            conn.execute(sql.SQL("VACUUM (ANALYZE) {}").format(sql.Identifier(table)))


def prepare_site(env: dict[str, str], server_url: str, database: str) -> None:
    """A fresh database with the demo data, and the static files DEBUG-off serving needs.

    The API does not render static URLs, but pages do (the manifest storage raises on a
    missing manifest), and WhiteNoise indexes STATIC_ROOT at start-up in production: doing
    it costs two seconds and keeps every benchmark's server alike.
    """
    load_demo_database(env, server_url, database)
    manage(env, "collectstatic", "--no-input")


_QUERY_COUNT_SCRIPT = """
import json
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

client = Client()
counts = {}
for path in PATHS:
    client.get(path, HTTP_HOST="127.0.0.1")  # the first request fills per-process caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, HTTP_HOST="127.0.0.1")
    counts[path] = {"status": response.status_code, "queries": len(queries)}
print("BENCH_QUERIES " + json.dumps(counts))
"""


def count_queries(env: dict[str, str], paths: Sequence[str]) -> dict[str, dict[str, int]]:
    """SQL queries per request for each path, measured in-process with the same settings.

    A per-request count that grows with the data (N+1) is the usual cause of a slow list
    endpoint, so it is reported beside the timings.
    """
    script = f"PATHS = {list(paths)!r}\n{_QUERY_COUNT_SCRIPT}"
    output = manage(env, "shell", "--no-imports", "-c", script, what="shell (count queries)")
    line = next(line for line in output.splitlines() if line.startswith("BENCH_QUERIES "))
    counts: dict[str, dict[str, int]] = json.loads(line.split(" ", 1)[1])
    return counts


# --- The server -----------------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    base_url: str
    log_path: Path

    def url(self, path: str) -> str:
        return self.base_url + path


def free_port() -> int:
    """A port free on loopback now; gunicorn fails loudly in the rare case it is taken."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _die_with_parent() -> None:
    """Runs in the child before exec: if this script is killed outright (SIGKILL, no
    chance to clean up), the kernel still sends gunicorn SIGTERM, so no server lingers."""
    if sys.platform == "linux":
        pr_set_pdeathsig = 1
        ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGTERM)


def gunicorn_command(params: ServerParams, port: int) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={params.workers}",
        f"--worker-class={params.worker_class}",
        # No access log: writing a line per request would be part of what is measured.
        "--log-level=warning",
        "--graceful-timeout=5",
    ]
    if params.worker_class == "gthread":
        command.append(f"--threads={params.threads}")
    return command


@contextlib.contextmanager
def gunicorn(env: dict[str, str], params: ServerParams, log_path: Path) -> Iterator[Server]:
    """Serve the project until the block ends, however it ends."""
    port = free_port()
    server = Server(f"http://127.0.0.1:{port}", log_path)
    print(f"bench: starting gunicorn ({params.describe()}) on {server.base_url}", flush=True)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        process = subprocess.Popen(
            gunicorn_command(params, port),
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            # Its own process group, so stopping it reaches the master and every worker.
            start_new_session=True,
            # preexec_fn is unsafe only with threads, and this script runs none.
            preexec_fn=_die_with_parent,
        )
        try:
            wait_until_ready(server, process)
            yield server
        finally:
            stop_process_group(process)
            print("bench: gunicorn stopped", flush=True)


def wait_until_ready(server: Server, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"bench: gunicorn exited at start; see {server.log_path}")
        with contextlib.suppress(OSError):
            status, _ = fetch(server.url(BASELINE_PATH), timeout=2)
            if status == 200:
                return
        time.sleep(0.2)
    raise SystemExit(f"bench: gunicorn did not answer in {SERVER_START_SECONDS:.0f} s")


def stop_process_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM lets gunicorn finish in-flight requests; SIGKILL if it does not in time."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=SERVER_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=SERVER_STOP_SECONDS)


def server_log_problems(log_path: Path) -> list[str]:
    """Lines of the server log that mean a request went wrong (tracebacks, timeouts)."""
    pattern = re.compile(r"Traceback|\bERROR\b|WORKER TIMEOUT|CRITICAL")
    return [line for line in log_path.read_text().splitlines() if pattern.search(line)]


# --- HTTP checks ----------------------------------------------------------------------


def fetch(url: str, *, timeout: float = 10) -> tuple[int, bytes]:
    """One GET on loopback, returning status and body, errors included."""
    require_loopback(urlsplit(url).hostname or "")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - http on loopback
            return int(response.status), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def fetch_json(url: str) -> Any:
    status, body = fetch(url)
    if status != 200:
        raise SystemExit(f"bench: GET {url} answered {status}: {body[:300]!r}")
    return json.loads(body)


# --- wrk ------------------------------------------------------------------------------


def ensure_wrk() -> str:
    """Path to wrk, installing Debian's package when it is missing and we may."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise SystemExit("bench: wrk is missing; install it (Debian/Ubuntu: apt-get install wrk)")
    print("bench: wrk is missing; running apt-get update && apt-get install -y wrk", flush=True)
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", "wrk"]):
        subprocess.run(command, check=True, timeout=INSTALL_SECONDS)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("bench: apt-get installed wrk but it is not on PATH")
    return found


def wrk_version(wrk: str) -> str:
    # `wrk -v` prints its version and exits non-zero, having nothing to load.
    done = subprocess.run([wrk, "-v"], capture_output=True, text=True, timeout=10, check=False)
    first = (done.stdout or done.stderr).strip().splitlines()
    return first[0] if first else "unknown"


@dataclass(frozen=True)
class Round:
    """One wrk run against one endpoint."""

    label: str
    path: str
    index: int
    requests: int
    seconds: float
    requests_per_second: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    non_2xx: int
    socket_errors: int
    bytes_per_response: float

    @property
    def errors(self) -> int:
        return self.non_2xx + self.socket_errors


def run_wrk(
    wrk: str, url: str, load: LoadParams, seconds: int, *, label: str, path: str, index: int
) -> Round:
    require_loopback(urlsplit(url).hostname or "")
    command = [
        wrk,
        f"--threads={load.threads}",
        f"--connections={load.connections}",
        f"--duration={seconds}s",
        f"--timeout={load.timeout}s",
        f"--script={WRK_SCRIPT}",
        "--latency",
        url,
    ]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=seconds + load.timeout + WRK_GRACE_SECONDS,
        check=False,
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH_WRK_JSON ")), None)
    if done.returncode != 0 or line is None:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"bench: wrk failed on {url} ({done.returncode})")
    return _round_from_wrk(json.loads(line.split(" ", 1)[1]), label=label, path=path, index=index)


def _round_from_wrk(raw: dict[str, float], *, label: str, path: str, index: int) -> Round:
    requests = int(raw["requests"])
    seconds = raw["duration_us"] / 1e6
    return Round(
        label=label,
        path=path,
        index=index,
        requests=requests,
        seconds=round(seconds, 3),
        requests_per_second=round(requests / seconds, 1),
        p50_ms=raw["p50_us"] / 1000,
        p90_ms=raw["p90_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        mean_ms=round(raw["latency_mean_us"] / 1000, 3),
        max_ms=raw["latency_max_us"] / 1000,
        non_2xx=int(raw["non_2xx"]),
        socket_errors=int(
            raw["connect_errors"] + raw["read_errors"] + raw["write_errors"] + raw["timeouts"]
        ),
        bytes_per_response=round(raw["bytes"] / requests, 1) if requests else 0.0,
    )


@dataclass(frozen=True)
class Endpoint:
    label: str
    path: str
    # Called once with the decoded JSON before any load, to prove the endpoint does the
    # real work (a 200 with an empty list would make a fast, meaningless benchmark).
    check: Callable[[Any], str] | None = None


def alternate_rounds(
    wrk: str, server: Server, endpoints: Sequence[Endpoint], load: LoadParams
) -> list[Round]:
    """Warm every endpoint, then interleave the measured rounds: A B A B …"""
    if load.warmup:
        for endpoint in endpoints:
            print(f"bench: warm-up {endpoint.path} ({load.warmup} s)", flush=True)
            run_wrk(wrk, server.url(endpoint.path), load, load.warmup, **_ids(endpoint, 0))
    rounds = []
    for index in range(1, load.rounds + 1):
        for endpoint in endpoints:
            result = run_wrk(
                wrk, server.url(endpoint.path), load, load.duration, **_ids(endpoint, index)
            )
            print(
                f"bench: round {index}/{load.rounds} {endpoint.path:<20} "
                f"{result.requests_per_second:8.1f} req/s  p50 {result.p50_ms:7.2f} ms  "
                f"p99 {result.p99_ms:7.2f} ms  errors {result.errors}",
                flush=True,
            )
            rounds.append(result)
    return rounds


def _ids(endpoint: Endpoint, index: int) -> dict[str, Any]:
    return {"label": endpoint.label, "path": endpoint.path, "index": index}


# --- Summaries ------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    label: str
    path: str
    rounds: int
    requests_per_second: float
    requests_per_second_min: float
    requests_per_second_max: float
    p50_ms: float
    p99_ms: float
    errors: int
    bytes_per_response: float
    queries_per_request: int | None


def summarize(
    endpoint: Endpoint, rounds: Sequence[Round], queries: dict[str, dict[str, int]]
) -> Summary:
    mine = [r for r in rounds if r.path == endpoint.path]
    rates = [r.requests_per_second for r in mine]
    return Summary(
        label=endpoint.label,
        path=endpoint.path,
        rounds=len(mine),
        requests_per_second=round(statistics.median(rates), 1),
        requests_per_second_min=min(rates),
        requests_per_second_max=max(rates),
        p50_ms=round(statistics.median(r.p50_ms for r in mine), 2),
        p99_ms=round(statistics.median(r.p99_ms for r in mine), 2),
        errors=sum(r.errors for r in mine),
        bytes_per_response=statistics.median(r.bytes_per_response for r in mine),
        queries_per_request=queries.get(endpoint.path, {}).get("queries"),
    )


def paired_ratios(rounds: Sequence[Round], baseline: str, target: str) -> list[float]:
    """target/baseline throughput for each round: the spread shows how noisy the run was."""
    by_index: dict[int, dict[str, float]] = {}
    for r in rounds:
        by_index.setdefault(r.index, {})[r.path] = r.requests_per_second
    return [
        round(pair[target] / pair[baseline], 3)
        for _, pair in sorted(by_index.items())
        if pair.get(baseline) and target in pair
    ]


# --- The machine ----------------------------------------------------------------------


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def memory_gib() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    return "unknown"


def usable_cpus() -> int:
    # What nproc prints: the CPUs this process may run on, not all the host has.
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 0


def describe_machine(server_url: str, server: ServerParams, wrk: str) -> dict[str, str]:
    return {
        "nproc": str(usable_cpus()),
        "cpu": cpu_model(),
        "memory": memory_gib(),
        "kernel": platform.release(),
        "postgresql": postgres_version(server_url),
        "python": platform.python_version(),
        "django": metadata.version("django"),
        "gunicorn": f"{metadata.version('gunicorn')}, {server.describe()}",
        "wrk": wrk_version(wrk),
    }


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


# --- Results and docs -----------------------------------------------------------------


def save_results(name: str, started: datetime, data: dict[str, Any]) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}-{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")
    return path


def replace_docs_section(name: str, body: str, docs: Path = DOCS_FILE) -> None:
    """Rewrite only this benchmark's section, between its markers, keeping the others."""
    start, end = f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"
    section = f"{start}\n{body.strip()}\n{end}"
    text = docs.read_text() if docs.exists() else DOCS_INTRO
    if start in text and end in text:
        before, rest = text.split(start, 1)
        after = rest.split(end, 1)[1]
        text = before + section + after
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    docs.parent.mkdir(parents=True, exist_ok=True)
    docs.write_text(text)


def median(values: Iterable[float | None], digits: int = 3) -> float | None:
    """The median of the values present, rounded; None when a figure was missing from
    every round (a round that failed, a phase that did not happen)."""
    present = [v for v in values if v is not None]
    return round(statistics.median(present), digits) if present else None


def reflow(markdown: str, width: int = 90) -> str:
    """Refill the prose paragraphs that the figures made ragged; tables, headings, code
    blocks and the command line stay as they are."""
    out = []
    for block in markdown.split("\n\n"):
        first = block.lstrip("\n")
        if first.startswith("- "):  # a list: refill each item
            items = re.split(r"\n(?=- )", first)
            out.append("\n".join(_fill(item, "  ", width) for item in items))
            continue
        if not first or first.startswith(("|", "#", "Command:", "```")):
            out.append(block)
            continue
        numbered = re.match(r"\d+\. ", first)
        indent = " " * len(numbered.group(0)) if numbered else ""
        out.append(_fill(first, indent, width))
    return "\n\n".join(out)


def _fill(text: str, indent: str, width: int) -> str:
    words = " ".join(line.strip() for line in text.splitlines())
    return textwrap.fill(
        words,
        width=width,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


# --- One endpoint against the baseline ------------------------------------------------


@dataclass(frozen=True)
class EndpointBenchmark:
    """A target endpoint measured against /bench/hello/ in the same run."""

    name: str  # file stem and docs marker: bench/<name>.py, <!-- bench:<name>:… -->
    title: str
    about: str  # markdown: what is measured and why
    target: Endpoint
    baseline: Endpoint = field(default_factory=lambda: Endpoint("hello", BASELINE_PATH))


def main(benchmark: EndpointBenchmark, argv: Sequence[str] | None = None) -> int:
    options = parse_options(f"{benchmark.title}: {benchmark.target.path} vs {BASELINE_PATH}", argv)
    stop_cleanly_on_sigterm()
    started = datetime.now(UTC).replace(microsecond=0)
    wrk = ensure_wrk()
    require_loopback(urlsplit(options.postgres).hostname or "")
    endpoints = [benchmark.baseline, benchmark.target]
    log_path = RESULTS_DIR / f"{benchmark.name}-{started.strftime('%Y%m%dT%H%M%SZ')}-gunicorn.log"

    with tempfile.TemporaryDirectory(prefix="giliran-bench-") as var_dir:
        env = django_env(database_url(options.postgres, options.database), Path(var_dir))
        prepare_site(env, options.postgres, options.database)
        queries = count_queries(env, [e.path for e in endpoints])
        load_before = load_average()
        with gunicorn(env, options.server, log_path) as server:
            checks = {e.path: _check(server, e) for e in endpoints}
            rounds = alternate_rounds(wrk, server, endpoints, options.load)
        load_after = load_average()

    summaries = [summarize(e, rounds, queries) for e in endpoints]
    ratios = paired_ratios(rounds, benchmark.baseline.path, benchmark.target.path)
    base, target = summaries
    ratio = round(target.requests_per_second / base.requests_per_second, 3)
    problems = server_log_problems(log_path)
    errors = sum(s.errors for s in summaries) + len(problems)
    report = {
        "benchmark": benchmark.name,
        "started": started.isoformat(),
        "command": options.command,
        "quick": options.quick,
        "load": asdict(options.load),
        "server": asdict(options.server),
        "machine": describe_machine(options.postgres, options.server, wrk),
        "load_average": {"before": load_before, "after": load_after},
        "checks": checks,
        "queries": queries,
        "summaries": [asdict(s) for s in summaries],
        "throughput_ratio": ratio,
        "paired_ratios": ratios,
        "errors": errors,
        "server_log_problems": problems[:50],
        "server_log": str(log_path.relative_to(BASE_DIR)),
        "rounds": [asdict(r) for r in rounds],
    }
    results_path = save_results(benchmark.name, started, report)
    _print_summary(summaries, ratio, ratios, errors, results_path)

    if errors:
        print(f"bench: {errors} errors; docs/benchmarks.md left as it was", file=sys.stderr)
        return 1
    if options.write_docs:
        replace_docs_section(benchmark.name, render_section(benchmark, report, summaries))
        print(f"bench: wrote the {benchmark.name} section of {DOCS_FILE.relative_to(BASE_DIR)}")
    return 0


def stop_cleanly_on_sigterm() -> None:
    """Python dies on SIGTERM without running `finally`; as SystemExit, every `finally`
    runs, and the servers and workers the benchmark started stop with it."""
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def _check(server: Server, endpoint: Endpoint) -> str:
    body = fetch_json(server.url(endpoint.path))
    note = endpoint.check(body) if endpoint.check else "200, JSON"
    print(f"bench: check {endpoint.path}: {note}", flush=True)
    return note


def _print_summary(
    summaries: Sequence[Summary],
    ratio: float,
    ratios: Sequence[float],
    errors: int,
    results_path: Path,
) -> None:
    print()
    for s in summaries:
        print(
            f"{s.path:<22} median {s.requests_per_second:8.1f} req/s "
            f"(min {s.requests_per_second_min:.1f}, max {s.requests_per_second_max:.1f})  "
            f"p50 {s.p50_ms:.2f} ms  p99 {s.p99_ms:.2f} ms  errors {s.errors}  "
            f"queries/request {s.queries_per_request}"
        )
    print(
        f"throughput ratio {summaries[1].label}/{summaries[0].label}: {ratio} "
        f"(per round: {', '.join(map(str, ratios))})"
    )
    print(f"errors: {errors}")
    print(f"raw results: {results_path.relative_to(BASE_DIR)}")


def render_section(
    benchmark: EndpointBenchmark, report: dict[str, Any], summaries: Sequence[Summary]
) -> str:
    load = LoadParams(**report["load"])
    machine = report["machine"]
    base, target = summaries
    rows = [
        [
            f"`{s.path}`" + (" (baseline)" if s is base else ""),
            f"{s.requests_per_second:,.0f}",
            f"{s.requests_per_second_min:,.0f} to {s.requests_per_second_max:,.0f}",
            f"{s.p50_ms:.1f} ms",
            f"{s.p99_ms:.1f} ms",
            str(s.errors),
            f"{s.bytes_per_response:,.0f} B",
            "?" if s.queries_per_request is None else str(s.queries_per_request),
        ]
        for s in summaries
    ]
    table = markdown_table(
        [
            "endpoint",
            "requests/s (median)",
            "requests/s (min to max)",
            "p50 latency",
            "p99 latency",
            "errors",
            "response size",
            "SQL queries/request",
        ],
        rows,
    )
    per_round = ", ".join(f"{r:.3f}" for r in report["paired_ratios"])
    when = datetime.fromisoformat(report["started"]).strftime("%Y-%m-%d %H:%M UTC")
    loads = report["load_average"]
    return f"""\
## {benchmark.title}

{benchmark.about.strip()}

Command: `{report["command"]}`

Run on {when}:

- machine: {machine["nproc"]} CPUs (nproc), {machine["cpu"]}, {machine["memory"]} memory,
  Linux {machine["kernel"]}; load average (1, 5, 15 min) before: {loads["before"]},
  after: {loads["after"]}
- PostgreSQL {machine["postgresql"]}, Python {machine["python"]}, Django {machine["django"]}
- server: gunicorn {machine["gunicorn"]}, `DEBUG=0`, on 127.0.0.1
- load: {machine["wrk"].split(" [")[0]}, {load.threads} threads, {load.connections} connections;
  {load.warmup} s warm-up per endpoint, then {load.rounds} alternating rounds of {load.duration} s

{table}

**Throughput {target.label}/{base.label}: {report["throughput_ratio"]:.3f}**
(ratio of the medians; per round: {per_round}).

Errors count non-2xx responses and socket errors (connect, read, write, timeout) over all
rounds, plus tracebacks or worker timeouts in the server log; the run fails if there are
any. Latencies are wrk's, medians over the rounds. Response size includes the headers.
SQL queries per request are counted in-process with the same settings.
"""


# --- Server-side request times (gunicorn's access log) --------------------------------
# The `gunicorn()` server above has no access log, so that wrk's figures do not include
# writing one. A benchmark that needs the server's own time of each request starts
# `gunicorn_with_access_log()` instead: gunicorn logs one line per request with its
# request time (%(D)s, microseconds, from the parsed request line and headers to the
# last byte written: the listen-queue wait and the TCP connect are not in it), measured
# before the line is written. A client that sends an `X-Bench-Id` header finds each of
# its requests in the log by that id.

ACCESS_LOG_FORMAT = "%(p)s %(m)s %(U)s %(s)s %(D)s %({x-bench-id}i)s"
BENCH_ID_HEADER = "X-Bench-Id"


@dataclass(frozen=True)
class AccessRecord:
    """One line of the access log written with ACCESS_LOG_FORMAT."""

    worker: str
    method: str
    path: str
    status: int
    server_us: int
    bench_id: str  # "-" when the request had no X-Bench-Id header

    @property
    def server_ms(self) -> float:
        return self.server_us / 1000


def gunicorn_command_with_access_log(
    params: ServerParams, port: int, access_log: Path
) -> list[str]:
    return [
        *gunicorn_command(params, port),
        f"--access-logfile={access_log}",
        f"--access-logformat={ACCESS_LOG_FORMAT}",
    ]


@contextlib.contextmanager
def gunicorn_with_access_log(
    env: dict[str, str], params: ServerParams, log_path: Path, access_log_path: Path
) -> Iterator[Server]:
    """As `gunicorn()`, with an access log of each request's server time (read it with
    `read_access_log()` once the block has ended and the server has flushed it)."""
    port = free_port()
    server = Server(f"http://127.0.0.1:{port}", log_path)
    print(
        f"bench: starting gunicorn ({params.describe()}, access log) on {server.base_url}",
        flush=True,
    )
    log_path.parent.mkdir(parents=True, exist_ok=True)
    access_log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        process = subprocess.Popen(
            gunicorn_command_with_access_log(params, port, access_log_path),
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            # Started before the caller runs any thread of its own (see gunicorn()).
            preexec_fn=_die_with_parent,
        )
        try:
            wait_until_ready(server, process)
            yield server
        finally:
            stop_process_group(process)
            print("bench: gunicorn stopped", flush=True)


def read_access_log(path: Path) -> list[AccessRecord]:
    """Every well-formed line of an access log written with ACCESS_LOG_FORMAT."""
    records = []
    for line in path.read_text().splitlines():
        parts = line.split(" ")
        if len(parts) != 6 or not parts[3].isdigit() or not parts[4].isdigit():
            continue
        worker, method, url_path, status, micros, bench_id = parts
        records.append(AccessRecord(worker, method, url_path, int(status), int(micros), bench_id))
    return records


def percentile_ms(values_ms: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile of values already in milliseconds; None for no values."""
    if not values_ms:
        return None
    ordered = sorted(values_ms)
    rank = max(0, min(len(ordered) - 1, -(-len(ordered) * q // 100) - 1))
    return round(ordered[int(rank)], 2)
