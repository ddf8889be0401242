"""Release moment: a day's quota released through the waiting room, counters working.

The demo passport office-service (`kanim-jakarta-pusat`, `paspor-baru`) is given a
release a couple of minutes after the set-up: day by day (`rolling`), the day it opens
gets the quota (500 places) spread over its times, and the waiting room opens at once
(`waiting_room_minutes` covers the wait). Citizens, each an asyncio task with its own
NIK, phone and email, follow the real flow over the API: 2,000 join the waiting room
before the release (`POST /api/v1/waiting-rooms/…/`; their arrival order is recorded
here), 8,000 more arrive spread over the first 60 s after it; each asks where they
stand (`GET` with `X-Waiting-Room-Ticket`) as often as `poll_after_seconds` says; when
admitted they load the month and the day (`GET …/availability/`), hold a time
(`POST /api/v1/holds/` with the ticket and `X-Admission`), read the one-time code from
the email a Celery worker sent (Django's file backend) and confirm. A citizen whose time
was just taken (409 `slot_full`) reloads the day and tries another with the same
admission (a failed hold gives it back), up to 25 times; when the day shows no free time
the release is sold out and they stop. A request the server never answers (its accept
queue overflowed) is sent again 2 to 8 s later, up to 5 times, when that is safe (a GET,
or a join: the same NIK keeps its place), as a reloading page does; every attempt is
counted. The room cannot tell those still in line that
nothing is left, so once every place is held and every admitted citizen is done, the
citizens still waiting stop too (counted as "still waiting"; every request they sent
was answered).

The same crowd then books another day (the same quota) against the same server with
the waiting room off (`waiting_room_minutes` 0, the rush trigger 0): everyone holds at
the release, as in bench/flash_crowd.py (the day's list of times open beforehand,
reloaded after each refusal). Meanwhile 20 clerks work 20 counters over the staff API
(bench/call_next.py's office, clerks and 5,000 waiting tickets): call next, start and
finish (or a confirmed no-show), a second's pause between citizens, against a
**separate gunicorn pool** (the staff pool) on another port, as config/server_pools.py
routes them, whose access log gives each call's server time. A probe GETs
`/bench/hello/` there ten times a second.

Measured: every request answered; p50/p99 of the waiting room's answers (join,
status) and of every answer; server errors (5xx, no answer, tracebacks in the logs);
oversold slots (the database audited as in bench/flash_crowd.py) and the places
confirmed; among the citizens present at the release, Spearman's rank correlation
between their arrival order and their place in line (the order of admission, read from
the room's store); hold throughput (holds answered per second from the first hold until
the last place was held) against the citizens' server's `/bench/hello/` (wrk, just before
each crowd); call-next p99 (server time) and double calls (the database audited as in
bench/call_next.py). Rate limits are set out of reach (every client is 127.0.0.1). The
run fails on any server error, oversold slot or double call, or a room crowd not
confirming every place.

    .venv/bin/python bench/release_moment.py            # full run, rewrites its docs section
    .venv/bin/python bench/release_moment.py --quick    # smoke run, leaves the docs alone
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import random
import secrets
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import call_next
import flash_crowd
import psycopg
from harness import net, procs, run, stats

NAME = "release_moment"
OFFICE, SERVICE = flash_crowd.OFFICE, flash_crowd.SERVICE
HOLDS = flash_crowd.HOLDS
ROOM = f"/api/v1/waiting-rooms/{OFFICE}/{SERVICE}/"
MONTH = f"/api/v1/offices/{OFFICE}/services/{SERVICE}/availability/"
TICKET_HEADER, ADMISSION_HEADER = "X-Waiting-Room-Ticket", "X-Admission"
GOALS = {
    "room_p99_ms": 1000.0,
    "any_p99_ms": 2000.0,
    "rho": 0.05,
    "hold_ratio": 0.3,
    "call_next_p99_ms": 20.0,
}
# Attempts after the first for a request the server never answered (see Release.call).
RETRIES = 5
PARAMS: dict[str, tuple[Any, Any, str]] = {
    "early": (2000, 200, "citizens in the waiting room before the release"),
    "late": (8000, 800, "citizens arriving after the release"),
    "spread": (60.0, 20.0, "seconds over which the late citizens arrive"),
    "quota": (500, 50, "places on the released day (and on the comparison day)"),
    "lead_minutes": (3, 1, "minutes from the room's opening to the release"),
    "max_holds": (25, 25, "hold attempts per citizen"),
    "admit_per_minute": (600, 600, "GILIRAN_WAITING_ROOM_ADMIT_PER_MINUTE"),
    "in_flow": (30, 30, "GILIRAN_WAITING_ROOM_IN_FLOW"),
    "time_limit": (1200.0, 400.0, "seconds for one crowd after its release"),
    "counters": (20, 20, "open counters on the staff pool"),
    "waiting": (5000, 1000, "walk-in tickets waiting at each crowd's start"),
    "clerk_pause": (1.0, 1.0, "seconds a clerk spends between citizens"),
    "staff_workers": (2, 2, "sync workers of the staff pool"),
    "redis": (
        "redis://127.0.0.1:6379/13",
        "redis://127.0.0.1:6379/13",
        "the room's store, the cache and the Celery broker; emptied",
    ),
}


def server_pools() -> Any:
    """config/server_pools.py, the one place that says which paths the staff pool serves
    (it imports nothing from Django; loaded by its file, outside the config package)."""
    spec = importlib.util.spec_from_file_location(
        "giliran_server_pools", run.BASE_DIR / "config" / "server_pools.py"
    )
    if spec is None or spec.loader is None:
        raise SystemExit("bench: config/server_pools.py is missing")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check_routes() -> None:
    """The clerks' requests are the staff pool's and the citizens' are not, as the proxy
    in front routes them (the staff pool answers the probes' `/bench/hello/` too: it
    runs with GILIRAN_SERVER_POOL=all, the citizens' pool with `citizen`)."""
    pools = server_pools()
    staff = ["/staf/masuk/", "/api/v1/counters/1/next/"]
    citizen = [ROOM, MONTH, HOLDS, f"{HOLDS}x/confirm/", net.BASELINE]
    if not all(map(pools.is_staff_path, staff)) or any(map(pools.is_staff_path, citizen)):
        raise SystemExit("bench: config/server_pools.py routes these paths otherwise")


# --- Set-up, in Django -------------------------------------------------------------------


def open_release(lead_minutes: int, quota: int) -> dict[str, Any]:
    """In Django: the office-service releases day by day about `lead_minutes` from now,
    with its waiting room open from a second ago; the day that moment opens gets `quota`
    places spread over its slots. The day is `booking_window_days` after the moment's
    date (brought nearer if that day has no slots). Returns the day, its slots'
    capacities and the moment.

    The room's store is touched first, a few seconds before the gathering begins: a
    store first used during a gathering cannot tell it from a restarted one, and would
    move the draw GILIRAN_WAITING_ROOM_REGATHER_SECONDS after its birth
    (docs/releases.md)."""
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from releases.rooms import room_for
    from releases.store import room_store

    room_store().epoch()
    time.sleep(3)

    from booking.models import Booking, Slot
    from offices.models import OfficeService
    from offices.models.catalog import Allocation, ReleasePattern
    from offices.release_schedule import last_open_day, next_release

    offered = OfficeService.objects.select_related("office").get(
        office__code=OFFICE, service__code=SERVICE
    )
    now = timezone.now()
    release_at = (now + timedelta(minutes=lead_minutes, seconds=-1)).astimezone(offered.office.zone)
    release_at = release_at.replace(microsecond=0)
    window = offered.booking_window_days
    while window > offered.booking_opens_days_ahead + 3:
        day = release_at.date() + timedelta(days=window)
        slots = list(Slot.objects.filter(office_service=offered, local_date=day))
        if slots:
            break
        window -= 1
    else:
        raise SystemExit("bench: no day with slots to release")
    with transaction.atomic():
        assert not Booking.objects.filter(slot__in=slots).exists()
        base, extra = divmod(quota, len(slots))
        for index, slot in enumerate(slots):
            slot.capacity, slot.taken = base + (index < extra), 0
        Slot.objects.bulk_update(slots, ["capacity", "taken"])
        offered.release_pattern = ReleasePattern.ROLLING
        offered.release_time = release_at.time()
        offered.booking_window_days = window
        offered.waiting_room_minutes = lead_minutes
        offered.allocation = Allocation.FIRST_COME
        offered.save()
    released = next_release(offered, timezone.now())
    if released.opens_at != release_at or released.first_day != day:
        raise SystemExit(f"bench: the release is {released}, not {release_at} for {day}")
    if last_open_day(offered, timezone.now()) >= day:
        raise SystemExit(f"bench: {day} is open before its release")
    room = room_for(offered, timezone.now())
    if room is None or room.draws_at != release_at:
        raise SystemExit(f"bench: the waiting room is {room}, not drawing at {release_at}")
    return {
        "day": day.isoformat(),
        "capacities": {s.pk: s.capacity for s in slots},
        "release_at": release_at.timestamp(),
        "release_local": release_at.isoformat(),
        "waiting_room_minutes": offered.waiting_room_minutes,
    }


def close_rooms() -> int:
    """In Django: the office-service without a waiting room (the comparison)."""
    from offices.models import OfficeService

    return OfficeService.objects.filter(office__code=OFFICE, service__code=SERVICE).update(
        waiting_room_minutes=0
    )


def line_places(tickets: list[str]) -> list[int | None]:
    """In Django: each ticket's place in its room's line (0 first), from the store."""
    from releases.rooms import ticket_read
    from releases.store import room_store

    store, places = room_store(), []
    for token in tickets:
        read = ticket_read(token)
        places.append(store.place(*read) if read else None)
    return places


# --- Citizens ----------------------------------------------------------------------------


@dataclass
class Citizen(flash_crowd.Citizen):
    arrives: float = 0.0  # seconds after the crowd's start
    join_sent: float | None = None
    gathered: bool = False  # in the room before the release
    ticket: str = ""


class Crowd:
    """One crowd on one day, with or without the waiting room: its citizens, the
    mailbox, and what ends it."""

    def __init__(
        self, server: net.Server, day: dict[str, Any], o: Any, mail: Path, first: int
    ) -> None:
        self.server, self.day, self.o = server, day, o
        self.quota = sum(day["capacities"].values())
        self.mail = flash_crowd.Mailbox(mail)
        self.citizens = [
            Citizen(first + i, f"r{first}-{i}@bench.giliran.example")
            for i in range(o.early + o.late)
        ]
        self.t0 = time.monotonic()
        self.held = 0
        self.booking = 0  # citizens admitted and not yet done
        self.ended = asyncio.Event()
        self.release_in = 0.0
        month = day["day"][:7]
        self.month_path = f"{MONTH}?month={month}"

    async def call(
        self,
        citizen: Citizen,
        kind: str,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> net.Answer:
        # A request the server never answered (its accept queue overflowed in the
        # crowd) is tried again a few seconds later when trying again is safe: a GET, or
        # a join (the same NIK gets the same place), as a reloading page or an app does.
        # Every attempt is recorded, so the unanswered ones still count against the goal.
        for attempt in range(RETRIES + 1):
            began = time.monotonic()
            answer = await net.http(
                self.server,
                method,
                path,
                json_body=body,
                headers=headers,
                timeout=self.o.time_limit,
            )
            citizen.calls.append(
                (kind, answer.status, answer.error, began - self.t0, time.monotonic() - began)
            )
            safe = method == "GET" or kind == "join"
            if answer.status != 0 or not safe or attempt == RETRIES or self.ended.is_set():
                return answer
            await asyncio.sleep(random.uniform(2.0, 8.0))
        raise AssertionError("unreachable: the last attempt returns")

    async def arrive(self, citizen: Citizen) -> None:
        await asyncio.sleep(max(0.0, citizen.arrives - (time.monotonic() - self.t0)))

    async def in_room(self, citizen: Citizen) -> None:
        """Join, wait as told, then book with the admission."""
        await self.arrive(citizen)
        citizen.join_sent = time.monotonic() - self.t0
        answer = await self.call(citizen, "join", "POST", ROOM, {"nik": flash_crowd.nik(citizen.n)})
        if answer.status != 201:
            citizen.outcome = "failed"
            return
        citizen.ticket = answer.body["ticket"]
        # Present at the release: in the room (answered) before it. A join sent earlier
        # but served after the draw began is placed after the drawn members, by design.
        answered = time.monotonic() - self.t0
        citizen.gathered = answer.body["state"] == "gathering" and answered < self.release_in
        while answer.body["state"] != "admitted":
            if answer.body["state"] == "sold_out":  # every place taken: the room said so
                citizen.outcome = "sold_out"
                return
            if answer.body["state"] in ("spent", "lapsed"):
                citizen.outcome = "failed"
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.ended.wait(), answer.body["poll_after_seconds"])
            if self.ended.is_set():
                citizen.outcome = "still_waiting"
                return
            answer = await self.call(
                citizen, "status", "GET", ROOM, headers={TICKET_HEADER: citizen.ticket}
            )
            if answer.status != 200:
                citizen.outcome = "failed"
                return
        headers = {TICKET_HEADER: citizen.ticket, ADMISSION_HEADER: answer.body["admission"]}
        self.booking += 1
        try:
            month = await self.call(citizen, "month", "GET", self.month_path)
            if month.status != 200:
                citizen.outcome = "failed"
                return
            await self.book(citizen, headers, None)
        finally:
            self.booking -= 1

    async def at_release(self, citizen: Citizen) -> None:
        """Without a room: hold on a time from the list open before the release."""
        await self.arrive(citizen)
        await self.book(citizen, {}, {int(k): int(v) for k, v in self.day["capacities"].items()})

    async def book(
        self, citizen: Citizen, headers: dict[str, str], view: dict[int, int] | None
    ) -> None:
        """Hold a time (reloading the day after each refusal), then confirm with the code."""
        day_path = flash_crowd.day_path(self.day)
        n = citizen.n
        for _ in range(self.o.max_holds):
            if view is None:
                times = await self.call(citizen, "day", "GET", day_path)
                if times.status != 200:
                    citizen.outcome = "failed"
                    return
                view = {int(t["slot"]): int(t["free"]) for t in times.body.get("times", [])}
                view = {k: v for k, v in view.items() if v > 0}
                if not view:
                    citizen.outcome = "sold_out"
                    return
            slot = random.choices(list(view), weights=list(view.values()))[0]
            body = {
                "slot": slot,
                "full_name": f"Warga Bench {n}",
                "nik": flash_crowd.nik(n),
                "phone": f"0812{n:08d}",
                "email": citizen.email,
                "channel": "email",
                "priority_group": "",
                "language": "id",
            }
            held = await self.call(citizen, "hold", "POST", HOLDS, body, headers)
            if held.status == 201:
                self.held += 1
                break
            if (held.status, held.error) != (409, "slot_full"):
                citizen.outcome = "failed"
                return
            view = None
        else:
            citizen.outcome = "gave_up"
            return
        waited = time.monotonic()
        try:
            code = await self.mail.code_for(citizen.email, 60.0)
        except TimeoutError:
            citizen.outcome = "failed"
            citizen.calls.append(("code", 0, "no_code_mail", waited - self.t0, 0.0))
            return
        citizen.code_wait = time.monotonic() - waited
        token = held.body["hold_token"]
        done = await self.call(
            citizen, "confirm", "POST", f"{HOLDS}{token}/confirm/", {"code": code}
        )
        citizen.outcome = "booked" if done.status == 200 else "failed"

    async def watch(self) -> None:
        """Every place held and every admitted citizen done: the rest stop waiting."""
        while not (self.held >= self.quota and self.booking == 0):
            await asyncio.sleep(0.2)
        self.ended.set()

    async def run(self, release_in: float, room: bool) -> float:
        """Arrivals: `early` over the time before the release (ending 10 s before it),
        `late` over `spread` seconds after it; returns the wall time."""
        o = self.o
        self.release_in = release_in
        early_until = max(release_in - 10.0, 0.0)
        for i, citizen in enumerate(self.citizens):
            if i < o.early:
                citizen.arrives = early_until * i / o.early if room else release_in
            else:
                citizen.arrives = release_in + o.spread * (i - o.early) / max(o.late, 1)
        scanner = asyncio.create_task(self.mail.scan())
        watcher = asyncio.create_task(self.watch())
        flow = self.in_room if room else self.at_release
        tasks = [asyncio.create_task(flow(c)) for c in self.citizens]
        _done, pending = await asyncio.wait(tasks, timeout=release_in + o.time_limit)
        for task in [*pending, scanner, watcher]:
            task.cancel()
        await asyncio.gather(*pending, scanner, watcher, return_exceptions=True)
        for task in tasks:
            failure = None if task.cancelled() else task.exception()
            if failure:
                raise failure  # a bug in this script, not a server error
        return time.monotonic() - self.t0


# --- Counters on the staff pool ------------------------------------------------------------


async def clerk(
    counters: call_next.Counters, counter: dict[str, Any], headers: dict[str, str], o: Any
) -> None:
    """bench/call_next.py's clerk with a pause between citizens: call, start and finish
    (a confirmed no-show for one in ten); any answer but 200 stops the counter."""
    base, who, rng = f"/api/v1/counters/{counter['id']}/", f"c{counter['id']}", random.Random()
    while await counters.going.wait() and not counters.stop:
        counters.busy += 1
        try:
            called, record = await counters.request("next", base + "next/", headers, who)
            current = called.body.get("current") if isinstance(called.body, dict) else None
            if called.status != 200 or (current and current.get("status") != "called"):
                counters.problems.append(f"{counter['name']}: next answered {called.status}")
                return
            if current is None:
                record[1] = "next-empty"
            else:
                record[6] = current.get("number")
                steps = ["no-show"] if rng.random() < 0.1 else ["start", "finish"]
                for step in steps:
                    sent = {"confirm": True, "ticket": record[6]} if step == "no-show" else None
                    done, _ = await counters.request(step, f"{base}{step}/", headers, who, sent)
                    if done.status != 200:
                        counters.problems.append(
                            f"{counter['name']}: {step} answered {done.status}"
                        )
                        return
        finally:
            counters.busy -= 1
        await asyncio.sleep(o.clerk_pause)


# --- The run -----------------------------------------------------------------------------


async def drive(
    bench: run.Bench,
    env: dict[str, str],
    server: net.Server,
    staff: net.Server,
    setup: dict[str, Any],
    compare_day: dict[str, Any],
    password: str,
) -> dict[str, Any]:
    o = bench.o
    counters = call_next.Counters(staff, o)
    headers = [await call_next.sign_in(staff, c["username"], password) for c in setup["clerks"]]
    tasks = [
        asyncio.create_task(clerk(counters, c, h, o))
        for c, h in zip(setup["clerks"], headers, strict=True)
    ]
    probes = [asyncio.create_task(counters.probe())]
    phases: dict[str, Any] = {}
    first = 0
    try:
        for label in ("room", "no_room"):
            queue = await asyncio.to_thread(
                run.django_call, env, call_next.top_up, goal=o.waiting, seed=len(phases)
            )
            await asyncio.sleep(2)  # nothing of the last crowd still queued
            hello = await asyncio.to_thread(net.wrk, server, net.BASELINE, o.duration, o)
            if label == "room":
                day = await asyncio.to_thread(
                    run.django_call, env, open_release, lead_minutes=o.lead_minutes, quota=o.quota
                )
                await gate_check(server, day)
                release_in = day["release_at"] - time.time()
            else:
                await asyncio.to_thread(run.django_call, env, close_rooms)
                day, release_in = compare_day, 0.0
            print(
                f"bench: {label}: {o.early} + {o.late} citizens for {o.quota} places on "
                f"{day['day']}, release in {release_in:.0f} s; {queue}",
                flush=True,
            )
            crowd = Crowd(server, day, o, Path(env["EMAIL_FILE_PATH"]), first)
            first += len(crowd.citizens)
            counters.going.set()
            started = time.monotonic()
            wall = await crowd.run(release_in, room=label == "room")
            window = (started + release_in, time.monotonic())
            await counters.pause()
            f = figures(crowd, wall, release_in)
            f.update(hello=hello, day=day["day"], window=window)
            f["hold_ratio"] = stats.ratio(f["holds_per_second"], hello["requests_per_second"])
            if label == "room":
                f["release_local"] = day["release_local"]
                f["rho"] = await asyncio.to_thread(spearman_of, env, crowd)
            print(f"bench: {label}: {summary_line(f)}", flush=True)
            phases[label] = {"figures": f, "day": day}
            if counters.problems:
                break
    finally:
        counters.stop = True
        counters.going.set()
        await asyncio.gather(*tasks, *probes, return_exceptions=True)
    return {"phases": phases, "counters": counters}


async def gate_check(server: net.Server, day: dict[str, Any]) -> None:
    """Before the release a hold without an admission is sent to the waiting room."""
    slot = int(next(iter(day["capacities"])))
    n = 9_999_000
    answer = await net.http(
        server,
        "POST",
        HOLDS,
        json_body={
            "slot": slot,
            "full_name": "Warga Bench",
            "nik": flash_crowd.nik(n % 20000 + 40000),
            "phone": "081299999999",
            "email": "gate@bench.giliran.example",
            "channel": "email",
            "priority_group": "",
            "language": "id",
        },
    )
    if (answer.status, answer.error) != (429, "waiting_room_required"):
        raise SystemExit(f"bench: a hold without admission answered {answer.status} {answer.body}")


def spearman_of(env: dict[str, str], crowd: Crowd) -> dict[str, Any]:
    """Arrival order against place in line, for the citizens gathered before the draw."""
    present = sorted(
        (c for c in crowd.citizens if c.gathered and c.ticket), key=lambda c: c.join_sent or 0
    )
    places = run.django_call(env, line_places, tickets=[c.ticket for c in present])
    pairs = [(i, p) for i, p in enumerate(places) if p is not None]
    return {"n": len(pairs), "rho": spearman(pairs)}


def spearman(pairs: list[tuple[int, int]]) -> float | None:
    """Spearman's ρ of distinct values (ranks are positions in each order)."""
    n = len(pairs)
    if n < 3:
        return None
    by_first = {p: r for r, p in enumerate(sorted(p[0] for p in pairs))}
    by_second = {p: r for r, p in enumerate(sorted(p[1] for p in pairs))}
    d2 = sum((by_first[a] - by_second[b]) ** 2 for a, b in pairs)
    return round(1 - 6 * d2 / (n * (n * n - 1)), 4)


def figures(crowd: Crowd, wall: float, release_in: float) -> dict[str, Any]:
    citizens, quota = crowd.citizens, crowd.quota
    calls = [c for citizen in citizens for c in citizen.calls if c[0] != "code"]
    held_at = sorted(c[3] + c[4] for c in calls if c[0] == "hold" and c[1] == 201)
    confirmed_at = sorted(c[3] + c[4] for c in calls if c[0] == "confirm" and c[1] == 200)
    holds = [c for c in calls if c[0] == "hold"]
    first_hold = min((c[3] for c in holds), default=None)
    sold_out = held_at[quota - 1] if len(held_at) >= quota else None
    answered = (
        sum(1 for c in holds if c[1] and c[3] + c[4] <= sold_out)
        if sold_out is not None and first_hold is not None
        else 0
    )
    span = sold_out - first_hold if sold_out is not None and first_hold is not None else None

    def ms(kinds: tuple[str, ...] | None) -> list[float | None]:
        seconds = [c[4] * 1000 for c in calls if kinds is None or c[0] in kinds]
        return [stats.percentile(seconds, 50, 0), stats.percentile(seconds, 99, 0)]

    waits = [c.code_wait * 1000 for c in citizens if c.code_wait is not None]
    # Every answer by when it was asked (10 s windows from the release): where the p99 is.
    windows: dict[int, list[float]] = {}
    for c in calls:
        windows.setdefault(int((c[3] - release_in) // 10 * 10), []).append(c[4] * 1000)
    by_window = {
        f"{start:+d} s": [len(v), stats.percentile(v, 50, 0), stats.percentile(v, 99, 0)]
        for start, v in sorted(windows.items())
    }
    kinds = ("join", "status", "month", "day", "hold", "confirm")
    return {
        "outcomes": dict(Counter(c.outcome for c in citizens)),
        "requests": len(calls),
        "wall_seconds": round(wall, 1),
        "release_in": round(release_in, 1),
        "sold_out_seconds": round(sold_out - release_in, 1) if sold_out else None,
        "holds_answered": answered,
        "holds_per_second": round(answered / span, 1) if span else None,
        "confirmed": len(confirmed_at),
        "all_confirmed_seconds": round(confirmed_at[-1] - release_in, 1)
        if len(confirmed_at) >= quota
        else None,
        "latency_ms": {
            **{kind: ms((kind,)) for kind in kinds if any(c[0] == kind for c in calls)},
            "waiting room": ms(("join", "status")),
            "any": ms(None),
        },
        "counts": dict(Counter(c[0] for c in calls)),
        "answers_by_window_ms": by_window,
        "code_wait_ms": [stats.percentile(waits, 50, 0), stats.percentile(waits, 99, 0)],
        "server_errors": sum(1 for c in calls if c[1] >= 500),
        "unanswered_requests": sum(1 for c in calls if c[1] == 0),
        "failed_citizens": sum(1 for c in citizens if c.outcome in ("failed", "unfinished")),
    }


def summary_line(f: dict[str, Any]) -> str:
    keys = ("outcomes", "sold_out_seconds", "confirmed", "holds_per_second", "hold_ratio")
    return ", ".join(f"{k} {f.get(k)}" for k in keys) + f", latency {f['latency_ms']}"


def confirmed(db_url: str, day: dict[str, Any]) -> int:
    with psycopg.connect(db_url, connect_timeout=10) as conn:
        row = conn.execute(
            "SELECT count(*) FROM booking_booking WHERE status = 'confirmed' AND slot_id = ANY(%s)",
            [[int(k) for k in day["capacities"]]],
        ).fetchone()
    return int(row[0]) if row else -1


def call_next_figures(
    counters: call_next.Counters, phases: dict[str, Any], log: Path
) -> dict[str, Any]:
    """Call-next server and client times while each crowd ran (from its release)."""
    times = net.server_times(log)
    found: dict[str, Any] = {}
    for label, phase in phases.items():
        start, end = phase["figures"]["window"]
        rows = [
            (times[r[0]][1], r[3])
            for r in counters.records
            if r[1] == "next" and r[0] in times and start <= r[2] < end
        ]
        hello = [
            (times[r[0]][1], r[3])
            for r in counters.records
            if r[1] == "hello" and r[0] in times and start <= r[2] < end
        ]
        found[label] = {"next": call_next.latency(rows), "hello": call_next.latency(hello)}
    found["without_log_line"] = sum(1 for r in counters.records if r[4] and r[0] not in times)
    return found


def main() -> int:
    bench = run.Bench(NAME, __doc__ or "", PARAMS, groups=("load", "server", "database"))
    o = bench.o
    password = secrets.token_urlsafe(18)
    zone = call_next.pick_zone(datetime.now(UTC))
    staff_o = SimpleNamespace(workers=o.staff_workers, worker_class="sync", worker_threads=1)
    check_routes()
    with bench.database() as env:
        flash_crowd.crowd_env(env, o.redis)
        env.update(
            REDIS_URL=o.redis,
            GILIRAN_RATE_ROOM_JOIN_PER_IP="100000000/h",
            GILIRAN_WAITING_ROOM_TRIGGER_PER_MINUTE="0",
            GILIRAN_WAITING_ROOM_ADMIT_PER_MINUTE=str(o.admit_per_minute),
            GILIRAN_WAITING_ROOM_IN_FLOW=str(o.in_flow),
        )
        setup = run.django_call(
            env, call_next.set_up_office, zone=zone, counters=o.counters, password=password
        )
        warm, compare_day = run.django_call(
            env, flash_crowd.plan_days, quotas=[flash_crowd.WARM_CLIENTS, o.quota]
        )
        access = bench.path("staff-access.log")
        with (
            procs.celery(env, bench.path("worker.log")),
            net.gunicorn(
                {**env, "GILIRAN_SERVER_POOL": "citizen"}, o, bench.path("gunicorn.log")
            ) as server,
            net.gunicorn(env, staff_o, bench.path("staff.log"), access_log=access) as staff,
        ):
            flash_crowd.check_day(server, compare_day)
            net.wrk(server, net.BASELINE, max(o.warmup, 1), o)
            warmed, _ = asyncio.run(
                flash_crowd.crowd(server, warm, o, Path(env["EMAIL_FILE_PATH"]), 9, 90_000)
            )
            if any(c.outcome != "booked" for c in warmed):
                raise SystemExit(f"bench: the warm-up bookings did not all succeed: {warmed}")
            result = asyncio.run(drive(bench, env, server, staff, setup, compare_day, password))
        phases, counters = result["phases"], result["counters"]
        for phase in phases.values():
            phase["figures"]["oversold"] = flash_crowd.oversold(bench.url(), phase["day"])
            phase["figures"]["confirmed_in_db"] = confirmed(bench.url(), phase["day"])
        audit = call_next.audit(bench.url(), setup["office_id"], counters)
    procs.flush_redis(o.redis)
    calls = call_next_figures(counters, phases, access)
    problems = net.log_problems(server.log, staff.log, bench.path("worker.log"))
    double = call_next.double_calls(audit)
    staff_errors = sum(1 for r in counters.records if r[4] == 0 or r[4] >= 500)
    room = phases.get("room", {}).get("figures", {})
    failures = [
        what
        for what, bad in (
            (f"{len(phases)} of 2 crowds", len(phases) < 2),
            ("; ".join(counters.problems), counters.problems),
            (f"{double} double calls", double),
            (f"{staff_errors} staff-pool errors", staff_errors),
            (f"{len(problems)} problems in the logs", problems),
            *(
                (
                    f"{label}: {p['figures']['server_errors']} server errors",
                    p["figures"]["server_errors"],
                )
                for label, p in phases.items()
            ),
            *(
                (f"{label}: {p['figures']['oversold']} oversold slots", p["figures"]["oversold"])
                for label, p in phases.items()
            ),
            (
                f"room: {room.get('confirmed_in_db')} of {o.quota} confirmed",
                room and room.get("confirmed_in_db") != o.quota,
            ),
            (
                f"room: {room.get('unanswered_requests')} requests without an answer",
                room.get("unanswered_requests"),
            ),
            (f"room: {room.get('failed_citizens')} citizens failed", room.get("failed_citizens")),
        )
        if bad
    ]
    report = {
        "phases": phases,
        "call_next": calls,
        "audit": audit,
        "problems": problems[:50],
        "counters": counters.problems,
    }
    return bench.finish(report, render(bench, zone, phases, calls, audit), failures)


# --- The docs section --------------------------------------------------------------------


def pair(v: list[float | None]) -> str:
    return f"{stats.num(v[0], ' ms', 0)} / {stats.num(v[1], ' ms', 0)}"


def render(
    bench: run.Bench,
    zone: str,
    phases: dict[str, Any],
    calls: dict[str, Any],
    audit: dict[str, int],
) -> str:
    o = bench.o
    room = phases["room"]["figures"]
    bare = phases.get("no_room", {}).get("figures")
    crowd_rows = []
    for label, f in (("waiting room", room), ("no waiting room", bare)):
        if not f:
            continue
        crowd_rows.append(
            [
                label,
                ", ".join(f"{k} {v:,}" for k, v in sorted(f["outcomes"].items())),
                stats.num(f["sold_out_seconds"], " s"),
                f"{f['confirmed_in_db']} / {o.quota}",
                f"{f['requests']:,} in {f['wall_seconds']:.0f} s",
                pair(f["latency_ms"].get("waiting room", [None, None])),
                pair(f["latency_ms"]["any"]),
                pair(f["latency_ms"].get("hold", [None, None])),
                f"{stats.num(f['holds_per_second'])} / {f['hello']['requests_per_second']}"
                f" = **{f['hold_ratio']}**",
                f["server_errors"],
                f["unanswered_requests"],
                f["oversold"],
            ]
        )
    crowds = stats.table(
        [
            "crowd",
            "citizens' outcomes",
            "sold out after the release",
            "confirmed",
            "requests",
            "waiting room p50 / p99",
            "any answer p50 / p99",
            "hold p50 / p99",
            "holds/s / hello req/s",
            "server errors",
            "no answer",
            "oversold",
        ],
        crowd_rows,
    )
    kinds = stats.table(
        ["request", "with the room: p50 / p99", "without: p50 / p99"],
        [
            [
                kind,
                pair(room["latency_ms"][kind]),
                pair(bare["latency_ms"][kind]) if bare and kind in bare["latency_ms"] else "–",
            ]
            for kind in room["latency_ms"]
        ],
    )
    rho = room["rho"]["rho"]
    next_p99 = calls["room"]["next"]["server"][1]
    double = call_next.double_calls(audit)
    any_p99, room_p99 = room["latency_ms"]["any"][1], room["latency_ms"]["waiting room"][1]
    goal_rows = [
        [
            "every request answered",
            "0 without an answer",
            room["unanswered_requests"],
            room["unanswered_requests"] == 0,
        ],
        [
            "waiting room answers p99",
            "≤ 1,000 ms",
            stats.num(room_p99, " ms", 0),
            room_p99 is not None and room_p99 <= GOALS["room_p99_ms"],
        ],
        [
            "any answer p99",
            "≤ 2,000 ms",
            stats.num(any_p99, " ms", 0),
            any_p99 is not None and any_p99 <= GOALS["any_p99_ms"],
        ],
        ["oversold slots", "0", room["oversold"], room["oversold"] == 0],
        ["server errors", "0", room["server_errors"], room["server_errors"] == 0],
        [
            "places confirmed",
            f"all {o.quota}",
            room["confirmed_in_db"],
            room["confirmed_in_db"] == o.quota,
        ],
        [
            f"arrival vs admission order, Spearman ρ ({room['rho']['n']:,} present at the release)",
            "|ρ| ≤ 0.05",
            rho,
            rho is not None and abs(rho) <= GOALS["rho"],
        ],
        [
            "hold throughput / hello",
            "≥ 0.3",
            room["hold_ratio"],
            (room["hold_ratio"] or 0) >= GOALS["hold_ratio"],
        ],
        [
            "call-next server p99 (staff pool, during the room's crowd)",
            "≤ 20 ms",
            stats.num(next_p99, " ms"),
            next_p99 is not None and next_p99 <= GOALS["call_next_p99_ms"],
        ],
        ["double calls", "0", double, double == 0],
    ]
    goals = stats.table(
        ["goal (issue 14)", "target", "measured", "verdict"],
        [[*row[:3], stats.verdict(bool(row[3]))] for row in goal_rows],
    )
    staff = stats.table(
        [
            "during",
            "call-next server p50 / p99 (n)",
            "call-next client p50 / p99",
            "hello server p50 / p99",
        ],
        [
            [
                label,
                f"{call_next.ms(c['next']['server'])} ({c['next']['n']})",
                call_next.ms(c["next"]["client"]),
                call_next.ms(c["hello"]["server"]),
            ]
            for label, c in calls.items()
            if label != "without_log_line"
        ],
    )
    return stats.section(
        "Release moment: the waiting room, a sold-out day and the counters",
        __doc__ or "",
        bench.command,
        bench.run_line(stats.versions("django", "gunicorn", "celery", "redis")),
        f"Crowd: {o.early:,} citizens before the release and {o.late:,} over {o.spread:.0f} s "
        f"after it, for {o.quota:,} places; release at {room['release_local']} (office time), "
        f"{room['release_in']:.0f} s after the room opened. Room: admission "
        f"{o.admit_per_minute:,}/min, at most {o.in_flow:,} in flow. Citizens' server: "
        f"gunicorn, {o.workers} {o.worker_class} workers, `DEBUG=0`; staff pool: "
        f"{o.staff_workers} sync workers, access log on; Redis holds the room, the cache "
        f"and the broker of the Celery worker that sends the codes. {o.counters} counters "
        f"(office in {zone}), {o.waiting:,} tickets waiting at each crowd's start.",
        goals,
        crowds,
        kinds,
        staff,
        f"Codes reached the citizens {pair(room['code_wait_ms'])} (p50 / p99, with the room) "
        f"after the hold's answer. Double calls: {double} ({audit['called tickets']} tickets "
        f"called, {audit['calls answered']} calls answered).",
    )


if __name__ == "__main__":
    sys.exit(main())
