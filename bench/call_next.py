"""Benchmark: twenty counters call the next ticket over HTTP while a flash crowd books.

    .venv/bin/python bench/call_next.py            # full run, rewrites its docs section
    .venv/bin/python bench/call_next.py --quick    # smoke run, leaves the docs alone

An office of its own gets 20 open counters, each able to serve all three of its
services, one clerk per counter signed in through the staff sign-in page, and 5,000
tickets waiting today (in the office's own zone). Each counter is an asyncio task that
works the staff API like a clerk who never pauses: POST …/next/, then …/start/ and
…/finish/ (…/no-show/ for one ticket in ten), and again. Each round runs the counters
alone for a while (the quiet phase), then while a flash crowd from bench/flash_crowd.py
books another office's day through the same server (the crowd phase; the crowd runs
in a process of its own). Four probes GET /bench/hello/ ten times a second each
throughout: the bare view's server time under the same load is the baseline.

The server is the harness's gunicorn with an access log: each request carries an
X-Bench-Id header, and the log gives its server time (gunicorn's request time, without
the wait in the listen queue); the client's wall time is recorded too. Afterwards the
database is audited: no ticket called twice or by two counters, every call answered to
the client, and the crowd's day not oversold.

bench/harness.py does the setup; --help lists this benchmark's parameters and the
harness's (--rounds: rounds, 3 by default here; --duration: seconds of the quiet phase
of each round; --warmup: seconds of unmeasured calling before the first round).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import http.cookiejar
import itertools
import json
import multiprocessing
import random
import re
import secrets
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import flash_crowd
import harness
import psycopg

NAME = "call_next"
TITLE = "Call next under load"
OFFICE = "bench-loket"
TEMPLATE_OFFICE = "kanim-jakarta-pusat"  # the demo office whose services are copied
ZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")
DEFAULT_ROUNDS = 3
# Not the harness's giliran_bench: another benchmark running at the same time would
# drop this one's database under it.
DEFAULT_DATABASE = "giliran_bench_call_next"
GOAL_P99_MS = 20.0
CROWD_TIME_LIMIT = 360.0  # seconds for one crowd; longer than flash_crowd.py's own
COUNTERS_API = "/api/v1/counters/"
LOGIN_PATH = "/staf/masuk/"
# next: a call that got a ticket; next-empty: one answered "nobody waiting".
KINDS = ("next", "next-empty", "start", "finish", "no-show", "hello")
EMPTY_RETRY_SECONDS = 0.2  # a clerk told "nobody waiting" presses again
PHASES = ("quiet", "crowd")


# --- Parameters -----------------------------------------------------------------------


@dataclass(frozen=True)
class CounterParams:
    counters: int = 20
    waiting: int = 5000  # tickets waiting at the start of each round (topped up)
    no_show_percent: int = 10
    probes: int = 4  # tasks GETting /bench/hello/, each waiting probe_interval in between
    probe_interval: float = 0.1
    # Includes the wait in gunicorn's listen queue, behind up to 2,000 citizens.
    request_timeout: float = 300.0
    stop_timeout: float = 120.0  # for the counters to end their cycle at a pause


@dataclass(frozen=True)
class Settings:
    options: harness.Options
    counters: CounterParams
    crowd: flash_crowd.CrowdParams


def parse_settings(argv: Sequence[str] | None = None) -> Settings:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(
        description=f"{TITLE}. Also takes the harness's options (shown after these).",
        add_help=False,
    )
    defaults, crowd_defaults = CounterParams(), flash_crowd.CrowdParams()
    parser.add_argument("--counters", type=int, help=f"open counters ({defaults.counters})")
    parser.add_argument(
        "--waiting", type=int, help=f"tickets waiting at each round's start ({defaults.waiting})"
    )
    parser.add_argument(
        "--clients", type=int, help=f"citizens in each crowd ({crowd_defaults.clients})"
    )
    parser.add_argument(
        "--quota", type=int, help=f"places on each crowd's day ({crowd_defaults.quota})"
    )
    if "-h" in argv or "--help" in argv:
        parser.print_help()
        print()
    mine, rest = parser.parse_known_args(argv)
    if "--quick" not in rest and not any(a.startswith("--rounds") for a in rest):
        rest = ["--rounds", str(DEFAULT_ROUNDS), *rest]
    if not any(a.startswith("--database") for a in rest):
        rest = ["--database", DEFAULT_DATABASE, *rest]
    options = harness.parse_options(
        f"{TITLE}: POST {COUNTERS_API}<id>/next/ during a flash crowd", rest
    )
    counters = replace(
        defaults,
        **{
            k: v
            for k, v in (("counters", mine.counters), ("waiting", mine.waiting))
            if v is not None
        },
    )
    preset = flash_crowd.QUICK_CROWD if options.quick else crowd_defaults
    crowd = replace(
        preset,
        # The counters slow the server down: the crowd gets longer bounds than on its own.
        time_limit=CROWD_TIME_LIMIT,
        **{k: v for k, v in (("clients", mine.clients), ("quota", mine.quota)) if v is not None},
    )
    if counters.counters < 1 or counters.waiting < 1 or crowd.clients < 1 or crowd.quota < 1:
        parser.error("--counters, --waiting, --clients and --quota must be positive")
    command = " ".join([".venv/bin/python", "bench/call_next.py", *argv])
    return Settings(replace(options, command=command), counters, crowd)


# --- The office, its counters, clerks and queue ---------------------------------------


def pick_zone(now: datetime) -> str:
    """The Indonesian zone whose local time is furthest from midnight now, so that the
    office's day does not end during the run (at worst an hour away)."""

    def margin(zone: str) -> int:
        local = now.astimezone(ZoneInfo(zone))
        minutes = local.hour * 60 + local.minute
        return min(minutes, 24 * 60 - minutes)

    return max(ZONES, key=margin)


_SETUP_SCRIPT = """
import json
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import transaction
from offices.models import Counter, Office, OfficeService, Role, StaffMembership
from queueing.models import CounterState, CounterStatus

with transaction.atomic():
    template = Office.objects.get(code=TEMPLATE)
    office = Office.objects.get(pk=template.pk)
    office.pk = None
    office.code, office.name, office.timezone = OFFICE, "Kantor Bench Antrean", ZONE
    office.save()
    offered = []
    for source in OfficeService.objects.filter(office=template, is_active=True):
        source.pk = None
        source.office = office
        source.save()
        offered.append(source)
    services = [o.service for o in offered]
    password = make_password(PASSWORD)  # hashed once: the clerks share it
    users = User.objects.bulk_create(
        [User(username=f"loket{n:02d}.bench", first_name=f"Petugas {n}", password=password)
         for n in range(1, COUNTERS + 1)]
    )
    StaffMembership.objects.bulk_create(
        [StaffMembership(user=u, office=office, role=Role.CLERK) for u in users]
    )
    rows = []
    for n, user in enumerate(users, start=1):
        counter = Counter.objects.create(office=office, number=n, name=f"Loket {n:02d}")
        counter.services.set(services)
        CounterState.objects.create(counter=counter, status=CounterStatus.OPEN, staff=user)
        rows.append({"id": counter.pk, "number": n, "name": counter.name, "username": user.username})
print("BENCH_SETUP " + json.dumps({
    "office_id": office.pk, "timezone": office.timezone, "counters": rows,
    "services": {o.service.code: o.ticket_letter for o in offered},
}))
"""

# Walk-ins as a kiosk issues them (letter, number from the office-day's sequence, the
# issue event), in bulk: 5,000 ticket_issue() calls would take minutes. The first fill
# spreads their queue times over the last three hours; a top-up between rounds adds
# tickets that joined in the last minutes. Shares of services and priority groups
# roughly as a passport office's walk-ins.
_TOP_UP_SCRIPT = """
import json, random, secrets
from datetime import timedelta
from zoneinfo import ZoneInfo
from django.db import connection, transaction
from django.utils import timezone
from offices.models import Office, OfficeService
from queueing.models import Ticket, TicketEvent, TicketEventKind, TicketSequence, TicketSource, TicketStatus

office = Office.objects.get(code=OFFICE)
now = timezone.now()
day = now.astimezone(ZoneInfo(office.timezone)).date()
offered = list(OfficeService.objects.filter(office=office).order_by("ticket_letter"))
shares = [50, 30, 20][: len(offered)] + [10] * max(0, len(offered) - 3)
rng = random.Random(SEED)
with transaction.atomic():
    waiting = Ticket.objects.filter(office=office, local_date=day, status=TicketStatus.WAITING).count()
    need = max(0, TARGET - waiting)
    spread = timedelta(hours=3) if waiting == 0 else timedelta(minutes=5)
    sequences = {}
    for o in offered:
        sequences[o.ticket_letter], _ = TicketSequence.objects.select_for_update().get_or_create(
            office=office, local_date=day, letter=o.ticket_letter
        )
    tickets = []
    for i in range(need):
        o = rng.choices(offered, weights=shares)[0]
        sequence = sequences[o.ticket_letter]
        sequence.last_number += 1
        tickets.append(Ticket(
            office=office, office_service=o, local_date=day, letter=o.ticket_letter,
            number=sequence.last_number,
            source=rng.choice([TicketSource.KIOSK, TicketSource.KIOSK, TicketSource.REMOTE]),
            priority_group=rng.choices(
                ["", "elderly", "disability", "pregnant", "infant"], weights=[88, 6, 2, 2, 2]
            )[0],
            queued_at=now - spread * (need - i) / need,
            public_token=secrets.token_urlsafe(16),
        ))
    Ticket.objects.bulk_create(tickets, batch_size=1000)
    TicketEvent.objects.bulk_create(
        [TicketEvent(ticket=t, kind=TicketEventKind.ISSUED, at=t.queued_at,
                     details={"source": t.source}) for t in tickets],
        batch_size=1000,
    )
    for sequence in sequences.values():
        sequence.save(update_fields=["last_number"])
# As autovacuum would soon: without statistics on the new rows the planner guesses one.
with connection.cursor() as cursor:
    cursor.execute("ANALYZE queueing_ticket")
    cursor.execute("ANALYZE queueing_ticketevent")
after = Ticket.objects.filter(office=office, local_date=day, status=TicketStatus.WAITING)
print("BENCH_QUEUE " + json.dumps({
    "day": day.isoformat(), "waiting_before": waiting, "added": need,
    "waiting": after.count(),
    "priority": after.exclude(priority_group="").count(),
    "starved": after.filter(
        queued_at__lt=now - timedelta(minutes=office.queue_starvation_minutes)
    ).count(),
}))
"""


def set_up_office(env: dict[str, str], zone: str, counters: int, password: str) -> dict[str, Any]:
    header = (
        f"OFFICE, TEMPLATE, ZONE, COUNTERS, PASSWORD = "
        f"{OFFICE!r}, {TEMPLATE_OFFICE!r}, {zone!r}, {counters!r}, {password!r}\n"
    )
    office: dict[str, Any] = harness.manage_shell(
        env, header + _SETUP_SCRIPT, "BENCH_SETUP", "office"
    )
    return office


def top_up(env: dict[str, str], target: int, seed: int) -> dict[str, Any]:
    header = f"OFFICE, TARGET, SEED = {OFFICE!r}, {target!r}, {seed!r}\n"
    queue: dict[str, Any] = harness.manage_shell(
        env, header + _TOP_UP_SCRIPT, "BENCH_QUEUE", "queue top-up"
    )
    return queue


# In-process, in transactions rolled back: the SQL of one call-next request with each
# query's time, and the request's time with nothing else of the benchmark running. Then
# the candidate query exactly as that request ran it ("service"), timed in alternation
# with the same query selecting the id only, and without its row lock (not a fix: it
# shows what the lock costs the sort), with their plans. Then a lock probe: several
# counters' transactions call queueing.services.call_next() one after the other, each
# keeping its locks until all have called, as counters calling at the same moment do.
_PROFILE_SCRIPT = """
import json, re, statistics, threading, time
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from offices.models import Counter, OfficeService
from queueing.services.calling import call_next

counters = list(
    Counter.objects.filter(office__code=OFFICE).select_related("office").order_by("number")
)
clerks = {u.username: u for u in User.objects.filter(username__endswith=".bench")}
counter = counters[0]
user = clerks[USERNAME]
client = Client(HTTP_HOST="127.0.0.1")
base = f"/api/v1/counters/{counter.pk}/"

def post(action):
    response = client.post(base + action + "/")
    assert response.status_code == 200, (action, response.status_code, response.content[:300])
    return response

def explain(sql):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        plan = [row[0] for row in cursor.fetchall()]
        transaction.set_rollback(True)
    return plan

def run(sql):
    with transaction.atomic(), connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(sql)
        cursor.fetchall()
        transaction.set_rollback(True)
        return (time.perf_counter() - started) * 1000

with transaction.atomic():
    client.force_login(user)
    for action in ("next", "start", "finish"):  # warms this process's caches
        post(action)
    with CaptureQueriesContext(connection) as capture:
        response = post("next")
    queries = list(capture.captured_queries)  # the next request empties Django's log
    assert response.json()["current"] is not None
    post("start"), post("finish")
    seconds = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        post("next")
        seconds.append(time.perf_counter() - started)
        post("start"), post("finish")
    transaction.set_rollback(True)

service = next(q["sql"] for q in queries if "SKIP LOCKED" in q["sql"])
counts = next(q["sql"] for q in queries if "GROUP BY" in q["sql"] and "COUNT(" in q["sql"])
id_only = re.sub(r'^SELECT .*? FROM "queueing_ticket"', 'SELECT "queueing_ticket"."id" FROM "queueing_ticket"', service, count=1, flags=re.S)
no_lock = re.sub(r" FOR UPDATE.*$", "", service, flags=re.S)
variants = {"service": service, "id_only": id_only, "no_lock": no_lock}
times = {name: [] for name in variants}
for _ in range(VARIANT_REPEATS):
    for name, sql in variants.items():
        times[name].append(run(sql))

def lock_probe(holders):
    turn, barrier, got = threading.Lock(), threading.Barrier(holders), [None] * holders
    def hold(i):
        try:
            with transaction.atomic():
                with turn:
                    ticket = call_next(counter=counters[i], staff=clerks[f"loket{i + 1:02d}.bench"])
                    got[i] = None if ticket is None else ticket.display_number
                barrier.wait(timeout=60)
                transaction.set_rollback(True)
        except Exception as error:
            got[i] = f"error: {type(error).__name__}: {error}"
        finally:
            connection.close()
    threads = [threading.Thread(target=hold, args=(i,)) for i in range(holders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return got

holders = min(LOCK_HOLDERS, len(counters))
profile = {
    "queries": [{"ms": round(float(q["time"]) * 1000, 3), "sql": q["sql"]} for q in queries],
    "request_ms_median": round(statistics.median(seconds) * 1000, 2),
    "request_ms_max": round(max(seconds) * 1000, 2),
    "repeats": REPEATS,
    "waiting_counts_plan": explain(counts),
    "variants": {
        name: {
            "median_ms": round(statistics.median(times[name]), 2),
            "p90_ms": round(sorted(times[name])[int(0.9 * (len(times[name]) - 1))], 2),
            "repeats": len(times[name]),
            "sql": sql,
            "plan": explain(sql),
        }
        for name, sql in variants.items()
    },
    "id_only_rewritten": id_only != service,
    "lock_probe": lock_probe(holders),
    "services": OfficeService.objects.filter(office=counter.office).count(),
}
print("BENCH_PROFILE " + json.dumps(profile))
"""


def profile_call_next(env: dict[str, str], username: str) -> dict[str, Any]:
    header = (
        f"OFFICE, USERNAME, REPEATS, VARIANT_REPEATS, LOCK_HOLDERS = "
        f"{OFFICE!r}, {username!r}, 20, 30, 5\n"
    )
    profile: dict[str, Any] = harness.manage_shell(
        env, header + _PROFILE_SCRIPT, "BENCH_PROFILE", "profile"
    )
    return profile


# --- Signing in -----------------------------------------------------------------------


@dataclass(frozen=True)
class Clerk:
    username: str
    counter_id: int
    counter_number: int
    counter_name: str
    session: str
    csrf: str

    @property
    def headers(self) -> dict[str, str]:
        # DRF checks CSRF on session-authenticated POSTs: the cookie and the header.
        return {"Cookie": f"sessionid={self.session}; csrftoken={self.csrf}", "X-CSRFToken": self.csrf}  # fmt: skip


CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def sign_in(server: harness.Server, counter: dict[str, Any], password: str) -> Clerk:
    """Sign in at the staff sign-in page as a person does: the form, its CSRF token, the
    session cookie."""
    url = server.url(LOGIN_PATH)
    harness.require_loopback(urlsplit(url).hostname or "")
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(url, timeout=30) as page:
        token = CSRF_INPUT.search(page.read().decode())
    if token is None:
        raise SystemExit(f"bench: no CSRF token in the form at {LOGIN_PATH}")
    form = urllib.parse.urlencode(
        {"username": counter["username"], "password": password, "csrfmiddlewaretoken": token[1]}
    ).encode()
    with opener.open(url, data=form, timeout=60) as answer:
        answer.read()
    cookies = {cookie.name: cookie.value or "" for cookie in jar}
    if "sessionid" not in cookies or "csrftoken" not in cookies:
        raise SystemExit(f"bench: signing in as {counter['username']} gave no session")
    return Clerk(
        counter["username"],
        int(counter["id"]),
        int(counter["number"]),
        str(counter["name"]),
        cookies["sessionid"],
        cookies["csrftoken"],
    )


def check_counter(server: harness.Server, clerk: Clerk, waiting: int) -> None:
    """GET the counter as its clerk: open, nothing current, the whole queue waiting."""
    request = urllib.request.Request(  # noqa: S310 - http on loopback
        server.url(f"{COUNTERS_API}{clerk.counter_id}/"), headers=clerk.headers
    )
    harness.require_loopback(urlsplit(request.full_url).hostname or "")
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        body = json.loads(response.read())
    shown = sum(body.get("waiting", {}).values())
    if body.get("status") != "open" or body.get("current") is not None or shown != waiting:
        raise SystemExit(f"bench: counter {clerk.counter_number} is not ready: {str(body)[:300]}")


# --- HTTP/1.0 over asyncio streams, with headers --------------------------------------


@dataclass(frozen=True)
class Reply:
    status: int  # 0: no HTTP answer (refused, reset, timeout)
    body: Any
    error: str = ""


async def send(
    host: str, port: int, method: str, path: str, headers: dict[str, str], timeout: float
) -> Reply:
    head = (
        f"{method} {path} HTTP/1.0\r\nHost: {host}:{port}\r\nAccept: application/json\r\n"
        + "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        + ("Content-Length: 0\r\n" if method == "POST" else "")
        + "\r\n"
    )

    async def exchange() -> bytes:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(head.encode())
            await writer.drain()
            return await reader.read()
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    try:
        raw = await asyncio.wait_for(exchange(), timeout)
    except (OSError, TimeoutError) as failure:
        return Reply(0, None, type(failure).__name__)
    status_line, _, rest = raw.partition(b"\r\n")
    parts = status_line.split()
    if len(parts) < 2 or not parts[1].isdigit():
        return Reply(0, None, "bad_response")
    status = int(parts[1])
    content = rest.partition(b"\r\n\r\n")[2]
    try:
        data = json.loads(content) if content else None
    except ValueError:
        data = None
    error = data.get("code", "") if status >= 300 and isinstance(data, dict) else ""
    return Reply(status, data, error)


# --- The counters ---------------------------------------------------------------------


@dataclass
class Record:
    """One request as the client saw it."""

    bench_id: str
    kind: str  # one of KINDS
    started: float  # time.monotonic()
    seconds: float
    status: int
    error: str
    counter: int = 0
    ticket: str = ""  # for next: the number called
    server_ms: float | None = None  # from the access log
    # Where the server served it (see assign_phases); "" outside the measured phases.
    phase: str = ""
    round: int = 0

    @property
    def served_at(self) -> float:
        """When the server began to serve it: the wait in the listen queue is before."""
        return self.started + self.seconds - (self.server_ms or 0.0) / 1000


@dataclass
class Run:
    host: str
    port: int
    params: CounterParams
    stop: bool = False
    in_cycle: int = 0
    records: list[Record] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    going: asyncio.Event = field(default_factory=asyncio.Event)
    ids: itertools.count[int] = field(default_factory=itertools.count)

    async def request(
        self, kind: str, method: str, path: str, headers: dict[str, str], counter: int = 0
    ) -> tuple[Reply, Record]:
        bench_id = f"{f'c{counter:02d}' if counter else 'h'}-{next(self.ids)}"
        started = time.monotonic()
        reply = await send(
            self.host,
            self.port,
            method,
            path,
            {**headers, harness.BENCH_ID_HEADER: bench_id},
            self.params.request_timeout,
        )
        record = Record(
            bench_id,
            kind,
            started,
            time.monotonic() - started,
            reply.status,
            reply.error,
            counter,
        )
        self.records.append(record)
        return reply, record

    async def pause(self) -> None:
        """Let every counter end its cycle, so none holds a ticket, and hold them there."""
        self.going.clear()
        deadline = time.monotonic() + self.params.stop_timeout
        while self.in_cycle and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        if self.in_cycle:
            raise SystemExit(f"bench: {self.in_cycle} counters did not end their cycle")


async def counter_loop(run: Run, clerk: Clerk, rng: random.Random) -> None:
    """One clerk: call, then start and finish (or no-show), until told to stop. A counter
    that gets anything but 200 stops: it may hold a ticket, and calling again would only
    be refused; the run counts the error and fails."""
    base = f"{COUNTERS_API}{clerk.counter_id}/"
    number = clerk.counter_number
    while True:
        await run.going.wait()
        if run.stop:
            return
        run.in_cycle += 1
        try:
            reply, record = await run.request("next", "POST", base + "next/", clerk.headers, number)
            if reply.status != 200 or not isinstance(reply.body, dict):
                run.problems.append(f"counter {number}: next answered {reply.status} {reply.error}")
                return
            current = reply.body.get("current")
            if current is None:
                record.kind = "next-empty"
                await asyncio.sleep(EMPTY_RETRY_SECONDS)
                continue
            record.ticket = str(current.get("number"))
            if current.get("status") != "called" or current.get("counter") != clerk.counter_name:
                run.problems.append(f"counter {number}: next answered {str(current)[:200]}")
                return
            steps = ["no-show"] if rng.random() * 100 < run.params.no_show_percent else ["start", "finish"]  # fmt: skip
            for step in steps:
                reply, _ = await run.request(step, "POST", f"{base}{step}/", clerk.headers, number)
                if reply.status != 200:
                    run.problems.append(f"counter {number}: {step} answered {reply.status} {reply.error}")  # fmt: skip
                    return
        finally:
            run.in_cycle -= 1


async def probe_loop(run: Run) -> None:
    while not run.stop:
        await run.request("hello", "GET", harness.BASELINE_PATH, {})
        await asyncio.sleep(run.params.probe_interval)


# --- The crowd, in a process of its own -----------------------------------------------


def crowd_in_process(
    server: harness.Server,
    day: flash_crowd.Day,
    params: flash_crowd.CrowdParams,
    mail_dir: Path,
    clients: int,
    first_n: int,
    label: str,
) -> dict[str, Any]:
    """bench/flash_crowd.py's crowd, run in a worker process so that its 2,000 tasks do not
    share an event loop (and a GIL) with the counters whose wall time is measured."""
    citizens, wall = asyncio.run(
        flash_crowd.crowd_run(
            server, day, params, mail_dir, clients=clients, first_n=first_n, label=label
        )
    )
    return flash_crowd.crowd_figures(citizens, wall, min(clients, sum(day.capacities.values())))


def _ready() -> bool:
    return True


# --- One run --------------------------------------------------------------------------


@dataclass
class Context:
    settings: Settings
    env: dict[str, str]
    server: harness.Server
    mail_dir: Path
    clerks: list[Clerk]
    warm_day: flash_crowd.Day
    days: list[flash_crowd.Day]
    pool: ProcessPoolExecutor
    db_url: str
    office_id: int


def count_waiting(db_url: str, office_id: int) -> int:
    harness.require_loopback(urlsplit(db_url).hostname or "")
    with psycopg.connect(db_url, connect_timeout=10) as conn:
        row = conn.execute(
            "SELECT count(*) FROM queueing_ticket WHERE office_id = %s AND status = 'waiting'",
            [office_id],
        ).fetchone()
    return int(row[0]) if row else -1


async def drive(ctx: Context) -> tuple[list[dict[str, Any]], Run]:
    options, params, crowd = ctx.settings.options, ctx.settings.counters, ctx.settings.crowd
    parts = urlsplit(ctx.server.base_url)
    run = Run(parts.hostname or "127.0.0.1", parts.port or 80, params)
    harness.require_loopback(run.host)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(ctx.pool, _ready)  # the crowd's process is up before timing

    def crowd_job(day: flash_crowd.Day, clients: int, first_n: int, label: str) -> Any:
        job = functools.partial(
            crowd_in_process, ctx.server, day, crowd, ctx.mail_dir, clients, first_n, label
        )
        return loop.run_in_executor(ctx.pool, job)

    counters = [
        asyncio.create_task(counter_loop(run, clerk, random.Random(clerk.counter_number)))
        for clerk in ctx.clerks
    ]
    probes = [asyncio.create_task(probe_loop(run)) for _ in range(params.probes)]
    rounds: list[dict[str, Any]] = []
    try:
        print(
            f"bench: warm-up: {len(ctx.clerks)} counters for {options.load.warmup} s and "
            f"{crowd.warmup_clients} bookings on another day",
            flush=True,
        )
        run.going.set()
        warm = crowd_job(ctx.warm_day, crowd.warmup_clients, 0, "warm")
        await asyncio.sleep(options.load.warmup)
        warm_figures = await warm
        if warm_figures["outcomes"].get("booked", 0) != crowd.warmup_clients:
            raise SystemExit(f"bench: warm-up bookings failed: {warm_figures['outcomes']}")
        for index, day in enumerate(ctx.days, start=1):
            await run.pause()
            queue = await asyncio.to_thread(top_up, ctx.env, params.waiting, index)
            print(
                f"bench: round {index}/{len(ctx.days)}: {queue['waiting']} waiting "
                f"({queue['added']} added); quiet phase {options.load.duration} s",
                flush=True,
            )
            quiet_start = time.monotonic()
            run.going.set()
            await asyncio.sleep(options.load.duration)
            crowd_start = time.monotonic()
            print(
                f"bench: round {index}/{len(ctx.days)}: crowd phase, {crowd.clients} citizens "
                f"for {crowd.quota} places on {day.day}",
                flush=True,
            )
            figures = await crowd_job(
                day, crowd.clients, index * crowd.clients + crowd.warmup_clients, f"r{index}"
            )
            crowd_end = time.monotonic()
            waiting_end = await asyncio.to_thread(count_waiting, ctx.db_url, ctx.office_id)
            rounds.append(
                {
                    "index": index,
                    "day": day.day,
                    "queue": queue,
                    "waiting_at_end": waiting_end,
                    "phases": {
                        "quiet": {"start": quiet_start, "end": crowd_start},
                        "crowd": {"start": crowd_start, "end": crowd_end},
                    },
                    "crowd": figures,
                }
            )
            if run.problems:
                break
        await run.pause()
    finally:
        run.stop = True
        run.going.set()
        await asyncio.wait(counters, timeout=params.stop_timeout)
        for probe in probes:
            probe.cancel()
        await asyncio.gather(*probes, *counters, return_exceptions=True)
    return rounds, run


# --- Figures --------------------------------------------------------------------------


def latency(records: Sequence[Record]) -> dict[str, Any]:
    server = [r.server_ms for r in records if r.server_ms is not None]
    client = [r.seconds * 1000 for r in records]
    pct = harness.percentile_ms
    return {
        "count": len(records),
        "server_p50_ms": pct(server, 50),
        "server_p90_ms": pct(server, 90),
        "server_p99_ms": pct(server, 99),
        "server_max_ms": round(max(server), 2) if server else None,
        "client_p50_ms": pct(client, 50),
        "client_p99_ms": pct(client, 99),
    }


def join_access_log(records: Sequence[Record], access: Sequence[harness.AccessRecord]) -> int:
    """Give each record its server time; returns how many answered records found none."""
    by_id = {a.bench_id: a for a in access if a.bench_id != "-"}
    missing = 0
    for record in records:
        line = by_id.get(record.bench_id)
        if line is not None:
            record.server_ms = line.server_ms
        elif record.status:
            missing += 1
    return missing


def assign_phases(records: Sequence[Record], rounds: Sequence[dict[str, Any]]) -> None:
    """A request belongs to the round and phase in which the server served it: one sent
    during a crowd may wait in the listen queue until the crowd is over."""
    windows = [
        (r["index"], phase, r["phases"][phase]["start"], r["phases"][phase]["end"])
        for r in rounds
        for phase in PHASES
    ]
    for record in records:
        at = record.served_at
        for index, phase, start, end in windows:
            if start <= at < end:
                record.round, record.phase = index, phase
                break


def phase_figures(
    records: Sequence[Record], rounds: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Per round and phase: latency of each kind of request, and calls per second."""
    rows = []
    for r in rounds:
        for phase in PHASES:
            window = r["phases"][phase]
            seconds = window["end"] - window["start"]
            mine = [x for x in records if x.round == r["index"] and x.phase == phase]
            calls = [x for x in mine if x.kind == "next" and x.status == 200 and x.ticket]
            empty = [x for x in mine if x.kind == "next-empty"]
            rows.append(
                {
                    "round": r["index"],
                    "phase": phase,
                    "seconds": round(seconds, 3),
                    "calls": len(calls),
                    "calls_per_second": round(len(calls) / seconds, 2) if seconds else None,
                    "empty_answers": len(empty),
                    "empty_share": round(len(empty) / (len(calls) + len(empty)), 3)
                    if calls or empty
                    else None,
                    "latency": {
                        kind: latency([x for x in mine if x.kind == kind]) for kind in KINDS
                    },
                }
            )
    return rows


def pooled(records: Sequence[Record]) -> dict[str, Any]:
    """All rounds together, per phase and kind: more samples for the tail."""
    return {
        phase: {
            kind: latency([x for x in records if x.phase == phase and x.kind == kind])
            for kind in KINDS
        }
        for phase in PHASES
    }


def audit(db_url: str, office_id: int, records: Sequence[Record]) -> dict[str, Any]:
    """Afterwards, in the database: no ticket called twice or by two counters; and every
    call answered to a client is one 'called' event, and the other way round."""
    harness.require_loopback(urlsplit(db_url).hostname or "")
    # One ticket's 'called' events, and the ticket: a recall would add a 'recalled'
    # event, so more than one 'called' event is a double call.
    queries = {
        "called_events": """SELECT count(*) FROM queueing_ticketevent e
            JOIN queueing_ticket t ON t.id = e.ticket_id
            WHERE t.office_id = %(office)s AND e.kind = 'called'""",
        "tickets_called_more_than_once": """SELECT count(*) FROM (
            SELECT e.ticket_id FROM queueing_ticketevent e
            JOIN queueing_ticket t ON t.id = e.ticket_id
            WHERE t.office_id = %(office)s AND e.kind = 'called'
            GROUP BY e.ticket_id HAVING count(*) > 1) AS twice""",
        "tickets_called_by_more_than_one_counter": """SELECT count(*) FROM (
            SELECT e.ticket_id FROM queueing_ticketevent e
            JOIN queueing_ticket t ON t.id = e.ticket_id
            WHERE t.office_id = %(office)s AND e.kind = 'called'
            GROUP BY e.ticket_id HAVING count(DISTINCT e.counter_id) > 1) AS two""",
        "tickets_held_by_another_counter_than_the_caller": """SELECT count(*)
            FROM queueing_ticketevent e JOIN queueing_ticket t ON t.id = e.ticket_id
            WHERE t.office_id = %(office)s AND e.kind = 'called'
            AND t.counter_id IS DISTINCT FROM e.counter_id""",
        "called_tickets": """SELECT count(*) FROM queueing_ticket
            WHERE office_id = %(office)s AND called_at IS NOT NULL""",
        "tickets_still_called_or_serving": """SELECT count(*) FROM queueing_ticket
            WHERE office_id = %(office)s AND status IN ('called', 'serving')""",
    }
    with psycopg.connect(db_url, connect_timeout=10) as conn:
        result: dict[str, Any] = {}
        for name, query in queries.items():
            row = conn.execute(query, {"office": office_id}).fetchone()
            result[name] = int(row[0]) if row else -1
        result["statuses"] = dict(
            conn.execute(
                "SELECT status, count(*) FROM queueing_ticket WHERE office_id = %(office)s "
                "GROUP BY status ORDER BY status",
                {"office": office_id},
            ).fetchall()
        )
    numbers = [r.ticket for r in records if r.kind == "next" and r.ticket]
    result["calls_answered"] = len(numbers)
    result["numbers_answered_twice"] = sum(n - 1 for n in Counter(numbers).values() if n > 1)
    return result


def double_calls(checked: dict[str, Any]) -> int:
    return int(
        checked["tickets_called_more_than_once"]
        + checked["tickets_called_by_more_than_one_counter"]
        + checked["tickets_held_by_another_counter_than_the_caller"]
        + checked["numbers_answered_twice"]
    )


def summarize(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Medians over the rounds, per phase."""
    out: dict[str, Any] = {}
    for phase in PHASES:
        mine = [r for r in rows if r["phase"] == phase]
        out[phase] = {
            "calls_per_second": harness.median([r["calls_per_second"] for r in mine], digits=2),
            "empty_share": harness.median([r["empty_share"] for r in mine], digits=2),
            "empty_answers": sum(r["empty_answers"] for r in mine),
            **{
                f"{kind}_{stat}": harness.median([r["latency"][kind][stat] for r in mine], digits=2)
                for kind in ("next", "hello")
                for stat in ("server_p50_ms", "server_p99_ms", "client_p50_ms", "client_p99_ms")
            },
        }
    return out


# --- The run --------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    settings = parse_settings(argv)
    options, params, crowd = settings.options, settings.counters, settings.crowd
    harness.stop_cleanly_on_sigterm()
    started = datetime.now(UTC).replace(microsecond=0)
    wrk = harness.ensure_wrk()  # only for describe_machine's line; no wrk load here
    harness.require_loopback(urlsplit(options.postgres).hostname or "")
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    log_path = harness.RESULTS_DIR / f"{NAME}-{stamp}-gunicorn.log"
    access_path = harness.RESULTS_DIR / f"{NAME}-{stamp}-access.log"
    db_url = harness.database_url(options.postgres, options.database)

    with tempfile.TemporaryDirectory(prefix="giliran-bench-") as tmp:
        var_dir = Path(tmp)
        env, mail_dir = flash_crowd.server_env(harness.django_env(db_url, var_dir), var_dir)
        harness.prepare_site(env, options.postgres, options.database)
        zone = pick_zone(datetime.now(UTC))
        password = secrets.token_urlsafe(18)
        office = set_up_office(env, zone, params.counters, password)
        first_queue = top_up(env, params.waiting, 0)
        print(f"bench: office {OFFICE} ({zone}): {params.counters} counters, {first_queue}")
        profile = profile_call_next(env, office["counters"][0]["username"])
        print(
            f"bench: one call-next in-process, nothing else running: "
            f"{profile['request_ms_median']} ms (median of {profile['repeats']}), "
            f"{len(profile['queries'])} SQL queries",
            flush=True,
        )
        warm_day, *days = flash_crowd.plan_days(
            env, [crowd.warmup_clients] + [crowd.quota] * options.load.rounds
        )
        load_before = harness.load_average()
        with harness.gunicorn_with_access_log(env, options.server, log_path, access_path) as server:
            print(f"bench: signing in {params.counters} clerks at {LOGIN_PATH}", flush=True)
            clerks = [sign_in(server, c, password) for c in office["counters"]]
            for clerk in clerks:
                check_counter(server, clerk, params.waiting)
            for day in days:
                flash_crowd.check_day(server, day)
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
                ctx = Context(
                    settings,
                    env,
                    server,
                    mail_dir,
                    clerks,
                    warm_day,
                    days,
                    pool,
                    db_url,
                    int(office["office_id"]),
                )
                rounds, run = asyncio.run(drive(ctx))
        load_after = harness.load_average()

    access = harness.read_access_log(access_path)
    missing = join_access_log(run.records, access)
    assign_phases(run.records, rounds)
    rows = phase_figures(run.records, rounds)
    checked = audit(db_url, int(office["office_id"]), run.records)
    crowd_audits = [flash_crowd.audit(db_url, d) for d in days[: len(rounds)]]
    problems = harness.server_log_problems(log_path)
    server_errors = (
        sum(1 for r in run.records if r.status == 0 or r.status >= 500)
        + sum(r["crowd"]["server_errors"] for r in rounds)
        + sum(1 for a in access if a.status >= 500)
        + len(problems)
    )
    report = {
        "benchmark": NAME,
        "started": started.isoformat(),
        "command": options.command,
        "quick": options.quick,
        "params": asdict(params),
        "crowd_params": asdict(crowd),
        "load": asdict(options.load),
        "server": asdict(options.server),
        "machine": harness.describe_machine(options.postgres, options.server, wrk),
        "load_average": {"before": load_before, "after": load_after},
        "office": {"code": OFFICE, **office, "first_queue": first_queue},
        "goal_p99_ms": GOAL_P99_MS,
        "summary": summarize(rows),
        "pooled": pooled(run.records),
        "rounds": [
            {**r, "phases": {p: rows_for(rows, r["index"], p) for p in PHASES}} for r in rounds
        ],
        "audit": checked,
        "double_calls": double_calls(checked),
        "crowd_audits": crowd_audits,
        "server_errors": server_errors,
        "counter_problems": run.problems,
        "statuses": {
            kind: dict(
                Counter(f"{r.status} {r.error}".strip() for r in run.records if r.kind == kind)
            )
            for kind in KINDS
        },
        "requests_without_access_log_line": missing,
        "access_log_lines": len(access),
        "server_log_problems": problems[:50],
        "server_log": str(log_path.relative_to(harness.BASE_DIR)),
        "access_log": str(access_path.relative_to(harness.BASE_DIR)),
        "profile": profile,
    }
    report["failures"] = failures(report, len(days))
    results_path = harness.save_results(NAME, started, report)
    print_summary(report, results_path)
    if report["failures"]:
        print(f"bench: {'; '.join(report['failures'])}; docs/benchmarks.md left as it was", file=sys.stderr)  # fmt: skip
        return 1
    if options.write_docs:
        harness.replace_docs_section(NAME, render_section(report))
        print(f"bench: wrote the {NAME} section of {harness.DOCS_FILE.relative_to(harness.BASE_DIR)}")  # fmt: skip
    return 0


def rows_for(rows: Sequence[dict[str, Any]], index: int, phase: str) -> dict[str, Any]:
    return next(r for r in rows if r["round"] == index and r["phase"] == phase)


def failures(report: dict[str, Any], planned_rounds: int) -> list[str]:
    found = []
    checked = report["audit"]
    if report["double_calls"]:
        found.append(f"{report['double_calls']} double calls")
    if checked["called_events"] != checked["calls_answered"]:
        found.append(
            f"{checked['called_events']} calls in the database, {checked['calls_answered']} answered"
        )
    if checked["tickets_still_called_or_serving"]:
        found.append(f"{checked['tickets_still_called_or_serving']} tickets left at a counter")
    if report["server_errors"]:
        found.append(f"{report['server_errors']} server errors")
    if report["counter_problems"]:
        found.append(f"counters stopped: {'; '.join(report['counter_problems'][:5])}")
    oversold = sum(flash_crowd.oversold(a) for a in report["crowd_audits"])
    if oversold:
        found.append(f"{oversold} oversold slots in the crowd's days")
    if len(report["rounds"]) != planned_rounds:
        found.append(f"{len(report['rounds'])} of {planned_rounds} rounds ran")
    return found


def _ms(value: float | None) -> str:
    return "?" if value is None else f"{value:,.1f} ms"


def _num(value: float | None) -> str:
    return "?" if value is None else f"{value:,.1f}"


def print_summary(report: dict[str, Any], results_path: Path) -> None:
    print()
    for r in report["rounds"]:
        for phase in PHASES:
            row = r["phases"][phase]
            nxt, hello = row["latency"]["next"], row["latency"]["hello"]
            print(
                f"round {r['index']} {phase:<5} {row['seconds']:6.1f} s  "
                f"{_num(row['calls_per_second'])} calls/s, {row['empty_answers']} empty  "
                f"next server p50/p99 "
                f"{_ms(nxt['server_p50_ms'])}/{_ms(nxt['server_p99_ms'])} "
                f"(client {_ms(nxt['client_p50_ms'])}/{_ms(nxt['client_p99_ms'])}, n={nxt['count']})  "
                f"hello server p50/p99 {_ms(hello['server_p50_ms'])}/{_ms(hello['server_p99_ms'])}"
            )
    s = report["summary"]
    print(f"medians over {len(report['rounds'])} rounds:")
    for phase in PHASES:
        p = s[phase]
        print(
            f"  {phase:<5} next server p50 {_ms(p['next_server_p50_ms'])} p99 "
            f"{_ms(p['next_server_p99_ms'])} (goal p99 <= {GOAL_P99_MS:.0f} ms); client p50 "
            f"{_ms(p['next_client_p50_ms'])} p99 {_ms(p['next_client_p99_ms'])}; "
            f"{_num(p['calls_per_second'])} calls/s; hello server p99 {_ms(p['hello_server_p99_ms'])}"
        )
    checked = report["audit"]
    print(
        f"double calls: {report['double_calls']} ({checked['called_events']} calls in the "
        f"database, {checked['calls_answered']} answered); server errors: {report['server_errors']}"
    )
    print(f"load average before: {report['load_average']['before']}, after: {report['load_average']['after']}")  # fmt: skip
    print(f"raw results: {results_path.relative_to(harness.BASE_DIR)}")


ABOUT = """
An office of its own (`{office}`, {zone}: of Indonesia's three zones, the one furthest
from midnight when the run starts) has {counters} open counters, each able to serve
all {services} of its services (copied from the demo passport office), and one clerk per
counter, who signs in at `{login}` as a person does (the form, its CSRF token, the
session cookie). {waiting:,} tickets wait today in the office's zone: walk-ins with
their letters, numbers and issue events, written in bulk, queued over the last three
hours (so about three in four are past the office's 45-minute starvation bound), about
12 % in a priority group. Before each round the queue is topped up to {waiting:,} and
`ANALYZE`d, as autovacuum would soon do.

Each counter is an asyncio task working the staff API without a pause, with its session
cookie and the `X-CSRFToken` header DRF asks of session-authenticated POSTs:
`POST {api}<id>/next/`, then `start/` and `finish/`, or `no-show/` for one ticket in
ten (a counter holds one ticket at a time). Each round runs the counters alone for
{quiet} s, then while a flash crowd books another office's day through the same server:
bench/flash_crowd.py's crowd, {clients:,} citizens for {quota} places (hold, code from
the email, confirm), in a process of its own. A probe GETs `/bench/hello/` ten times a
second from each of {probes} tasks throughout: the bare view's server time under the same
load.

**Server time** is gunicorn's own request time, from its access log (`%(D)s`: from the
parsed request head to the last byte written, so not the wait in the listen queue nor
the connect), matched to each request by the `X-Bench-Id` header it carries; **client
time** is from connect to the last byte, on loopback. A request counts in the round and
phase in which the server served it. The server is the harness's gunicorn with that access
log; everything (server, PostgreSQL, counters, crowd) shares the machine's two cores,
and so does other work.
"""


def _verdict(value: float | None) -> str:
    if value is None:
        return "not measured"
    return "met" if value <= GOAL_P99_MS else "**not met**"


def _probe_text(got: Sequence[str | None]) -> str:
    empty = sum(1 for g in got if g is None)
    called = ", ".join(str(g) for g in got if g is not None)
    return f"{called} ({len(got) - empty} tickets" + (
        f", **{empty} 'nobody waiting'**)" if empty else ")"
    )


def _sort_method(plan: Sequence[str]) -> str:
    line = next((x for x in plan if "Sort Method:" in x), "")
    method, _, memory = " ".join(line.split("Sort Method:", 1)[-1].split()).partition(" Memory: ")
    return f"{method}, {memory}" if line else "?"


def findings(report: dict[str, Any]) -> list[str]:
    """What the figures show to fix, each with the fix; only what this run measured."""
    profile, s = report["profile"], report["summary"]
    variants = profile["variants"]
    service, id_only, no_lock = variants["service"], variants["id_only"], variants["no_lock"]
    waiting = report["params"]["waiting"]
    found = []
    empty = s["quiet"]["empty_answers"] + s["crowd"]["empty_answers"]
    if empty or any(g is None for g in profile["lock_probe"]):
        found.append(
            f"""**Counters told nobody is waiting while {waiting:,} wait.** Over HTTP,
{empty} call-next answers had no ticket; in the lock probe, {len(profile["lock_probe"])}
counters calling at once got {_probe_text(profile["lock_probe"])}. The candidate query
must lock the ticket row only (`select_for_update(skip_locked=True, of=("self",))` in
`queueing/services/calling.py`, `call_next()`): a joined row that it locks too (an office-service)
hides every ticket that joins to it from the other counters' SKIP LOCKED."""
        )
    if id_only["median_ms"] < 0.8 * service["median_ms"]:
        found.append(
            f"""**The candidate query sorts every waiting ticket, whole rows, on each call:
{service["median_ms"]:.1f} ms median in-process, of a {profile["request_ms_median"]:.1f} ms
call.** The policy's `ORDER BY`
(CASE tiers, then `GREATEST(queued_at, appointment_at)`) depends on the time, so no index
can give the order, and because `LockRows` sits between the `Sort` and the `LIMIT 1`,
PostgreSQL cannot keep only the best row: it sorts all {waiting:,} waiting tickets with
all their columns ({_sort_method(service["plan"])}); without the lock the same query is
a {_sort_method(no_lock["plan"])} ({no_lock["median_ms"]:.1f} ms, not a fix). Fix,
`queueing/services/calling.py`, `call_next()`: lock and sort the id only,
`….order_by(*waiting_order(…)).values_list("pk", flat=True).first()`, then
`_call(Ticket.objects.get(pk=candidate_id), …)` (one read by primary key of a row already
locked; `.only("pk")` would leave the returned ticket with deferred fields, which
`_call()`'s `refresh_from_db()` does not load): **{service["median_ms"]:.1f} →
{id_only["median_ms"]:.1f} ms** median for the candidate query in-process (the `id_only`
row). It stays a full sort of the day's waiting tickets on each call, which grows with
the queue; to go further, take a few ids without the lock (top-N, cheap) and lock the
first of them that is free (`id IN (…) … FOR UPDATE SKIP LOCKED`), falling back to the
full query when all are taken."""
        )
    crowd = s["crowd"]
    if (crowd["next_client_p50_ms"] or 0) > 5 * (crowd["next_server_p50_ms"] or 0):
        found.append(
            f"""**During the crowd a counter waits behind the citizens.** A call served in
{_ms(crowd["next_server_p50_ms"])} (p50) took {_ms(crowd["next_client_p50_ms"])} (p50) and
up to {_ms(crowd["next_client_p99_ms"])} (p99) as the clerk sees it, and calls fell to
{_num(crowd["calls_per_second"])}/s: the staff API shares gunicorn's one listen queue with
the public booking API, and the crowd's connections fill it. Fix (deployment: `docker/`,
`compose.yaml`, `docs/deployment.md`): serve `/api/v1/counters/` and `/staf/` from a web
service of their own behind the proxy (a second gunicorn with a few workers), or cap the
public API's concurrent connections at the proxy so that its backlog stays short."""
        )
    queries = profile["queries"]
    if len(queries) > 12:
        found.append(
            f"""**{len(queries)} SQL queries per call-next request** (in-process count; start
and finish answer with the same counter body), several twice: the staff membership
(`staff_counter()` and again in `require_open()`), the counter state
(`require_open()` and `_counter_body()`), `current_ticket()` (in `call_next()` and
`_counter_body()`), lazy loads of the ticket's office, service and counter in
`TicketSerializer`, and `waiting_counts()` over all waiting tickets in every action's
answer. Each is a round trip to PostgreSQL and back through the ORM: start and finish,
with no heavy query, were served in {_ms(report["pooled"]["quiet"]["start"]["server_p50_ms"])}
and {_ms(report["pooled"]["quiet"]["finish"]["server_p50_ms"])} (p50, counters alone).
Fix, `queueing/api.py` (`CounterAct.post()`, `_counter_body()`) and
`queueing/services/counters.py` (`require_open()`): check the role once, pass the counter state
and the current ticket on instead of reading them again, and
`select_related("office", "office_service__service", "counter")` for the answer's
ticket."""
        )
    return found


def render_section(report: dict[str, Any]) -> str:
    params, crowd = CounterParams(**report["params"]), report["crowd_params"]
    machine, s, checked = report["machine"], report["summary"], report["audit"]
    profile = report["profile"]
    office = report["office"]
    about = ABOUT.format(
        office=OFFICE,
        zone=office["timezone"],
        counters=params.counters,
        services=len(office["services"]),
        login=LOGIN_PATH,
        waiting=params.waiting,
        api=COUNTERS_API,
        quiet=report["load"]["duration"],
        clients=crowd["clients"],
        quota=crowd["quota"],
        probes=params.probes,
    )
    rows = []
    for r in report["rounds"]:
        for phase in PHASES:
            row = r["phases"][phase]
            nxt, hello = row["latency"]["next"], row["latency"]["hello"]
            rows.append(
                [
                    str(r["index"]),
                    "counters alone" if phase == "quiet" else "with the crowd",
                    f"{row['seconds']:.0f} s",
                    _num(row["calls_per_second"]),
                    str(row["empty_answers"]),
                    f"{_ms(nxt['server_p50_ms'])} / {_ms(nxt['server_p99_ms'])} ({nxt['count']})",
                    f"{_ms(nxt['client_p50_ms'])} / {_ms(nxt['client_p99_ms'])}",
                    f"{_ms(hello['server_p50_ms'])} / {_ms(hello['server_p99_ms'])}",
                ]
            )
    table = harness.markdown_table(
        [
            "round",
            "phase",
            "length",
            "calls/s",
            "empty answers",
            "call-next server p50 / p99 (n)",
            "call-next client p50 / p99",
            "hello server p50 / p99",
        ],
        rows,
    )
    pooled_next = report["pooled"]
    pooled_rows = [
        [
            "counters alone" if phase == "quiet" else "with the crowd",
            kind,
            str(pooled_next[phase][kind]["count"]),
            _ms(pooled_next[phase][kind]["server_p50_ms"]),
            _ms(pooled_next[phase][kind]["server_p99_ms"]),
            _ms(pooled_next[phase][kind]["client_p50_ms"]),
            _ms(pooled_next[phase][kind]["client_p99_ms"]),
        ]
        for phase in PHASES
        for kind in KINDS
        if pooled_next[phase][kind]["count"]
    ]
    pooled_table = harness.markdown_table(
        ["phase", "request", "n", "server p50", "server p99", "client p50", "client p99"],
        pooled_rows,
    )
    captured = profile["queries"]
    candidate_ms = next((q["ms"] for q in captured if "SKIP LOCKED" in q["sql"]), None)
    variant_names = {
        "service": "as `call_next()` runs it (captured from the request)",
        "id_only": "the same, selecting the id only",
        "no_lock": "the same, without `FOR UPDATE … SKIP LOCKED` (not a fix)",
    }
    variant_rows = [
        [
            variant_names[name],
            _ms(v["median_ms"]),
            _ms(v["p90_ms"]),
            _sort_method(v["plan"]),
        ]
        for name, v in profile["variants"].items()
    ]
    variant_table = harness.markdown_table(
        ["candidate query", "median", "p90", "sort (EXPLAIN ANALYZE)"], variant_rows
    )
    when = datetime.fromisoformat(report["started"]).strftime("%Y-%m-%d %H:%M UTC")
    loads = report["load_average"]
    crowd_line = "; ".join(
        f"round {r['index']}: {r['crowd']['wall_seconds']:.0f} s at "
        f"{r['crowd']['requests_per_second']:.0f} requests/s, sold out after "
        f"{_num(r['crowd']['sold_out_seconds'])} s"
        for r in report["rounds"]
    )
    found = findings(report)
    found_text = "\n\n".join(f"{i}. {text}" for i, text in enumerate(found, start=1))
    with_crowd, alone = s["crowd"], s["quiet"]
    return harness.reflow(f"""\
## {TITLE}

{about.strip()}

Command: `{report["command"]}`

Run on {when}:

- machine: {machine["nproc"]} CPUs (nproc), {machine["cpu"]}, {machine["memory"]} memory,
  Linux {machine["kernel"]}; shared with other engineers' tests and benchmarks: load
  average (1, 5, 15 min) before: {loads["before"]}, after: {loads["after"]}
- PostgreSQL {machine["postgresql"]}, Python {machine["python"]}, Django {machine["django"]}
- server: gunicorn {machine["gunicorn"]}, `DEBUG=0`, access log on, on 127.0.0.1
- {params.counters} counters, {params.waiting:,} tickets waiting at each round's start;
  rounds: {len(report["rounds"])}
- crowds: {crowd_line}

{table}

**Call-next server time, medians over the rounds: p50 {_ms(with_crowd["next_server_p50_ms"])},
p99 {_ms(with_crowd["next_server_p99_ms"])} with the crowd** (counters alone: p50
{_ms(alone["next_server_p50_ms"])}, p99 {_ms(alone["next_server_p99_ms"])}). Goal p99 ≤
{GOAL_P99_MS:.0f} ms with the crowd: {_verdict(with_crowd["next_server_p99_ms"])}. For
comparison, the bare view under the same load: p50 {_ms(with_crowd["hello_server_p50_ms"])},
p99 {_ms(with_crowd["hello_server_p99_ms"])} (counters alone: {_ms(alone["hello_server_p50_ms"])},
{_ms(alone["hello_server_p99_ms"])}). Calls
per second (a ticket called; each call is followed by start and finish or a no-show):
{_num(alone["calls_per_second"])} counters alone, {_num(with_crowd["calls_per_second"])}
with the crowd.

**Double calls: {report["double_calls"]}.** Afterwards the database holds
{checked["called_events"]:,} 'called' events for {checked["called_tickets"]:,} called
tickets, and the clients were answered {checked["calls_answered"]:,} calls: no ticket has
two 'called' events, none was called by two counters, none is held by another counter
than the one that called it, no number was answered twice, and no ticket is left at a
counter. **Server errors: {report["server_errors"]}** (5xx answers, requests without an
answer, tracebacks in the server log; the crowd's requests included); the crowd's days
are not oversold. The run fails on any of these.

All rounds pooled (every request of the kind, so the p99 rests on more samples):

{pooled_table}

Where a call's time goes, measured in-process before the server starts (Django's test
client on the same database, in transactions rolled back, nothing else of the benchmark
running): one call-next request takes {_ms(profile["request_ms_median"])} (median of
{profile["repeats"]}) and runs {len(captured)} SQL queries, of which the candidate query
(`… ORDER BY <policy> LIMIT 1 FOR UPDATE … SKIP LOCKED`) took {_ms(candidate_ms)}; the
server's times above are longer, its workers sharing the two cores with PostgreSQL and the
clients. That query, as the request ran it, and two rewrites of it, {profile["variants"]["service"]["repeats"]}
times each in alternation:

{variant_table}

Lock probe: {len(profile["lock_probe"])} counters' transactions call `call_next()` one
after the other, each keeping its locks until all have called, as counters calling at
the same moment do; they got {_probe_text(profile["lock_probe"])}.

Problems found, with their fixes:

{found_text}
""")


if __name__ == "__main__":
    sys.exit(main())
