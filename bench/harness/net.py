"""Serving and loading on loopback: gunicorn, wrk, and one asyncio HTTP client.

wrk drives single endpoints. Multi-step citizen and clerk flows use `http()`: HTTP/1.0
over asyncio streams from the standard library, since gunicorn's sync workers close every
connection after a response anyway and the client's CPU competes with the server's on
the same cores.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode, urlsplit

from harness import procs, stats

BASELINE = "/bench/hello/"
WRK_SCRIPT = Path(__file__).resolve().parents[1] / "wrk_report.lua"
START_SECONDS = 60.0


def require_loopback(host: str) -> None:
    """Refuse any target off this machine: the harness must never load another host."""
    addresses = {str(info[4][0]) for info in socket.getaddrinfo(host, None)}
    if not addresses or any(
        not ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses
    ):
        raise SystemExit(f"bench: {host!r} is not a loopback address; refusing to use it")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def fetch(url: str, *, timeout: float = 10) -> tuple[int, bytes]:
    require_loopback(urlsplit(url).hostname or "")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback
            return int(response.status), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def fetch_json(url: str) -> Any:
    status, body = fetch(url)
    if status != 200:
        raise SystemExit(f"bench: GET {url} answered {status}: {body[:300]!r}")
    return json.loads(body)


# --- gunicorn ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    base_url: str
    log: Path
    access_log: Path | None
    pid: int = 0  # the gunicorn master's: procs.family(pid)[1:] are its workers

    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def port(self) -> int:
        return urlsplit(self.base_url).port or 80


@contextlib.contextmanager
def gunicorn(
    env: dict[str, str], o: Any, log: Path, access_log: Path | None = None
) -> Iterator[Server]:
    """config.wsgi with `o.workers` workers of `o.worker_class` on a free loopback port,
    until the block ends. No access log unless asked: writing a line per request would be
    part of what is measured. With one, each line holds the request's own server time
    (%(D)s µs, from the parsed request head to the last byte) and its X-Bench-Id."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={o.workers}",
        f"--worker-class={o.worker_class}",
        f"--threads={o.worker_threads}",
        "--log-level=warning",
        "--graceful-timeout=5",
        "--backlog=2048",
    ]
    if access_log:
        command += [f"--access-logfile={access_log}", ACCESS_FORMAT]
    base_url = f"http://127.0.0.1:{port}"
    print(f"bench: gunicorn, {o.workers} {o.worker_class} workers, on {base_url}", flush=True)
    with procs.started(command, env, log, group_stop=True) as process:
        server = Server(base_url, log, access_log, process.pid)
        deadline = time.monotonic() + START_SECONDS
        while True:
            if process.poll() is not None:
                raise SystemExit(f"bench: gunicorn exited at start; see {log}")
            with contextlib.suppress(OSError):
                if fetch(server.url(BASELINE), timeout=2)[0] == 200:
                    break
            if time.monotonic() > deadline:
                raise SystemExit(f"bench: gunicorn did not answer in {START_SECONDS:.0f} s")
            time.sleep(0.2)
        yield server


ACCESS_FORMAT = "--access-logformat=%(s)s %(D)s %({x-bench-id}i)s"


def server_times(access_log: Path) -> dict[str, tuple[int, float]]:
    """X-Bench-Id → (status, server ms) from an access log written with ACCESS_FORMAT."""
    found = {}
    for line in access_log.read_text().splitlines():
        parts = line.split(" ")
        if len(parts) == 3 and parts[0].isdigit() and parts[1].isdigit() and parts[2] != "-":
            found[parts[2]] = (int(parts[0]), int(parts[1]) / 1000)
    return found


def log_problems(*logs: Path) -> list[str]:
    """Lines of server or worker logs that mean something went wrong."""
    pattern = re.compile(r"Traceback|\bERROR\b|WORKER TIMEOUT|CRITICAL|WorkerLostError")
    return [
        line
        for log in logs
        for line in log.read_text(errors="replace").splitlines()
        if pattern.search(line)
    ]


# --- wrk ---------------------------------------------------------------------------------


def wrk_path() -> str:
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("bench: wrk is missing; install it (Debian/Ubuntu: apt-get install wrk)")
    return found


def wrk(
    server: Server,
    path: str,
    seconds: int,
    o: Any,
    paths_file: Path | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """One wrk run on `path` (or a random line of `paths_file` per request), every
    request with `headers` (a signed-in staff member's Cookie)."""
    require_loopback(urlsplit(server.base_url).hostname or "")
    done = subprocess.run(
        [
            wrk_path(),
            f"--threads={o.threads}",
            f"--connections={o.connections}",
            f"--duration={seconds}s",
            f"--timeout={o.timeout}s",
            f"--script={WRK_SCRIPT}",
            "--latency",
            *(f"--header={k}: {v}" for k, v in (headers or {}).items()),
            server.url(path),
        ],
        env={**os.environ, "BENCH_PATHS": str(paths_file or "")},
        capture_output=True,
        text=True,
        timeout=seconds + o.timeout + 60,
        check=False,
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH_WRK_JSON ")), None)
    if done.returncode != 0 or line is None:
        raise SystemExit(f"bench: wrk failed on {path}: {done.stdout}{done.stderr}")
    raw = json.loads(line.split(" ", 1)[1])
    requests = int(raw["requests"])
    # Sync workers serve every request wrk left queued, even after it has gone: wait for
    # them, or a slow endpoint's leftovers eat into the next round.
    if fetch(server.url(BASELINE), timeout=300)[0] != 200:
        raise SystemExit(f"bench: {BASELINE} did not answer after a round")
    return {
        "requests_per_second": round(requests / (raw["duration_us"] / 1e6), 1),
        "p50_ms": raw["p50_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        # A round in which nothing was answered measured nothing: count it as an error.
        "errors": int(raw["non_2xx"] + raw["socket_errors"]) + (requests == 0),
        "bytes_per_response": round(raw["bytes"] / requests) if requests else 0,
    }


@dataclass(frozen=True)
class Endpoint:
    label: str
    path: str
    paths_file: Path | None = None
    headers: dict[str, str] | None = None


@dataclass
class Summary:
    label: str
    path: str
    rounds: list[dict[str, Any]] = field(default_factory=list)

    def figure(self, key: str) -> float:
        return statistics.median(r[key] for r in self.rounds)

    @property
    def errors(self) -> int:
        return sum(r["errors"] for r in self.rounds)


def alternate(server: Server, endpoints: Sequence[Endpoint], o: Any) -> list[Summary]:
    """Warm each endpoint, then measured rounds in turn, A B A B …, so a slow phase of
    the shared machine hits every endpoint alike; figures are medians over rounds."""
    for e in endpoints if o.warmup else ():
        wrk(server, e.path, o.warmup, o, e.paths_file, e.headers)
    summaries = [Summary(e.label, e.path) for e in endpoints]
    for index in range(1, o.rounds + 1):
        for e, summary in zip(endpoints, summaries, strict=True):
            r = wrk(server, e.path, o.duration, o, e.paths_file, e.headers)
            summary.rounds.append(r)
            print(
                f"bench: round {index}/{o.rounds} {e.label:<12} {r['requests_per_second']:8.1f}"
                f" req/s  p50 {r['p50_ms']:7.2f} ms  p99 {r['p99_ms']:7.2f} ms"
                f"  errors {r['errors']}",
                flush=True,
            )
    return summaries


def load_table(summaries: Sequence[Summary], queries: dict[str, Any] | None = None) -> str:
    """The endpoints' figures against the first (the baseline), and each one's ratio."""
    base = summaries[0].figure("requests_per_second")
    rows = []
    for s in summaries:
        rates = [r["requests_per_second"] for r in s.rounds]
        ratio = stats.ratio(s.figure("requests_per_second"), base)
        per_round = [
            f"{a['requests_per_second'] / b['requests_per_second']:.3f}"
            for a, b in zip(s.rounds, summaries[0].rounds, strict=True)
            if b["requests_per_second"]
        ]
        rows.append(
            [
                f"{s.label} `{s.path}`",
                f"{s.figure('requests_per_second'):,.0f}",
                f"{min(rates):,.0f} to {max(rates):,.0f}",
                f"{s.figure('p50_ms'):.1f} ms",
                f"{s.figure('p99_ms'):.1f} ms",
                s.errors,
                f"{s.figure('bytes_per_response'):,.0f} B",
                (queries or {}).get(s.label, "–"),
                f"**{ratio}** ({', '.join(per_round)})",
            ]
        )
    return stats.table(
        [
            "endpoint",
            "requests/s (median)",
            "min to max",
            "p50",
            "p99",
            "errors",
            "response size",
            "SQL queries/request",
            "throughput / baseline (per round)",
        ],
        rows,
    )


def load_line(o: Any) -> str:
    return (
        f"Server: gunicorn, {o.workers} {o.worker_class} workers, `DEBUG=0`, on 127.0.0.1. "
        f"Load: wrk, {o.threads} threads, {o.connections} connections; {o.warmup} s warm-up "
        f"per endpoint, then {o.rounds} alternating rounds of {o.duration} s. Errors are "
        "non-2xx answers and socket errors, plus tracebacks in the server log."
    )


# --- One asyncio HTTP client ------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int  # 0: no HTTP answer (refused, reset, timeout)
    body: Any  # decoded JSON, the text of an HTML page, or None
    error: str = ""  # the API's error code, or the exception's name
    cookies: dict[str, str] = field(default_factory=dict)


async def http(
    server: Server,
    method: str,
    path: str,
    *,
    json_body: Any = None,
    form: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 300.0,
) -> Answer:
    """One request on a connection of its own: connect, write, read to EOF."""
    if form is not None:
        payload, kind = urlencode(form).encode(), "application/x-www-form-urlencoded"
    else:
        payload, kind = (
            (b"", "") if json_body is None else (json.dumps(json_body).encode(), "application/json")
        )
    lines = [f"{method} {path} HTTP/1.0", "Host: 127.0.0.1", "Accept: application/json"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if method != "GET":
        lines += [f"Content-Length: {len(payload)}"] + ([f"Content-Type: {kind}"] if kind else [])
    head = ("\r\n".join(lines) + "\r\n\r\n").encode()

    async def exchange() -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        try:
            writer.write(head + payload)
            await writer.drain()
            return await reader.read()
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    try:
        raw = await asyncio.wait_for(exchange(), timeout)
    except (OSError, TimeoutError) as failure:
        return Answer(0, None, type(failure).__name__)
    header_block, _, content = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = header_block.decode("latin-1").split("\r\n")
    parts = status_line.split()
    if len(parts) < 2 or not parts[1].isdigit():
        return Answer(0, None, "bad_response")
    cookies = dict(
        re.findall(r"^set-cookie: ([^=;]+)=([^;]*)", "\n".join(header_lines), re.I | re.M)
    )
    try:
        body: Any = json.loads(content) if content else None
    except ValueError:
        body = content.decode(errors="replace")
    status = int(parts[1])
    error = body.get("code", "") if status >= 300 and isinstance(body, dict) else ""
    return Answer(status, body, str(error), cookies)


# --- Staff, cold requests, memory ---------------------------------------------------------


async def sign_in(server: Server, username: str, password: str, code: str = "") -> dict[str, str]:
    """The staff sign-in form as a person fills it, then, given a recovery `code`, the
    second factor; returns the session's request headers (for `http` or wrk: the session
    cookie, and the CSRF token that a POST needs)."""
    page = await http(server, "GET", "/staf/masuk/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', str(page.body))
    if token is None or "csrftoken" not in page.cookies:
        raise SystemExit(f"bench: no CSRF token at /staf/masuk/ ({page.status})")
    csrf = page.cookies["csrftoken"]
    form = {"username": username, "password": password, "csrfmiddlewaretoken": token[1]}
    answer = await http(
        server, "POST", "/staf/masuk/", form=form, headers={"Cookie": f"csrftoken={csrf}"}
    )
    if "sessionid" not in answer.cookies:
        raise SystemExit(f"bench: signing in as {username} gave no session ({answer.status})")
    csrf = answer.cookies.get("csrftoken", csrf)
    cookie = f"sessionid={answer.cookies['sessionid']}; csrftoken={csrf}"
    headers = {"Cookie": cookie, "X-CSRFToken": csrf}
    if code:
        form = {"code": code}
        verified = await http(server, "POST", "/staf/2fa/verifikasi/", form=form, headers=headers)
        if verified.status != 302:
            raise SystemExit(f"bench: {username}'s recovery code answered {verified.status}")
    return headers


def timed_requests(
    server: Server, paths: Sequence[str], headers: dict[str, str] | None = None, redis: str = ""
) -> dict[str, Any]:
    """Each path once, one after another, with the `redis` database (the cache) emptied
    first: how many, p50, p99 and max in ms, and the statuses."""
    if redis:
        procs.flush_redis(redis)

    async def each() -> list[tuple[float, int]]:
        done = []
        for path in paths:
            began = time.monotonic()
            answer = await http(server, "GET", path, headers=headers)
            done.append(((time.monotonic() - began) * 1000, answer.status))
        return done

    done = asyncio.run(each())
    ms = [stats.percentile([t for t, _ in done], q, 1) for q in (50, 99, 100)]
    statuses = Counter(status for _, status in done)
    return {"n": len(done), "p50": ms[0], "p99": ms[1], "max": ms[2], "statuses": dict(statuses)}


def download_memory(
    env: dict[str, str], o: Any, log: Path, path: str, warm: str, login: Sequence[str] = ()
) -> dict[str, Any]:
    """The growth of a fresh one-worker gunicorn's worker while it answers `path`, signed
    in as `login` (username, password, recovery code) if given: its peak RSS (VmHWM,
    reset just before) over its RSS after a request to `warm` (imports and connections
    made); with the answer's status, seconds, bytes and lines, and the server's log."""
    with gunicorn(env, SimpleNamespace(**{**vars(o), "workers": 1}), log) as server:
        headers = asyncio.run(sign_in(server, *login)) if login else None
        first = asyncio.run(http(server, "GET", warm, headers=headers))
        worker = procs.family(server.pid)[-1]
        before = procs.memory_kb(worker, "VmRSS")
        procs.peak_reset(worker)
        began = time.monotonic()
        answer = asyncio.run(http(server, "GET", path, headers=headers))
        seconds = time.monotonic() - began
        peak = procs.memory_kb(worker, "VmHWM")
    text = answer.body.encode() if isinstance(answer.body, str) else b""
    return {
        "path": path,
        "status": [first.status, answer.status],
        "seconds": round(seconds, 2),
        "bytes": len(text),
        "lines": text.count(b"\n"),
        "rss_before_kb": before,
        "peak_growth_kb": peak - before,
        "log": log,
    }
