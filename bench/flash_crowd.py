"""Flash crowd: one day's quota sold out over HTTP.

A day of the demo passport office (`kanim-jakarta-pusat`, `paspor-baru`) gets a quota
(500 places) spread over its times, and at one instant a crowd (2,000 citizens) tries to
book it over HTTP, each an asyncio task with its own NIK, phone and email: `POST
/api/v1/holds/` on a time picked (weighted by free places) from the list they had open
before the release, the one-time code read from the email, `POST
/api/v1/holds/{hold_token}/confirm/`. A citizen whose time was just taken (409
`slot_full`, expected, not an error) reloads the day's free times (`GET
…/availability/{day}/`) and tries another, up to 25 times; when no time is left the day
is sold out and they give up.

The code goes out through the outbox, sent by a Celery worker (Redis as broker) with
Django's file-based email backend; each citizen finds its code in those files by its own
address (no test-only way into the application). Rate limits are set
out of reach, since every citizen comes from 127.0.0.1. All connections wait in
gunicorn's listen queue (backlog 2048), so latencies include that wait: what a citizen
sees. Each round pairs a wrk run on `/bench/hello/` with one crowd on a fresh day; the
ratio is the crowd's request rate over the bare view's. Afterwards the database is
audited: no slot over its capacity or with more confirmed bookings than its capacity,
and each of the day's slots counting exactly the bookings occupying it. The run fails on
any server error, oversold slot, a day not sold out, or a citizen left without answer.

    .venv/bin/python bench/flash_crowd.py            # full run, rewrites its docs section
    .venv/bin/python bench/flash_crowd.py --quick    # smoke run, leaves the docs alone
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from harness import net, procs, run, stats

NAME = "flash_crowd"
OFFICE, SERVICE = "kanim-jakarta-pusat", "paspor-baru"
HOLDS = "/api/v1/holds/"
WARM_CLIENTS = 9  # unmeasured bookings on another day, so every worker is warm
PARAMS: dict[str, tuple[Any, Any, str]] = {
    "rounds": (3, 1, "crowds, each on a fresh day after a wrk round on /bench/hello/"),
    "clients": (2000, 400, "citizens at once"),
    "quota": (500, 100, "places on the day"),
    "time_limit": (300.0, 300.0, "seconds for one crowd"),
    "max_holds": (25, 25, "hold attempts per citizen"),
    "redis": ("redis://127.0.0.1:6379/12", "redis://127.0.0.1:6379/12", "Celery broker, emptied"),
}
RATE_SETTINGS = (
    "GILIRAN_RATE_HOLD_PER_IP",
    "GILIRAN_RATE_HOLD_PER_NIK",
    "GILIRAN_RATE_CODE_PER_CONTACT",
    "GILIRAN_RATE_CODE_PER_IP",
    "GILIRAN_RATE_LOOKUP_PER_IP",
    "GILIRAN_CHALLENGE_AFTER",
)


def crowd_env(env: dict[str, str], broker: str) -> Path:
    """Mail to files the citizens read, sent by a Celery worker through the outbox (as
    in production, with Redis as broker; the cache stays the file cache); rate limits in
    force but out of reach."""
    mail = Path(env["GILIRAN_VAR_DIR"]) / "mail"
    mail.mkdir(parents=True, exist_ok=True)
    env.update(
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mail),
        CELERY_BROKER_URL=broker,
        **dict.fromkeys(RATE_SETTINGS, "100000000/h"),
    )
    procs.flush_redis(broker)
    return mail


def plan_days(quotas: list[int]) -> list[dict[str, Any]]:
    """In Django: give len(quotas) bookable days of the office-service their quota,
    spread over each day's slots; returns each day and its slots' capacities."""
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from booking.models import Booking, Slot
    from booking.selectors.availability import booking_window, days_availability
    from offices.models import OfficeService

    offered = OfficeService.objects.get(office__code=OFFICE, service__code=SERVICE)
    now = timezone.now()
    window = booking_window(offered, now)
    # From the day after the first bookable one: no minimum notice cuts a day short.
    first = window.first_day + timedelta(days=1)
    days = [
        d.day
        for d in days_availability(offered, first, window.last_day, now)
        if d.status == "available"
    ]
    if len(days) < len(quotas):
        raise SystemExit(f"only {len(days)} bookable days; need {len(quotas)}")
    plan = []
    with transaction.atomic():
        for day, quota in zip(days, quotas, strict=False):
            slots = list(Slot.objects.filter(office_service=offered, local_date=day))
            assert not Booking.objects.filter(slot__in=slots).exists()
            base, extra = divmod(quota, len(slots))
            for index, slot in enumerate(slots):
                slot.capacity, slot.taken = base + (index < extra), 0
            Slot.objects.bulk_update(slots, ["capacity", "taken"])
            plan.append({"day": day.isoformat(), "capacities": {s.pk: s.capacity for s in slots}})
    return plan


def day_path(day: dict[str, Any]) -> str:
    return f"/api/v1/offices/{OFFICE}/services/{SERVICE}/availability/{day['day']}/"


def check_day(server: net.Server, day: dict[str, Any]) -> None:
    body = net.fetch_json(server.url(day_path(day)))
    free = {str(t["slot"]): t["free"] for t in body.get("times", [])}
    if free != {str(k): v for k, v in day["capacities"].items()}:
        raise SystemExit(f"bench: {day_path(day)} does not show the quota: {body}")


# --- The crowd ---------------------------------------------------------------------------

SUBJECT_CODE = re.compile(rb"^Subject: [^\r\n]*?\b(\d{6})[ \t]*\r?$", re.M)
TO = re.compile(rb"^To: ([^\r\n]+?)[ \t]*\r?$", re.M)


class Mailbox:
    """Finds each citizen's code in the file backend's folder (one file per message)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.sizes = {e.path: e.stat().st_size for e in os.scandir(folder)}
        self.codes: dict[str, str] = {}
        self.waiting = 0

    async def code_for(self, address: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        self.waiting += 1
        try:
            while address not in self.codes:
                if time.monotonic() > deadline:
                    raise TimeoutError(address)
                await asyncio.sleep(0.02)
        finally:
            self.waiting -= 1
        return self.codes.pop(address)

    async def scan(self) -> None:
        while True:
            await asyncio.sleep(0.02)
            if not self.waiting:
                continue
            for entry in os.scandir(self.folder):
                size = entry.stat().st_size
                if size != self.sizes.get(entry.path):
                    self.sizes[entry.path] = size
                    text = Path(entry.path).read_bytes()
                    # A message's header block is written whole: its To: is the code's.
                    for found in SUBJECT_CODE.finditer(text):
                        start = text.rfind(b"\n\n", 0, found.start()) + 1
                        end = text.find(b"\n\n", found.end())
                        to = TO.search(text, start, end if end != -1 else len(text))
                        if to:
                            self.codes[to.group(1).decode().strip().lower()] = found[1].decode()


@dataclass
class Citizen:
    n: int
    email: str
    outcome: str = "unfinished"  # booked | sold_out | gave_up | failed | unfinished
    calls: list[tuple[str, int, str, float, float]] = field(default_factory=list)
    code_wait: float | None = None


def nik(n: int) -> str:
    """A distinct valid NIK for each n: Jakarta, born in 1990, sequence never 0000."""
    return f"317101{n % 28 + 1:02d}{n // 28 % 12 + 1:02d}90{n // 336 + 1:04d}"


async def book(
    server: net.Server, citizen: Citizen, day: dict[str, Any], o: Any, mail: Mailbox, t0: float
) -> None:
    """One citizen: hold a time, reload after each refusal, confirm with the mailed code."""

    async def call(kind: str, method: str, path: str, body: Any = None) -> net.Answer:
        began = time.monotonic()
        answer = await net.http(server, method, path, json_body=body, timeout=o.time_limit)
        citizen.calls.append(
            (kind, answer.status, answer.error, began - t0, time.monotonic() - began)
        )
        return answer

    view = {int(k): int(v) for k, v in day["capacities"].items()}
    for _ in range(o.max_holds):
        slot = random.choices(list(view), weights=list(view.values()))[0]
        n = citizen.n
        held = await call(
            "hold",
            "POST",
            HOLDS,
            {
                "slot": slot,
                "full_name": f"Warga Bench {n}",
                "nik": nik(n),
                "phone": f"0812{n:08d}",
                "email": citizen.email,
                "channel": "email",
                "priority_group": "",
                "language": "id",
            },
        )
        if held.status == 201:
            break
        if (held.status, held.error) != (409, "slot_full"):
            citizen.outcome = "failed"
            return
        times = await call("availability", "GET", day_path(day))
        if times.status != 200:
            citizen.outcome = "failed"
            return
        view = {int(t["slot"]): int(t["free"]) for t in times.body.get("times", [])}
        if not view:
            citizen.outcome = "sold_out"
            return
    else:
        citizen.outcome = "gave_up"
        return
    waited = time.monotonic()
    try:
        code = await mail.code_for(citizen.email, 30.0)
    except TimeoutError:
        citizen.outcome = "failed"
        citizen.calls.append(("code", 0, "no_code_mail", waited - t0, 0.0))
        return
    citizen.code_wait = time.monotonic() - waited
    token = held.body["hold_token"]
    done = await call("confirm", "POST", f"{HOLDS}{token}/confirm/", {"code": code})
    citizen.outcome = "booked" if done.status == 200 else "failed"


async def crowd(
    server: net.Server, day: dict[str, Any], o: Any, mail_dir: Path, clients: int, first: int
) -> tuple[list[Citizen], float]:
    """Release `clients` citizens (numbers from `first`: one NIK, one booking) at once on
    `day`; returns them and the wall time."""
    mail = Mailbox(mail_dir)
    label = f"c{first}"
    citizens = [Citizen(first + i, f"{label}-{i}@bench.giliran.example") for i in range(clients)]
    scanner = asyncio.create_task(mail.scan())
    t0 = time.monotonic()
    tasks = [asyncio.create_task(book(server, c, day, o, mail, t0)) for c in citizens]
    _done, pending = await asyncio.wait(tasks, timeout=o.time_limit)
    for task in [*pending, scanner]:
        task.cancel()
    await asyncio.gather(*pending, scanner, return_exceptions=True)
    for task in tasks:
        failure = None if task.cancelled() else task.exception()
        if failure:
            raise failure  # a bug in this script, not a server error
    return citizens, time.monotonic() - t0


def crowd_in_process(
    base_url: str, day: dict[str, Any], o: Any, mail_dir: str, first: int
) -> dict[str, Any]:
    """A crowd in a process of its own (call_next.py), so its client CPU does not slow
    the caller's event loop; returns its figures."""
    server = net.Server(base_url, Path(), None)
    citizens, wall = asyncio.run(crowd(server, day, o, Path(mail_dir), o.clients, first))
    return figures(citizens, wall, sum(day["capacities"].values()))


def figures(citizens: list[Citizen], wall: float, quota: int) -> dict[str, Any]:
    calls = [c for citizen in citizens for c in citizen.calls if c[0] != "code"]
    holds = [c for c in calls if c[0] == "hold"]
    held_at = sorted(c[3] + c[4] for c in holds if c[1] == 201)
    confirmed_at = sorted(c[3] + c[4] for c in calls if c[0] == "confirm" and c[1] == 200)
    sold_out = held_at[quota - 1] if len(held_at) >= quota else None

    def ms(kind: str, status: int | None = None) -> list[float | None]:
        seconds = [c[4] * 1000 for c in calls if c[0] == kind and status in (None, c[1])]
        return [stats.percentile(seconds, 50, 0), stats.percentile(seconds, 99, 0)]

    waits = [c.code_wait * 1000 for c in citizens if c.code_wait is not None]
    return {
        "outcomes": dict(Counter(c.outcome for c in citizens)),
        "requests": len(calls),
        "wall_seconds": round(wall, 1),
        "requests_per_second": round(len(calls) / wall, 1),
        "sold_out_seconds": round(sold_out, 1) if sold_out else None,
        "holds_per_second": round(quota / sold_out, 1) if sold_out else None,
        "confirmed": len(confirmed_at),
        "all_confirmed_seconds": round(confirmed_at[-1], 1) if confirmed_at else None,
        "latency_ms": {
            "hold": ms("hold"),
            "hold 201": ms("hold", 201),
            "hold 409": ms("hold", 409),
            "confirm": ms("confirm"),
            "availability": ms("availability"),
        },
        "code_wait_ms": [stats.percentile(waits, 50, 0), stats.percentile(waits, 99, 0)],
        "server_errors": sum(1 for c in calls if c[1] == 0 or c[1] >= 500),
        "unanswered": sum(1 for c in citizens if c.outcome in ("failed", "unfinished")),
    }


def oversold(db_url: str, day: dict[str, Any]) -> int:
    """Slots over capacity, with more confirmed bookings than places, or whose count of
    places taken is not the bookings occupying them: each is an oversold slot."""
    with psycopg.connect(db_url, connect_timeout=10) as conn:
        row = conn.execute(
            """SELECT (SELECT count(*) FROM booking_slot WHERE taken > capacity)
                 + (SELECT count(*) FROM (SELECT s.id FROM booking_slot s
                      JOIN booking_booking b ON b.slot_id = s.id AND b.status = 'confirmed'
                      GROUP BY s.id HAVING count(*) > max(s.capacity)) AS over)
                 + (SELECT count(*) FROM (SELECT s.id FROM booking_slot s
                      LEFT JOIN booking_booking b ON b.slot_id = s.id AND b.occupies_slot
                      WHERE s.id = ANY(%s) GROUP BY s.id
                      HAVING count(b.id) <> max(s.taken)) AS off)""",
            [[int(k) for k in day["capacities"]]],
        ).fetchone()
    return int(row[0]) if row else -1


def main() -> int:
    bench = run.Bench(NAME, __doc__ or "", PARAMS, groups=("load", "server", "database"))
    o, rounds = bench.o, []
    with bench.database() as env:
        mail = crowd_env(env, o.redis)
        warm, *days = run.django_call(env, plan_days, quotas=[WARM_CLIENTS] + [o.quota] * o.rounds)
        with (
            procs.celery(env, bench.path("worker.log")),
            net.gunicorn(env, o, bench.path("gunicorn.log")) as server,
        ):
            for day in days:
                check_day(server, day)
            net.wrk(server, net.BASELINE, max(o.warmup, 1), o)
            warmed, _ = asyncio.run(crowd(server, warm, o, mail, WARM_CLIENTS, 0))
            if any(c.outcome != "booked" for c in warmed):
                raise SystemExit(f"bench: the warm-up bookings did not all succeed: {warmed}")
            for index, day in enumerate(days, 1):
                time.sleep(2)  # nothing of the last crowd still queued
                hello = net.wrk(server, net.BASELINE, o.duration, o)
                print(
                    f"bench: round {index}: {o.clients} citizens for {o.quota} places", flush=True
                )
                citizens, wall = asyncio.run(
                    crowd(server, day, o, mail, o.clients, index * o.clients)
                )
                f = figures(citizens, wall, o.quota)
                f.update(hello=hello, oversold=oversold(bench.url(), day), day=day["day"])
                f["ratio"] = stats.ratio(f["requests_per_second"], hello["requests_per_second"])
                print(f"bench: round {index}: {f}", flush=True)
                rounds.append(f)
    problems = net.log_problems(server.log, bench.path("worker.log"))
    failures = [
        f"round {i}: {what}"
        for i, r in enumerate(rounds, 1)
        for what, bad in (
            (f"{r['server_errors']} server errors", r["server_errors"]),
            (f"{r['oversold']} oversold slots", r["oversold"]),
            ("not sold out", r["sold_out_seconds"] is None),
            (f"{r['unanswered']} citizens without an answer", r["unanswered"]),
        )
        if bad
    ] + [f"{len(problems)} problems in the server log"] * bool(problems)
    return bench.finish({"rounds": rounds, "problems": problems}, render(bench, rounds), failures)


def pair(v: list[float | None]) -> str:
    return f"{stats.num(v[0], ' ms', 0)} / {stats.num(v[1], ' ms', 0)}"


def render(bench: run.Bench, rounds: list[dict[str, Any]]) -> str:
    o = bench.o
    table = stats.table(
        [
            "round",
            "sold out",
            "all confirmed",
            "holds/s",
            "hold p50 / p99",
            "confirm p50 / p99",
            "requests",
            "crowd req/s",
            "hello req/s",
            "ratio",
            "server errors",
            "oversold",
        ],
        [
            [
                i,
                stats.num(r["sold_out_seconds"], " s"),
                stats.num(r["all_confirmed_seconds"], " s"),
                r["holds_per_second"],
                pair(r["latency_ms"]["hold"]),
                pair(r["latency_ms"]["confirm"]),
                f"{r['requests']:,} in {r['wall_seconds']:.0f} s",
                r["requests_per_second"],
                r["hello"]["requests_per_second"],
                r["ratio"],
                r["server_errors"],
                r["oversold"],
            ]
            for i, r in enumerate(rounds, 1)
        ],
    )
    kinds = rounds[0]["latency_ms"]
    latency = stats.table(
        ["request (medians over the rounds)", "p50", "p99"],
        [
            [
                kind,
                *(
                    stats.num(stats.median(r["latency_ms"][kind][i] for r in rounds), " ms", 0)
                    for i in (0, 1)
                ),
            ]
            for kind in kinds
        ],
    )
    m = stats.median
    sold_out = stats.num(m(r["sold_out_seconds"] for r in rounds), " s")
    return stats.section(
        "Flash crowd: one day's quota sold out over HTTP",
        __doc__ or "",
        bench.command,
        bench.run_line(stats.versions("django", "gunicorn")),
        f"Crowd: {o.clients:,} citizens for {o.quota:,} places, {o.rounds} rounds (a fresh day "
        f"each); baseline: wrk on `/bench/hello/`, {o.duration} s before each crowd. Server: "
        f"gunicorn, {o.workers} {o.worker_class} workers, `DEBUG=0`; a Celery worker sends "
        "the codes through the outbox, Redis as broker.",
        table,
        f"Medians over the rounds: **sold out in {sold_out}**, "
        f"**crowd/hello throughput {m(r['ratio'] for r in rounds)}**. Codes reached the "
        f"citizens {pair(rounds[0]['code_wait_ms'])} (p50 / p99, first round) "
        "after the hold's answer.",
        latency,
    )


if __name__ == "__main__":
    sys.exit(main())
