"""Call next under load.

An office of its own (`bench-loket`, in the Indonesian zone furthest from midnight when
the run starts) has 20 open counters, each serving all 3 of its services (copied from
the demo passport office), and one clerk per counter, who signs in at `/staf/masuk/` as a
person does (the form, its CSRF token, the session cookie). 5,000 walk-in tickets wait
today (letters, numbers and issue events, written in bulk, queued over the last three
hours; about 12 % in a priority group); before each round the queue is topped up to
5,000 and `ANALYZE`d.

Each counter is an asyncio task working the staff API without a pause, with its session
cookie and `X-CSRFToken`: `POST /api/v1/counters/<id>/next/`, then `start/` and
`finish/`, or a confirmed `no-show/` (naming the ticket) for one ticket in ten. Each round
runs the counters alone for a while, then while a flash crowd (bench/flash_crowd.py's,
2,000 citizens for 500 places, in a process of its own) books another office's day
through the same server. Four probes
GET `/bench/hello/` ten times a second throughout: the bare view's server time under the
same load is the baseline.

**Server time** is gunicorn's own request time from its access log (from the parsed
request head to the last byte written, without the wait in the listen queue), matched to
each request by its `X-Bench-Id` header; **client time** is from connect to the last byte.
Goal: call-next server p99 ≤ 20 ms with the crowd. Afterwards the database is audited:
no ticket with two 'called' events, called by two counters, or held by another counter
than its caller; no number answered twice; the crowd's day not oversold. The run fails
on any of these, or on a server error.

    .venv/bin/python bench/call_next.py            # full run, rewrites its docs section
    .venv/bin/python bench/call_next.py --quick    # smoke run, leaves the docs alone
"""

from __future__ import annotations

import asyncio
import itertools
import multiprocessing
import random
import re
import secrets
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import flash_crowd
import psycopg
from harness import net, procs, run, stats
from psycopg import sql

NAME = "call_next"
OFFICE, TEMPLATE = "bench-loket", "kanim-jakarta-pusat"
GOAL_P99_MS = 20.0
KINDS = ("next", "start", "finish", "no-show", "hello")
PARAMS: dict[str, tuple[Any, Any, str]] = {
    "rounds": (3, 1, "rounds: counters alone, then with a crowd"),
    "duration": (10, 5, "seconds of counters alone in each round"),
    "counters": (20, 5, "open counters"),
    "waiting": (5000, 500, "tickets waiting at each round's start"),
    "clients": (2000, 200, "citizens in each crowd"),
    "quota": (500, 50, "places on each crowd's day"),
    "time_limit": (360.0, 300.0, "seconds for one crowd"),
    "max_holds": (25, 25, "hold attempts per citizen"),
    "redis": ("redis://127.0.0.1:6379/14", "redis://127.0.0.1:6379/14", "Celery broker, emptied"),
}


def set_up_office(zone: str, counters: int, password: str) -> dict[str, Any]:
    """In Django: the office, its services, counters, clerks and open counter states."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User
    from django.db import transaction

    from offices.models import Counter, Office, OfficeService, Role, StaffMembership
    from queueing.models import CounterState, CounterStatus

    with transaction.atomic():
        template = Office.objects.get(code=TEMPLATE)
        office = Office.objects.get(pk=template.pk)
        office.pk, office.code, office.name, office.timezone = None, OFFICE, "Kantor Bench", zone
        office.save()
        services = []
        for offered in OfficeService.objects.filter(office=template, is_active=True):
            offered.pk, offered.office = None, office
            offered.save()
            services.append(offered.service)
        hashed = make_password(password)  # once: the clerks share it
        clerks = []
        for n in range(1, counters + 1):
            user = User.objects.create(username=f"loket{n:02d}.bench", password=hashed)
            StaffMembership.objects.create(user=user, office=office, role=Role.CLERK)
            counter = Counter.objects.create(office=office, number=n, name=f"Loket {n:02d}")
            counter.services.set(services)
            CounterState.objects.create(counter=counter, status=CounterStatus.OPEN, staff=user)
            clerks.append({"id": counter.pk, "name": counter.name, "username": user.username})
    return {"office_id": office.pk, "clerks": clerks}


def top_up(goal: int, seed: int) -> dict[str, Any]:
    """In Django: walk-ins as a kiosk issues them (letter, number from the day's
    sequence, the issue event), in bulk: thousands of ticket_issue() calls would take
    minutes. The first fill spreads them over three hours, a top-up over five minutes."""
    from datetime import timedelta

    from django.db import connection, transaction
    from django.utils import timezone

    from offices.models import Office, OfficeService
    from queueing.models import (
        Ticket,
        TicketEvent,
        TicketEventKind,
        TicketSequence,
        TicketSource,
        TicketStatus,
    )

    office = Office.objects.get(code=OFFICE)
    now = timezone.now()
    day = now.astimezone(ZoneInfo(office.timezone)).date()
    offered = list(OfficeService.objects.filter(office=office).order_by("ticket_letter"))
    rng = random.Random(seed)
    waiting = Ticket.objects.filter(office=office, local_date=day, status=TicketStatus.WAITING)
    with transaction.atomic():
        need = max(0, goal - waiting.count())
        spread = timedelta(hours=3) if waiting.count() == 0 else timedelta(minutes=5)
        sequences = {
            o.ticket_letter: TicketSequence.objects.select_for_update().get_or_create(
                office=office, local_date=day, letter=o.ticket_letter
            )[0]
            for o in offered
        }
        tickets = []
        for i in range(need):
            o = rng.choices(offered, weights=[50, 30, 20, 10, 10, 10][: len(offered)])[0]
            sequence = sequences[o.ticket_letter]
            sequence.last_number += 1
            group = ["", "elderly", "disability", "pregnant", "infant"]
            tickets.append(
                Ticket(
                    office=office,
                    office_service=o,
                    local_date=day,
                    letter=o.ticket_letter,
                    number=sequence.last_number,
                    source=rng.choice([TicketSource.KIOSK, TicketSource.REMOTE]),
                    priority_group=rng.choices(group, weights=[88, 6, 2, 2, 2])[0],
                    queued_at=now - spread * (need - i) / need,
                    public_token=secrets.token_urlsafe(16),
                )
            )
        Ticket.objects.bulk_create(tickets, batch_size=1000)
        TicketEvent.objects.bulk_create(
            [TicketEvent(ticket=t, kind=TicketEventKind.ISSUED, at=t.queued_at) for t in tickets],
            batch_size=1000,
        )
        for sequence in sequences.values():
            sequence.save(update_fields=["last_number"])
    with connection.cursor() as cursor:  # as autovacuum soon would
        cursor.execute("ANALYZE queueing_ticket")
        cursor.execute("ANALYZE queueing_ticketevent")
    return {"added": need, "waiting": waiting.count()}


def pick_zone(now: datetime) -> str:
    """The zone whose local time is furthest from midnight: the day does not end."""

    def margin(zone: str) -> int:
        local = now.astimezone(ZoneInfo(zone))
        return min(local.hour * 60 + local.minute, 24 * 60 - local.hour * 60 - local.minute)

    return max(("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"), key=margin)


async def sign_in(server: net.Server, username: str, password: str) -> dict[str, str]:
    """The sign-in form as a person fills it; returns the clerk's request headers."""
    page = await net.http(server, "GET", "/staf/masuk/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', str(page.body))
    if token is None or "csrftoken" not in page.cookies:
        raise SystemExit(f"bench: no CSRF token at /staf/masuk/ ({page.status})")
    csrf = page.cookies["csrftoken"]
    form = {"username": username, "password": password, "csrfmiddlewaretoken": token[1]}
    answer = await net.http(
        server, "POST", "/staf/masuk/", form=form, headers={"Cookie": f"csrftoken={csrf}"}
    )
    if "sessionid" not in answer.cookies:
        raise SystemExit(f"bench: signing in as {username} gave no session ({answer.status})")
    session, csrf = answer.cookies["sessionid"], answer.cookies.get("csrftoken", csrf)
    return {"Cookie": f"sessionid={session}; csrftoken={csrf}", "X-CSRFToken": csrf}


class Counters:
    """The clerks, the probes and every request they made: (bench id, kind, sent,
    client seconds, status, counter, number called)."""

    def __init__(self, server: net.Server, o: Any) -> None:
        self.server, self.o = server, o
        self.records: list[list[Any]] = []
        self.problems: list[str] = []
        self.going, self.stop, self.busy = asyncio.Event(), False, 0
        self.ids = itertools.count()

    async def request(
        self,
        kind: str,
        path: str,
        headers: dict[str, str],
        who: str,
        json_body: dict[str, Any] | None = None,
    ) -> tuple[net.Answer, list[Any]]:
        bench_id = f"{who}-{next(self.ids)}"
        sent = time.monotonic()
        answer = await net.http(
            self.server,
            "GET" if kind == "hello" else "POST",
            path,
            json_body=json_body,
            headers={**headers, "X-Bench-Id": bench_id},
        )
        record = [bench_id, kind, sent, time.monotonic() - sent, answer.status, who, ""]
        self.records.append(record)
        return answer, record

    async def clerk(
        self, counter: dict[str, Any], headers: dict[str, str], rng: random.Random
    ) -> None:
        """Call, then start and finish (or no-show), until told to stop; any answer but
        200 stops this counter (it may hold a ticket) and fails the run."""
        base = f"/api/v1/counters/{counter['id']}/"
        while await self.going.wait() and not self.stop:
            self.busy += 1
            try:
                called, record = await self.request(
                    "next", base + "next/", headers, f"c{counter['id']}"
                )
                current = called.body.get("current") if isinstance(called.body, dict) else None
                if called.status != 200 or (current and current.get("status") != "called"):
                    self.problems.append(
                        f"{counter['name']}: next answered {called.status} {called.body}"
                    )
                    return
                if current is None:
                    record[1] = "next-empty"
                    await asyncio.sleep(0.2)  # the clerk presses again
                    continue
                record[6] = current.get("number")
                steps = ["no-show"] if rng.random() < 0.1 else ["start", "finish"]
                for step in steps:
                    # A no-show is confirmed, naming the ticket, as the console's second step.
                    sent = {"confirm": True, "ticket": record[6]} if step == "no-show" else None
                    done, _ = await self.request(
                        step, f"{base}{step}/", headers, f"c{counter['id']}", sent
                    )
                    if done.status != 200:
                        self.problems.append(f"{counter['name']}: {step} answered {done.status}")
                        return
            finally:
                self.busy -= 1

    async def probe(self) -> None:
        while not self.stop:
            await self.request("hello", net.BASELINE, {}, "probe")
            await asyncio.sleep(0.1)

    async def pause(self) -> None:
        """Let every counter end its cycle, holding no ticket, and keep it there."""
        self.going.clear()
        while self.busy:
            await asyncio.sleep(0.01)


async def drive(
    bench: run.Bench,
    env: dict[str, str],
    server: net.Server,
    setup: dict[str, Any],
    days: list[dict[str, Any]],
    password: str,
) -> tuple[Counters, list[dict[str, Any]]]:
    o = bench.o
    counters = Counters(server, o)
    headers = [await sign_in(server, c["username"], password) for c in setup["clerks"]]
    rng = random.Random(1)
    tasks = [
        asyncio.create_task(counters.clerk(c, h, rng))
        for c, h in zip(setup["clerks"], headers, strict=True)
    ]
    probes = [asyncio.create_task(counters.probe()) for _ in range(4)]
    windows = []
    spawn = multiprocessing.get_context("spawn")
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
            for index, day in enumerate(days, 1):
                queue = await asyncio.to_thread(
                    run.django_call, env, top_up, goal=o.waiting, seed=index
                )
                print(
                    f"bench: round {index}: {queue}; counters alone for {o.duration} s", flush=True
                )
                quiet = time.monotonic()
                counters.going.set()
                await asyncio.sleep(o.duration)
                crowd = time.monotonic()
                print(
                    f"bench: round {index}: the crowd, {o.clients} for {o.quota} places", flush=True
                )
                figures = await asyncio.get_running_loop().run_in_executor(
                    pool,
                    flash_crowd.crowd_in_process,
                    server.base_url,
                    day,
                    o,
                    env["EMAIL_FILE_PATH"],
                    index * o.clients,
                )
                windows.append(
                    {
                        "quiet": (quiet, crowd),
                        "crowd": (crowd, time.monotonic()),
                        "figures": figures,
                    }
                )
                await counters.pause()
                if counters.problems:
                    break
    finally:
        counters.stop = True
        counters.going.set()
        await asyncio.gather(*tasks, *probes, return_exceptions=True)
    return counters, windows


def phase_of(record: list[Any], windows: list[dict[str, Any]], server_ms: float) -> tuple[int, str]:
    """The round and phase in which the server began to serve a request: one sent during
    a crowd may wait in the listen queue until it is over."""
    at = record[2] + record[3] - server_ms / 1000
    for index, w in enumerate(windows, 1):
        for phase in ("quiet", "crowd"):
            if w[phase][0] <= at < w[phase][1]:
                return index, phase
    return 0, ""


def latency(rows: list[tuple[float, float]]) -> dict[str, Any]:
    server, client = [r[0] for r in rows], [r[1] * 1000 for r in rows]
    p = stats.percentile
    return {
        "n": len(rows),
        "server": [p(server, 50), p(server, 99)],
        "client": [p(client, 50), p(client, 99)],
    }


def figures(counters: Counters, windows: list[dict[str, Any]], log: Any) -> dict[str, Any]:
    """Per round and phase, and pooled over the rounds: each kind's server and client
    times, and calls per second."""
    times = net.server_times(log)
    cells: dict[tuple[int, str, str], list[tuple[float, float]]] = {}
    for record in counters.records:
        server_ms = times.get(record[0], (0, None))[1]
        if server_ms is None:
            continue
        index, phase = phase_of(record, windows, server_ms)
        for key in ((index, phase, record[1]), (0, phase, record[1])):
            cells.setdefault(key, []).append((server_ms, record[3]))
    rows = []
    for index, w in [(0, None), *enumerate(windows, 1)]:
        for phase in ("quiet", "crowd"):
            seconds = w[phase][1] - w[phase][0] if w else None
            calls = len(cells.get((index, phase, "next"), []))
            rows.append(
                {
                    "round": index or "all",
                    "phase": phase,
                    "seconds": seconds,
                    "calls_per_second": stats.ratio(calls, seconds, 2) if seconds else None,
                    **{kind: latency(cells.get((index, phase, kind), [])) for kind in KINDS},
                }
            )
    missing = sum(1 for r in counters.records if r[4] and r[0] not in times)
    return {"rows": rows, "without_log_line": missing}


def audit(db_url: str, office_id: int, counters: Counters) -> dict[str, int]:
    """Double calls in the database, and numbers answered twice to the clerks."""
    checks = {
        "tickets called twice": "HAVING count(*) > 1",
        "tickets called by two counters": "HAVING count(DISTINCT e.counter_id) > 1",
        "tickets held by another counter than the caller": (
            "HAVING bool_or(t.counter_id IS DISTINCT FROM e.counter_id)"
        ),
    }
    found = {}
    with psycopg.connect(db_url, connect_timeout=10) as conn:
        for name, having in checks.items():
            query = sql.SQL(
                "SELECT count(*) FROM (SELECT e.ticket_id FROM queueing_ticketevent e "
                "JOIN queueing_ticket t ON t.id = e.ticket_id WHERE t.office_id = %s "
                "AND e.kind = 'called' GROUP BY e.ticket_id {}) AS bad"
            ).format(sql.SQL(having))
            row = conn.execute(query, [office_id]).fetchone()
            found[name] = int(row[0]) if row else -1
        row = conn.execute(
            "SELECT count(*) FROM queueing_ticket WHERE office_id = %s AND called_at IS NOT NULL",
            [office_id],
        ).fetchone()
    numbers = [r[6] for r in counters.records if r[1] == "next" and r[6]]
    found["numbers answered twice"] = sum(n - 1 for n in Counter(numbers).values())
    found["called tickets"], found["calls answered"] = int(row[0]) if row else -1, len(numbers)
    return found


def main() -> int:
    bench = run.Bench(NAME, __doc__ or "", PARAMS, groups=("server", "database"))
    o = bench.o
    password = secrets.token_urlsafe(18)
    zone = pick_zone(datetime.now(UTC))
    with bench.database() as env:
        flash_crowd.crowd_env(env, o.redis)
        setup = run.django_call(
            env, set_up_office, zone=zone, counters=o.counters, password=password
        )
        days = run.django_call(env, flash_crowd.plan_days, quotas=[o.quota] * o.rounds)
        access = bench.path("access.log")
        with (
            procs.celery(env, bench.path("worker.log")),
            net.gunicorn(env, o, bench.path("gunicorn.log"), access_log=access) as server,
        ):
            counters, windows = asyncio.run(drive(bench, env, server, setup, days, password))
        found = audit(bench.url(), setup["office_id"], counters)
        oversold = sum(flash_crowd.oversold(bench.url(), day) for day in days)
    f = figures(counters, windows, access)
    problems = net.log_problems(server.log, bench.path("worker.log"))
    errors = sum(1 for r in counters.records if r[4] == 0 or r[4] >= 500) + len(problems)
    errors += sum(w["figures"]["server_errors"] for w in windows)
    double = double_calls(found)
    called, answered = found["called tickets"], found["calls answered"]
    failures = [
        what
        for what, bad in (
            (f"{double} double calls", double),
            (f"{called} tickets called, {answered} calls answered", called != answered),
            (f"{errors} server errors", errors),
            (f"{oversold} oversold slots", oversold),
            (f"{len(windows)} of {o.rounds} rounds", len(windows) < o.rounds),
            ("; ".join(counters.problems), counters.problems),
            (f"{f['without_log_line']} requests not in the access log", f["without_log_line"]),
        )
        if bad
    ]
    report = {
        "figures": f,
        "audit": found,
        "windows": windows,
        "problems": problems[:50],
        "counters": counters.problems,
    }
    return bench.finish(report, render(bench, zone, f, found, windows), failures)


def double_calls(found: dict[str, int]) -> int:
    """What audit() found wrong; its two counts of calls are not faults."""
    return sum(v for k, v in found.items() if k not in ("called tickets", "calls answered"))


def ms(pair: list[float | None]) -> str:
    return f"{stats.num(pair[0], ' ms')} / {stats.num(pair[1], ' ms')}"


def render(
    bench: run.Bench,
    zone: str,
    f: dict[str, Any],
    found: dict[str, int],
    windows: list[dict[str, Any]],
) -> str:
    o = bench.o
    table = stats.table(
        [
            "round",
            "phase",
            "length",
            "calls/s",
            "next: server p50 / p99 (n)",
            "next: client p50 / p99",
            "hello: server p50 / p99",
        ],
        [
            [
                r["round"],
                r["phase"],
                stats.num(r["seconds"], " s", 0),
                stats.num(r["calls_per_second"], "", 2),
                f"{ms(r['next']['server'])} ({r['next']['n']})",
                ms(r["next"]["client"]),
                ms(r["hello"]["server"]),
            ]
            for r in f["rows"]
            if r["round"] != "all"
        ],
    )
    pooled = [r for r in f["rows"] if r["round"] == "all"]
    kinds = stats.table(
        ["phase (all rounds)", "request", "n", "server p50 / p99", "client p50 / p99"],
        [
            [r["phase"], kind, r[kind]["n"], ms(r[kind]["server"]), ms(r[kind]["client"])]
            for r in pooled
            for kind in KINDS
        ],
    )
    crowd_p99 = pooled[1]["next"]["server"][1]
    crowd_ok = crowd_p99 is not None and crowd_p99 <= GOAL_P99_MS
    crowds = "; ".join(
        f"round {i}: sold out after {stats.num(w['figures']['sold_out_seconds'], ' s')}, "
        f"{w['figures']['requests_per_second']} requests/s"
        for i, w in enumerate(windows, 1)
    )
    return stats.section(
        "Call next under load",
        __doc__ or "",
        bench.command,
        bench.run_line(stats.versions("django", "gunicorn", "celery")),
        f"Office in {zone}; {o.counters} counters, {o.waiting:,} tickets waiting at each "
        f"round's start; {o.rounds} rounds of {o.duration} s counters alone, "
        f"then a crowd of {o.clients:,} citizens for {o.quota:,} places ({crowds}). "
        f"gunicorn, {o.workers} {o.worker_class} workers, `DEBUG=0`, access log on, "
        "a Celery worker sending the crowd's codes.",
        table,
        f"**Call-next server p99 with the crowd, all rounds pooled: {stats.num(crowd_p99, ' ms')}; "
        f"goal ≤ {GOAL_P99_MS:.0f} ms {stats.verdict(crowd_ok)}.** "
        f"Double calls: {double_calls(found)} "
        f"({found['called tickets']} tickets called, {found['calls answered']} calls answered).",
        kinds,
    )


if __name__ == "__main__":
    sys.exit(main())
