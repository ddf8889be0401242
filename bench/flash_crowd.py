"""Benchmark: a flash crowd races over HTTP for one day's quota, against the bare view.

    .venv/bin/python bench/flash_crowd.py            # full run, rewrites its docs section
    .venv/bin/python bench/flash_crowd.py --quick    # smoke run, leaves the docs alone

A day of the demo passport office gets a quota of 500 places (its slots' capacities sum
to 500); at one instant, 2,000 citizens — one asyncio task and one NIK, phone and email
each — try to book it through the API, as a ticket release on a popular day looks:
POST /api/v1/holds/ on a time they picked from the list they had open, read the
one-time code from the email, POST …/confirm/. A citizen whose time was just taken
(409 slot_full) reloads the day's free times and tries another; when none are left,
the day is sold out and they give up. The server runs with Django's file-based email
backend, and each citizen finds its code in those files by its own address: no
test-only door into the application.

Each round pairs one wrk run on /bench/hello/ with one crowd on a fresh day, so the
crowd's request rate can be compared with the bare view's on the same noisy machine.
Afterwards the database is audited: no slot may hold more than its capacity, and no
slot more confirmed bookings than its capacity.

bench/harness.py does the setup; --help lists this benchmark's parameters and the
harness's (--rounds is the number of paired rounds, 3 by default here).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import re
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import harness
import psycopg

NAME = "flash_crowd"
TITLE = "Flash crowd: one day's quota sold out over HTTP"
OFFICE = "kanim-jakarta-pusat"
SERVICE = "paspor-baru"
HOLDS_PATH = "/api/v1/holds/"
DEFAULT_ROUNDS = 3

# Rate limits stay in force, just out of reach: every citizen comes from 127.0.0.1.
UNLIMITED = "100000000/h"
RATE_SETTINGS = (
    "GILIRAN_RATE_HOLD_PER_IP",
    "GILIRAN_RATE_HOLD_PER_NIK",
    "GILIRAN_RATE_CODE_PER_CONTACT",
    "GILIRAN_RATE_CODE_PER_IP",
    "GILIRAN_RATE_LOOKUP_PER_IP",
    "GILIRAN_CHALLENGE_AFTER",
)

# config/settings.py reads EMAIL_BACKEND from the environment but not EMAIL_FILE_PATH,
# which the file-based backend needs; this module, written to the run's temporary
# directory and put first on the server's PYTHONPATH, adds only that.
SETTINGS_MODULE = "flash_crowd_settings"
SETTINGS_OVERLAY = """\
import os

from config.settings import *  # noqa: F403

EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
"""


# --- Parameters -----------------------------------------------------------------------


@dataclass(frozen=True)
class CrowdParams:
    clients: int = 2000
    quota: int = 500
    time_limit: float = 300.0  # seconds for one crowd; the rest is cancelled and reported
    max_holds: int = 25  # hold attempts per citizen before giving up
    code_timeout: float = 30.0  # from the hold's answer to the code found in the mail
    warmup_clients: int = 9  # unmeasured bookings on another day, to warm every worker

    @property
    def max_requests_per_client(self) -> int:
        return 2 * self.max_holds + 1  # holds, a reload after each refusal, one confirm


QUICK_CROWD = CrowdParams(clients=400, quota=100)


@dataclass(frozen=True)
class Settings:
    options: harness.Options
    crowd: CrowdParams


def parse_settings(argv: Sequence[str] | None = None) -> Settings:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(
        description=f"{TITLE}. Also takes the harness's options (shown after these).",
        add_help=False,
    )
    defaults = CrowdParams()
    parser.add_argument("--clients", type=int, help=f"citizens at once ({defaults.clients})")
    parser.add_argument("--quota", type=int, help=f"places on the day ({defaults.quota})")
    parser.add_argument(
        "--time-limit", type=float, help=f"seconds per crowd ({defaults.time_limit:.0f})"
    )
    parser.add_argument(
        "--max-holds", type=int, help=f"hold attempts per citizen ({defaults.max_holds})"
    )
    if "-h" in argv or "--help" in argv:
        parser.print_help()
        print()
    mine, rest = parser.parse_known_args(argv)
    if "--quick" not in rest and not any(a.startswith("--rounds") for a in rest):
        rest = ["--rounds", str(DEFAULT_ROUNDS), *rest]
    options = harness.parse_options(
        f"{TITLE}: POST {HOLDS_PATH} and confirm vs {harness.BASELINE_PATH}", rest
    )
    preset = QUICK_CROWD if options.quick else defaults
    crowd = replace(
        preset,
        **{
            name: value
            for name, value in (
                ("clients", mine.clients),
                ("quota", mine.quota),
                ("time_limit", mine.time_limit),
                ("max_holds", mine.max_holds),
            )
            if value is not None
        },
    )
    if crowd.clients < 1 or crowd.quota < 1 or crowd.time_limit <= 0 or crowd.max_holds < 1:
        parser.error("--clients, --quota, --time-limit and --max-holds must be positive")
    command = " ".join([".venv/bin/python", "bench/flash_crowd.py", *argv])
    return Settings(replace(options, command=command), crowd)


# --- Test citizens --------------------------------------------------------------------


def nik(n: int) -> str:
    """A distinct valid NIK for each n below 28 × 12 × 9999: Jakarta, born in 1990
    (DDMMYY in digits 7-12), sequence never 0000."""
    day, month, seq = n % 28 + 1, n // 28 % 12 + 1, n // (28 * 12) + 1
    return f"317101{day:02d}{month:02d}90{seq:04d}"


def hold_request(slot_id: int, n: int, email: str) -> dict[str, Any]:
    return {
        "slot": slot_id,
        "full_name": f"Warga Bench {n}",
        "nik": nik(n),
        "phone": f"0812{n:08d}",
        "email": email,
        "channel": "email",
        "priority_group": "",
        "language": "id",
    }


# --- The day on sale ------------------------------------------------------------------

_PLAN_SCRIPT = """
import json
from datetime import timedelta
from django.db import transaction
from django.utils import timezone
from booking.models import Booking, Slot
from offices.models import OfficeService
from booking.selectors.availability import booking_window, days_availability

offered = OfficeService.objects.select_related("office", "service").get(
    office__code=OFFICE, service__code=SERVICE
)
now = timezone.now()
window = booking_window(offered, now)
# From the day after the first bookable one, so no minimum notice cuts a day short.
days = [
    d.day
    for d in days_availability(offered, window.first_day + timedelta(days=1), window.last_day, now)
    if d.status == "available"
]
if len(days) < len(QUOTAS):
    raise SystemExit(f"only {len(days)} bookable days in the window; need {len(QUOTAS)}")
plan = []
with transaction.atomic():
    for day, quota in zip(days, QUOTAS):
        slots = list(Slot.objects.filter(office_service=offered, local_date=day).order_by("starts_at"))
        assert not Booking.objects.filter(slot__in=slots).exists()
        base, extra = divmod(quota, len(slots))
        for index, slot in enumerate(slots):
            slot.capacity, slot.taken = base + (1 if index < extra else 0), 0
        Slot.objects.bulk_update(slots, ["capacity", "taken"])
        plan.append({"day": day.isoformat(), "capacities": {s.pk: s.capacity for s in slots}})
print("BENCH_PLAN " + json.dumps(plan))
"""


@dataclass(frozen=True)
class Day:
    day: str
    capacities: dict[int, int]  # slot id → capacity; they sum to the quota

    @property
    def path(self) -> str:
        return f"/api/v1/offices/{OFFICE}/services/{SERVICE}/availability/{self.day}/"


def plan_days(env: dict[str, str], quotas: Sequence[int]) -> list[Day]:
    """Give each of len(quotas) bookable days its quota, spread over the day's slots."""
    script = f"OFFICE, SERVICE, QUOTAS = {OFFICE!r}, {SERVICE!r}, {list(quotas)!r}\n{_PLAN_SCRIPT}"
    output = harness.manage(env, "shell", "--no-imports", "-c", script, what="shell (plan days)")
    line = next(line for line in output.splitlines() if line.startswith("BENCH_PLAN "))
    return [
        Day(row["day"], {int(k): int(v) for k, v in row["capacities"].items()})
        for row in json.loads(line.split(" ", 1)[1])
    ]


def check_day(server: harness.Server, day: Day) -> dict[int, int]:
    """The day's free times as the API shows them before the release: the whole quota."""
    body = harness.fetch_json(server.url(day.path))
    free = {int(t["slot"]): int(t["free"]) for t in body.get("times", [])}
    if free != day.capacities:
        raise SystemExit(f"bench: {day.path} does not show the quota: {str(body)[:300]}")
    return free


# --- HTTP/1.0 over asyncio streams ----------------------------------------------------
# No client library: gunicorn's sync workers close every connection after the response
# anyway, so a request is connect, write, read to EOF, which the standard library does
# with less client CPU (which competes with the server for the same two cores).


@dataclass(frozen=True)
class Answer:
    status: int  # 0: no HTTP answer (connection refused or reset, timeout)
    body: Any
    error: str = ""  # the API's error code, or the exception's name


async def http(
    host: str, port: int, method: str, path: str, body: Any = None, *, timeout: float
) -> Answer:
    payload = b"" if body is None else json.dumps(body).encode()
    head = (
        f"{method} {path} HTTP/1.0\r\nHost: {host}:{port}\r\nAccept: application/json\r\n"
        + (f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n" if body else "")
        + "\r\n"
    )

    async def exchange() -> bytes:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(head.encode() + payload)
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
    status_line, _, rest = raw.partition(b"\r\n")
    parts = status_line.split()
    if len(parts) < 2 or not parts[1].isdigit():
        return Answer(0, None, "bad_response")
    status = int(parts[1])
    content = rest.partition(b"\r\n\r\n")[2]
    try:
        data = json.loads(content) if content else None
    except ValueError:
        data = None
    error = data.get("code", "") if status >= 300 and isinstance(data, dict) else ""
    return Answer(status, data, error)


# --- Codes from the email files -------------------------------------------------------

MESSAGE_END = b"\n" + b"-" * 79 + b"\n"  # after each message (filebased.EmailBackend)
SUBJECT_WITH_CODE = re.compile(rb"^Subject: [^\r\n]*?\b(\d{6})[ \t]*\r?$", re.M)
TO_HEADER = re.compile(rb"^To: ([^\r\n]+?)[ \t]*\r?$", re.M)


def codes_in(text: bytes) -> Iterable[tuple[str, str]]:
    """(address, code) of every code message in a mail file. The header block of a
    message is written in one piece; looking for To: within the same block keeps this
    right even if two server processes appended to the same file."""
    for found in SUBJECT_WITH_CODE.finditer(text):
        start = text.rfind(b"\n\n", 0, found.start()) + 1
        end = text.find(b"\n\n", found.end())
        to = TO_HEADER.search(text, start, end if end != -1 else len(text))
        if to:
            yield to.group(1).decode().strip().lower(), found.group(1).decode()


class Mailbox:
    """Finds each citizen's code in the file-based backend's folder (one file per
    message, named after the time and an object id, so two processes can share one)."""

    SCAN_SECONDS = 0.02
    FULL_SCAN_AFTER = 0.5  # a waiter older than this: re-read grown old files too

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.sizes = {entry.path: entry.stat().st_size for entry in os.scandir(folder)}
        # Files that end with the backend's separator: their messages are whole. A file
        # is created empty when the backend opens it, and written when it closes.
        self.complete = set(self.sizes)
        self.codes: dict[str, str] = {}
        self.waiters: dict[str, tuple[asyncio.Future[str], float]] = {}
        self.wake = asyncio.Event()

    async def code_for(self, address: str, timeout: float) -> str:
        address = address.lower()
        if address in self.codes:
            return self.codes.pop(address)
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self.waiters[address] = (future, time.monotonic())
        self.wake.set()
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            self.waiters.pop(address, None)

    async def run(self) -> None:
        while True:
            await self.wake.wait()
            self.wake.clear()
            while self.waiters:
                self.scan()
                await asyncio.sleep(self.SCAN_SECONDS)

    def scan(self) -> None:
        oldest = min(started for _, started in self.waiters.values())
        full = time.monotonic() - oldest > self.FULL_SCAN_AFTER
        for entry in os.scandir(self.folder):
            if entry.path in self.complete and not full:
                continue
            size = entry.stat().st_size
            if size == self.sizes.get(entry.path):
                continue
            self.sizes[entry.path] = size
            text = Path(entry.path).read_bytes()
            if text.endswith(MESSAGE_END):
                self.complete.add(entry.path)
            for address, code in codes_in(text):
                waiter = self.waiters.get(address)
                if waiter and not waiter[0].done():
                    waiter[0].set_result(code)
                else:
                    self.codes[address] = code


# --- One crowd ------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    kind: str  # hold | confirm | availability
    status: int
    error: str
    started: float  # seconds after the release
    seconds: float


@dataclass
class Citizen:
    n: int
    email: str
    outcome: str = "unfinished"  # booked | sold_out | gave_up | failed | unfinished
    calls: list[Call] = field(default_factory=list)
    code_wait: float | None = None


@dataclass
class Crowd:
    host: str
    port: int
    day: Day
    params: CrowdParams
    mailbox: Mailbox
    release: asyncio.Event
    released_at: float = 0.0

    async def call(
        self, citizen: Citizen, kind: str, method: str, path: str, body: Any = None
    ) -> Answer:
        started = time.monotonic()
        answer = await http(
            # A citizen waits as long as the crowd may last: one who gave up would leave
            # its request in gunicorn's listen queue, still to be served (a hold that
            # nobody confirms, say).
            self.host,
            self.port,
            method,
            path,
            body,
            timeout=self.params.time_limit,
        )
        citizen.calls.append(
            Call(
                kind,
                answer.status,
                answer.error,
                round(started - self.released_at, 4),
                round(time.monotonic() - started, 4),
            )
        )
        return answer

    async def book(self, citizen: Citizen, view: dict[int, int]) -> None:
        """One citizen: hold a time from `view`, reload the day after each refusal, and
        confirm with the code from the email."""
        await self.release.wait()
        held: Answer | None = None
        for _attempt in range(self.params.max_holds):
            slot_id = random.choices(list(view), weights=list(view.values()))[0]
            answer = await self.call(
                citizen, "hold", "POST", HOLDS_PATH, hold_request(slot_id, citizen.n, citizen.email)
            )
            if answer.status == 201:
                held = answer
                break
            if (answer.status, answer.error) != (409, "slot_full"):
                citizen.outcome = "failed"
                return
            day = await self.call(citizen, "availability", "GET", self.day.path)
            if day.status != 200 or not isinstance(day.body, dict):
                citizen.outcome = "failed"
                return
            view = {int(t["slot"]): int(t["free"]) for t in day.body.get("times", [])}
            if not view:
                citizen.outcome = "sold_out"
                return
        if held is None:
            citizen.outcome = "gave_up"
            return
        waiting = time.monotonic()
        try:
            code = await self.mailbox.code_for(citizen.email, self.params.code_timeout)
        except TimeoutError:
            citizen.outcome = "failed"
            citizen.calls.append(Call("code", 0, "no_code_mail", waiting - self.released_at, 0.0))
            return
        citizen.code_wait = round(time.monotonic() - waiting, 4)
        token = held.body["hold_token"]
        confirmed = await self.call(
            citizen, "confirm", "POST", f"{HOLDS_PATH}{token}/confirm/", {"code": code}
        )
        citizen.outcome = "booked" if confirmed.status == 200 else "failed"


async def crowd_run(
    server: harness.Server,
    day: Day,
    params: CrowdParams,
    mail_dir: Path,
    *,
    clients: int,
    first_n: int,
    label: str,
) -> tuple[list[Citizen], float]:
    """Release `clients` citizens at once on `day`; returns them and the wall time."""
    parts = urlsplit(server.base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    harness.require_loopback(host)
    mailbox = Mailbox(mail_dir)
    crowd = Crowd(host, port, day, params, mailbox, asyncio.Event())
    citizens = [Citizen(first_n + i, f"{label}-{i}@bench.giliran.example") for i in range(clients)]
    view = dict(day.capacities)  # the list every citizen had open before the release
    scanner = asyncio.create_task(mailbox.run())
    tasks = [asyncio.create_task(crowd.book(c, view)) for c in citizens]
    await asyncio.sleep(0.2)  # every task is waiting on the release
    crowd.released_at = time.monotonic()
    crowd.release.set()
    _done, pending = await asyncio.wait(tasks, timeout=params.time_limit)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    wall = time.monotonic() - crowd.released_at
    scanner.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await scanner
    for task in tasks:
        failure = None if task.cancelled() else task.exception()
        if failure is not None:
            raise failure  # a bug in this script, not a server error
    return citizens, wall


# --- Figures --------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile, in milliseconds; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))
    return round(ordered[index] * 1000, 1)


def latency(calls: Sequence[Call]) -> dict[str, Any]:
    seconds = [c.seconds for c in calls]
    return {
        "count": len(calls),
        "p50_ms": percentile(seconds, 50),
        "p99_ms": percentile(seconds, 99),
    }


def crowd_figures(citizens: Sequence[Citizen], wall: float, quota: int) -> dict[str, Any]:
    calls = [c for citizen in citizens for c in citizen.calls]
    http_calls = [c for c in calls if c.kind != "code"]
    by_kind: dict[str, list[Call]] = {}
    for c in http_calls:
        by_kind.setdefault(c.kind, []).append(c)
    holds = by_kind.get("hold", [])
    held_ends = sorted(c.started + c.seconds for c in holds if c.status == 201)
    confirmed_ends = sorted(
        c.started + c.seconds for c in by_kind.get("confirm", []) if c.status == 200
    )
    sold_out_at = held_ends[quota - 1] if len(held_ends) >= quota else None
    server_errors = [c for c in http_calls if c.status >= 500 or c.status == 0]
    return {
        "clients": len(citizens),
        "outcomes": dict(Counter(c.outcome for c in citizens)),
        "requests": len(http_calls),
        "wall_seconds": round(wall, 3),
        "requests_per_second": round(len(http_calls) / wall, 1),
        "sold_out_seconds": None if sold_out_at is None else round(sold_out_at, 3),
        "holds": len(held_ends),
        "holds_per_second": round(quota / sold_out_at, 1) if sold_out_at else None,
        "confirmed": len(confirmed_ends),
        "all_confirmed_seconds": round(confirmed_ends[-1], 3) if confirmed_ends else None,
        "confirmations_per_second": round(len(confirmed_ends) / confirmed_ends[-1], 1)
        if confirmed_ends
        else None,
        "latency": {
            "hold": latency(holds),
            "hold_201": latency([c for c in holds if c.status == 201]),
            "hold_409": latency([c for c in holds if c.status == 409]),
            "confirm": latency(by_kind.get("confirm", [])),
            "availability": latency(by_kind.get("availability", [])),
        },
        "code_wait": {
            "p50_ms": percentile([c.code_wait for c in citizens if c.code_wait is not None], 50),
            "p99_ms": percentile([c.code_wait for c in citizens if c.code_wait is not None], 99),
        },
        "statuses": {
            kind: {f"{c.status} {c.error}".strip(): n for c, n in _status_counts(kind_calls)}
            for kind, kind_calls in sorted(by_kind.items())
        },
        "client_problems": [
            asdict(c) for c in calls if c.kind == "code" or c.status == 0 or c.status >= 500
        ][:50],
        "server_errors": len(server_errors),
    }


def _status_counts(calls: Sequence[Call]) -> list[tuple[Call, int]]:
    counts = Counter((c.status, c.error) for c in calls)
    return [(Call("", status, error, 0, 0), n) for (status, error), n in sorted(counts.items())]


def audit(db_url: str, day: Day) -> dict[str, Any]:
    """What the database says afterwards: nothing oversold, anywhere."""
    harness.require_loopback(urlsplit(db_url).hostname or "")
    with psycopg.connect(db_url, connect_timeout=10) as conn:
        over_capacity = conn.execute(
            "SELECT count(*) FROM booking_slot WHERE taken > capacity"
        ).fetchone()
        over_confirmed = conn.execute(
            """SELECT count(*) FROM (
                 SELECT s.id FROM booking_slot s JOIN booking_booking b ON b.slot_id = s.id
                 WHERE b.status = 'confirmed' GROUP BY s.id, s.capacity
                 HAVING count(*) > s.capacity) AS over"""
        ).fetchone()
        rows = conn.execute(
            """SELECT s.id, s.capacity, s.taken,
                      count(b.id) FILTER (WHERE b.occupies_slot),
                      count(b.id) FILTER (WHERE b.status = 'confirmed'),
                      count(b.id) FILTER (WHERE b.status = 'held' AND b.occupies_slot)
               FROM booking_slot s LEFT JOIN booking_booking b ON b.slot_id = s.id
               WHERE s.id = ANY(%s) GROUP BY s.id""",
            [list(day.capacities)],
        ).fetchall()
    return {
        "slots_over_capacity": int(over_capacity[0]) if over_capacity else -1,
        "slots_with_more_confirmed_than_capacity": int(over_confirmed[0]) if over_confirmed else -1,
        "day_slots_where_taken_is_not_the_occupying_bookings": sum(1 for r in rows if r[2] != r[3]),
        "day_capacity": sum(r[1] for r in rows),
        "day_taken": sum(r[2] for r in rows),
        "day_confirmed": sum(r[4] for r in rows),
        "day_live_holds": sum(r[5] for r in rows),
    }


def oversold(audit_row: dict[str, Any]) -> int:
    return (
        audit_row["slots_over_capacity"]
        + audit_row["slots_with_more_confirmed_than_capacity"]
        + audit_row["day_slots_where_taken_is_not_the_occupying_bookings"]
    )


def median(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(statistics.median(present), 3) if present else None


# --- The run --------------------------------------------------------------------------


def server_env(env: dict[str, str], var_dir: Path) -> tuple[dict[str, str], Path]:
    mail_dir = var_dir / "mail"
    mail_dir.mkdir()
    overlay_dir = var_dir / "settings"
    overlay_dir.mkdir()
    (overlay_dir / f"{SETTINGS_MODULE}.py").write_text(SETTINGS_OVERLAY)
    env = {
        **env,
        "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
        "PYTHONPATH": os.pathsep.join([str(overlay_dir), str(harness.BASE_DIR)]),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        **dict.fromkeys(RATE_SETTINGS, UNLIMITED),
    }
    return env, mail_dir


def warm_up(
    server: harness.Server, day: Day, params: CrowdParams, mail_dir: Path, wrk: str
) -> None:
    """Unmeasured: wrk on the baseline, and a few bookings on another day, so that every
    worker has loaded its templates, translations and connections before the release."""
    load = harness.LoadParams(duration=3)
    print("bench: warm-up /bench/hello/ and a few bookings on another day", flush=True)
    harness.run_wrk(
        wrk, server.url(harness.BASELINE_PATH), load, 3, label="hello", path="", index=0
    )
    citizens, _wall = asyncio.run(
        crowd_run(
            server, day, params, mail_dir, clients=params.warmup_clients, first_n=0, label="warm"
        )
    )
    outcomes = Counter(c.outcome for c in citizens)
    if outcomes.get("booked", 0) != params.warmup_clients:
        raise SystemExit(f"bench: the warm-up bookings did not all succeed: {dict(outcomes)}")


def settle(server: harness.Server, *, limit: float = 60.0) -> None:
    """Wait until the server answers the bare view at once, twice in a row: nothing of
    the previous crowd may still be queued when wrk starts."""
    deadline, quick = time.monotonic() + limit, 0
    while quick < 2 and time.monotonic() < deadline:
        started = time.monotonic()
        with contextlib.suppress(OSError):
            harness.fetch(server.url(harness.BASELINE_PATH), timeout=limit)
        quick = quick + 1 if time.monotonic() - started < 0.2 else 0
        time.sleep(0.2)


def main(argv: Sequence[str] | None = None) -> int:
    settings = parse_settings(argv)
    options, params = settings.options, settings.crowd
    # Python dies on SIGTERM without running `finally`; as SystemExit, the server stops.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    started = datetime.now(UTC).replace(microsecond=0)
    wrk = harness.ensure_wrk()
    harness.require_loopback(urlsplit(options.postgres).hostname or "")
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    log_path = harness.RESULTS_DIR / f"{NAME}-{stamp}-gunicorn.log"
    db_url = harness.database_url(options.postgres, options.database)
    rounds: list[dict[str, Any]] = []

    with tempfile.TemporaryDirectory(prefix="giliran-bench-") as tmp:
        var_dir = Path(tmp)
        env, mail_dir = server_env(harness.django_env(db_url, var_dir), var_dir)
        harness.prepare_site(env, options.postgres, options.database)
        warm_day, *days = plan_days(
            env, [params.warmup_clients] + [params.quota] * options.load.rounds
        )
        load_before = harness.load_average()
        with harness.gunicorn(env, options.server, log_path) as server:
            for day in days:
                check_day(server, day)
            print(
                f"bench: check {days[0].path}: {params.quota} places in {len(days[0].capacities)} times"
            )
            warm_up(server, warm_day, params, mail_dir, wrk)
            for index, day in enumerate(days, start=1):
                settle(server)
                hello = harness.run_wrk(
                    wrk,
                    server.url(harness.BASELINE_PATH),
                    options.load,
                    options.load.duration,
                    label="hello",
                    path=harness.BASELINE_PATH,
                    index=index,
                )
                print(f"bench: round {index}/{len(days)} {harness.BASELINE_PATH} "
                      f"{hello.requests_per_second:.1f} req/s, errors {hello.errors}", flush=True)  # fmt: skip
                print(f"bench: round {index}/{len(days)} releasing {day.day}: "
                      f"{params.quota} places, {params.clients} citizens", flush=True)  # fmt: skip
                citizens, wall = asyncio.run(
                    crowd_run(
                        server,
                        day,
                        params,
                        mail_dir,
                        clients=params.clients,
                        first_n=index * params.clients + params.warmup_clients,
                        label=f"r{index}",
                    )
                )
                figures = crowd_figures(citizens, wall, params.quota)
                checked = audit(db_url, day)
                ratio = (
                    round(figures["requests_per_second"] / hello.requests_per_second, 3)
                    if hello.requests_per_second
                    else None
                )
                rounds.append(
                    {
                        "index": index,
                        "day": day.day,
                        "times": len(day.capacities),
                        "hello": asdict(hello),
                        "crowd": figures,
                        "audit": checked,
                        "ratio": ratio,
                    }
                )
                _print_round(index, len(days), figures, checked, ratio)
        load_after = harness.load_average()

    problems = harness.server_log_problems(log_path)
    report = build_report(settings, started, wrk, rounds, problems, log_path)
    report["load_average"] = {"before": load_before, "after": load_after}
    results_path = harness.save_results(NAME, started, report)
    _print_summary(report, results_path)
    failures = report["failures"]
    if failures:
        print(f"bench: {'; '.join(failures)}; docs/benchmarks.md left as it was", file=sys.stderr)
        return 1
    if options.write_docs:
        harness.replace_docs_section(NAME, render_section(report))
        print(
            f"bench: wrote the {NAME} section of {harness.DOCS_FILE.relative_to(harness.BASE_DIR)}"
        )
    return 0


def build_report(
    settings: Settings,
    started: datetime,
    wrk: str,
    rounds: list[dict[str, Any]],
    problems: list[str],
    log_path: Path,
) -> dict[str, Any]:
    options, params = settings.options, settings.crowd
    crowds = [r["crowd"] for r in rounds]

    def med(*path: str) -> float | None:
        values = []
        for crowd in crowds:
            value: Any = crowd
            for key in path:
                value = value.get(key) if isinstance(value, dict) else None
            values.append(value)
        return median(values)

    summary = {
        "sold_out_seconds": med("sold_out_seconds"),
        "all_confirmed_seconds": med("all_confirmed_seconds"),
        "holds_per_second": med("holds_per_second"),
        "confirmations_per_second": med("confirmations_per_second"),
        "crowd_requests_per_second": med("requests_per_second"),
        "hello_requests_per_second": median(r["hello"]["requests_per_second"] for r in rounds),
        "throughput_ratio": median(r["ratio"] for r in rounds),
        "latency_ms": {
            kind: {"p50": med("latency", kind, "p50_ms"), "p99": med("latency", kind, "p99_ms")}
            for kind in ("hold", "hold_201", "hold_409", "confirm", "availability")
        },
        "code_wait_ms": {"p50": med("code_wait", "p50_ms"), "p99": med("code_wait", "p99_ms")},
    }
    failures = []
    oversold_total = sum(oversold(r["audit"]) for r in rounds)
    server_errors = sum(c["server_errors"] for c in crowds) + len(problems)
    hello_errors = sum(r["hello"]["non_2xx"] + r["hello"]["socket_errors"] for r in rounds)
    if oversold_total:
        failures.append(f"{oversold_total} oversold or inconsistent slots")
    if server_errors:
        failures.append(f"{server_errors} server errors")
    if hello_errors:
        failures.append(f"{hello_errors} errors on {harness.BASELINE_PATH}")
    for r in rounds:
        crowd, checked = r["crowd"], r["audit"]
        if r["ratio"] is None:
            failures.append(f"round {r['index']}: {harness.BASELINE_PATH} served nothing")
        if crowd["sold_out_seconds"] is None:
            failures.append(f"round {r['index']}: the day did not sell out")
        unfinished = crowd["outcomes"].get("unfinished", 0) + crowd["outcomes"].get("failed", 0)
        if unfinished:
            failures.append(f"round {r['index']}: {unfinished} citizens failed or unfinished")
        if checked["day_confirmed"] != crowd["confirmed"]:
            failures.append(
                f"round {r['index']}: {checked['day_confirmed']} confirmed in the database, "
                f"{crowd['confirmed']} confirmations answered"
            )
    return {
        "benchmark": NAME,
        "started": started.isoformat(),
        "command": options.command,
        "quick": options.quick,
        "crowd_params": asdict(params),
        "load": asdict(options.load),
        "server": asdict(options.server),
        "machine": harness.describe_machine(options.postgres, options.server, wrk),
        "summary": summary,
        "oversold": oversold_total,
        "server_errors": server_errors,
        "failures": failures,
        "server_log_problems": problems[:50],
        "server_log": str(log_path.relative_to(harness.BASE_DIR)),
        "rounds": rounds,
    }


def _ratio(value: float | None) -> str:
    return "?" if value is None else f"{value:.3f}"


def _ms(value: float | None) -> str:
    return "?" if value is None else f"{value:,.0f} ms"


def _num(value: float | None, unit: str = "") -> str:
    return "?" if value is None else f"{value:,.1f}{unit}"


def _print_round(
    index: int, count: int, figures: dict[str, Any], checked: dict[str, Any], ratio: float | None
) -> None:
    lat = figures["latency"]
    print(
        f"bench: round {index}/{count} crowd: sold out in {_num(figures['sold_out_seconds'], ' s')}, "
        f"all confirmed at {_num(figures['all_confirmed_seconds'], ' s')}, "
        f"{figures['requests']} requests in {figures['wall_seconds']:.1f} s "
        f"({figures['requests_per_second']:.1f} req/s, ratio to hello {_ratio(ratio)}); "
        f"hold p50/p99 {_ms(lat['hold']['p50_ms'])}/{_ms(lat['hold']['p99_ms'])}, "
        f"confirm p50/p99 {_ms(lat['confirm']['p50_ms'])}/{_ms(lat['confirm']['p99_ms'])}; "
        f"outcomes {figures['outcomes']}; server errors {figures['server_errors']}; "
        f"oversold {oversold(checked)} (taken {checked['day_taken']}/{checked['day_capacity']}, "
        f"confirmed {checked['day_confirmed']})",
        flush=True,
    )


def _print_summary(report: dict[str, Any], results_path: Path) -> None:
    s = report["summary"]
    lat = s["latency_ms"]
    print()
    print(f"medians over {len(report['rounds'])} rounds:")
    print(
        f"  sold out in {_num(s['sold_out_seconds'], ' s')}, all confirmed at {_num(s['all_confirmed_seconds'], ' s')}"
    )
    print(
        f"  holds/s {_num(s['holds_per_second'])}, confirmations/s {_num(s['confirmations_per_second'])}"
    )
    for kind in ("hold", "hold_201", "hold_409", "confirm", "availability"):
        print(f"  {kind:<13} p50 {_ms(lat[kind]['p50'])}  p99 {_ms(lat[kind]['p99'])}")
    print(
        f"  crowd {_num(s['crowd_requests_per_second'])} req/s, hello "
        f"{_num(s['hello_requests_per_second'])} req/s, ratio {s['throughput_ratio']}"
    )
    print(f"oversold: {report['oversold']}, server errors: {report['server_errors']}")
    print(f"raw results: {results_path.relative_to(harness.BASE_DIR)}")


ABOUT = """
A day of the demo passport office (`{office}`, `{service}`) gets a quota of {quota} places,
spread over its {times} times, and at one instant {clients:,} citizens try to book it
over HTTP, each as one asyncio task with its own NIK, phone and email: `POST {holds}` on a
time picked (weighted by free places) from the list they had open before the release,
the one-time code read from the email, `POST {holds}{{hold_token}}/confirm/`. A citizen
whose time was just taken (409 `slot_full`, expected and not an error) reloads the
day's free times (`GET …/availability/{{day}}/`) and tries another, up to {max_holds}
times; when no time is left the day is sold out and they give up. At most
{max_requests} requests per citizen, {time_limit:.0f} s per crowd.

The server is the harness's gunicorn with Django's file-based email backend; each
citizen finds its code in those files by its own address (no test-only way into the
application). Rate limits are set out of reach, since every citizen comes from
127.0.0.1. The client is the Python standard library (asyncio streams speaking
HTTP/1.0): gunicorn's sync workers close every connection after a response anyway, and
the client's CPU competes with the server's on the same two cores. All {clients:,}
connections wait in gunicorn's listen queue (backlog 2048), so latencies include that
wait: they are what a citizen sees, not the service time of a request.

Why 3 sync workers, as for the other benchmarks: every request here is CPU-bound Python
(templates, email, encryption) plus short transactions; on two cores shared with
PostgreSQL and the load client, more processes only add context switches, and a
transaction holds a slot's row lock only from its UPDATE to its commit, so a few workers
do not queue on each other in the database. Gunicorn serves the listen queue in order,
so the first requests served take the places and a citizen refused once finds the day
sold out when it reloads. Each round pairs a wrk run on `/bench/hello/` with one
crowd on a fresh day; the ratio is the crowd's request rate over the bare view's.
"""


def render_section(report: dict[str, Any]) -> str:
    params = CrowdParams(**report["crowd_params"])
    first = report["rounds"][0]
    machine, s = report["machine"], report["summary"]
    lat = s["latency_ms"]
    about = ABOUT.format(
        office=OFFICE,
        service=SERVICE,
        quota=params.quota,
        times=first["times"],
        clients=params.clients,
        holds=HOLDS_PATH,
        max_holds=params.max_holds,
        max_requests=params.max_requests_per_client,
        time_limit=params.time_limit,
    )
    rows = []
    for r in report["rounds"]:
        c = r["crowd"]
        rows.append(
            [
                str(r["index"]),
                _num(c["sold_out_seconds"], " s"),
                _num(c["all_confirmed_seconds"], " s"),
                _num(c["holds_per_second"]),
                _num(c["confirmations_per_second"]),
                f"{_ms(c['latency']['hold']['p50_ms'])} / {_ms(c['latency']['hold']['p99_ms'])}",
                f"{_ms(c['latency']['confirm']['p50_ms'])} / {_ms(c['latency']['confirm']['p99_ms'])}",
                f"{c['requests']:,} in {c['wall_seconds']:.0f} s",
                f"{c['requests_per_second']:,.0f}",
                f"{r['hello']['requests_per_second']:,.0f}",
                _ratio(r["ratio"]),
                str(c["server_errors"]),
                str(oversold(r["audit"])),
            ]
        )
    table = harness.markdown_table(
        [
            "round",
            "sold out",
            "all confirmed",
            "holds/s",
            "confirmations/s",
            "hold p50 / p99",
            "confirm p50 / p99",
            "requests",
            "crowd req/s",
            "hello req/s",
            "ratio",
            "server errors",
            "oversold",
        ],
        rows,
    )
    latency_rows = [
        [name, _ms(lat[kind]["p50"]), _ms(lat[kind]["p99"])]
        for kind, name in (
            ("hold", f"`POST {HOLDS_PATH}`, every answer"),
            ("hold_201", f"`POST {HOLDS_PATH}` → 201"),
            ("hold_409", f"`POST {HOLDS_PATH}` → 409 `slot_full`"),
            ("confirm", f"`POST {HOLDS_PATH}{{hold_token}}/confirm/`"),
            ("availability", "`GET …/availability/{day}/`"),
        )
    ]
    latency_table = harness.markdown_table(["request", "p50", "p99"], latency_rows)
    outcomes = Counter[str]()
    for r in report["rounds"]:
        outcomes.update(r["crowd"]["outcomes"])
    when = datetime.fromisoformat(report["started"]).strftime("%Y-%m-%d %H:%M UTC")
    loads = report["load_average"]
    load = report["load"]
    return f"""\
## {TITLE}

{about.strip()}

Command: `{report["command"]}`

Run on {when}:

- machine: {machine["nproc"]} CPUs (nproc), {machine["cpu"]}, {machine["memory"]} memory,
  Linux {machine["kernel"]}; load average (1, 5, 15 min) before: {loads["before"]},
  after: {loads["after"]}
- PostgreSQL {machine["postgresql"]}, Python {machine["python"]}, Django {machine["django"]}
- server: gunicorn {machine["gunicorn"]}, `DEBUG=0`, on 127.0.0.1
- crowd: {params.clients:,} citizens for {params.quota} places, {len(report["rounds"])} rounds
  (a fresh day each); baseline: {machine["wrk"].split(" [")[0]}, {load["threads"]} threads,
  {load["connections"]} connections, {load["duration"]} s before each crowd

{table}

Medians over the rounds: **sold out in {_num(s["sold_out_seconds"], " s")}**, every
booking confirmed at {_num(s["all_confirmed_seconds"], " s")}; {_num(s["holds_per_second"])}
holds/s and {_num(s["confirmations_per_second"])} confirmations/s;
**crowd/hello throughput {_ratio(s["throughput_ratio"])}** ({_num(s["crowd_requests_per_second"])}
requests/s of every kind against {_num(s["hello_requests_per_second"])} on `/bench/hello/`).
Oversold: **{report["oversold"]}**; server errors: **{report["server_errors"]}**.

{latency_table}

Citizens over all rounds: {", ".join(f"{k} {v:,}" for k, v in sorted(outcomes.items()))}.
Codes reached the citizens {_ms(s["code_wait_ms"]["p50"])} (p50) after the hold's
answer ({_ms(s["code_wait_ms"]["p99"])} p99: the client looks for new mail files every
20 ms).

"Sold out" is when the answer to the hold that took the last place arrived, counted from
the release; holds/s is the quota over that time, confirmations/s the confirmed bookings
over the time of the last confirmation. Latencies are medians over the rounds of each
round's p50 and p99, from connect to the last byte. Server errors count 5xx answers,
requests without an HTTP answer, and tracebacks in the server log. Afterwards the
database is audited: no slot over its capacity or with more confirmed bookings than
its capacity, and each of the day's slots counting exactly the bookings occupying it
(all three are "oversold" if broken). The run fails on any server error, oversold slot,
a day that did not sell out, or a citizen left without an answer.
"""


if __name__ == "__main__":
    sys.exit(main())
