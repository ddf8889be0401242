"""Insights at national scale: the nightly facts, the performance pages, the CSV export.

Issue 15's benchmarks on 500 offices: the demo's 7 and copies of them in turn, a copy
having its template's counters once, twice or three times over (35, 40, 25 % of the
copies), with its services, hours, a clerk per counter and the default plan's slots. For
the most recent Monday to Thursday days that are no holiday, the set-up writes what the
application would have written: bookings on the slots (checked in; or missed, released by
the no-show sweep; or cancelled), walk-ins from the kiosk, a phone or staff through the
office's hours (mornings busier; 80 to 110 % of what the counters can serve, at least a
third walk-ins), and each counter calling the longest-waiting ticket it may serve:
tickets with their events as the queue services log them (issued, called, recalled,
serving, finished, no-show, left, and not served, closed after midnight), numbers per
letter, the survey's ratings and IKM answers, complaints filed and answered, and the
assistant's conversations. Each (template, size) has its days planned by CP-SAT
(`day_plan_solve`), and its copies take that plan and those slots. Rows go in by
PostgreSQL COPY, never one by one.

**Nightly aggregation.** `insights.services.facts_build` for every office, one office
after another as the nightly task does, for 1, then 2, then 3 of those days (the facts
emptied before each run): seconds per day, its ratio to the 1-day run's (1 is linear),
and the median and p99 of one office day. Goal: one day of 500 offices in ≤ 2 min.

**The read side.** Building 90 days from tickets would take hours, so the other days'
facts are **copies of the facts built from the generated tickets**: each office day takes
the rows of one of its built days picked at random (seeded), every count and histogram
bin scaled by one factor of 0.85 to 1.15, hours outside its opening hours and closed days
left out. Then gunicorn and wrk at 16 connections, alternating with `/bench/hello/`: the
public page `/kantor/<office>/kinerja/` and its `kinerja.json` for a random office per
request; the staff dashboard `/staf/kinerja/?kantor=…&dari=…&sampai=…` for a random
office, as the national administrator (a superuser, signed in with the form and a
recovery code, as a person does); the national dashboard `/staf/kinerja/nasional/`.
Both dashboards and the public figures are cached until the office's next build (at
most 10 minutes), so wrk mostly measures hits: before the rounds, some offices' first
request of each is timed with the cache emptied. Goal: p99 ≤ 200 ms.

**CSV in constant memory.** The largest WIB office has 365 days of facts; its
supervisor, signed in the same way, downloads `/staf/kinerja/data.csv` for 30 and for
365 days, each from a fresh single-worker gunicorn after a 1-day download: the worker's
peak RSS during the download (VmHWM, reset before it) over its RSS before, and the rows.

    .venv/bin/python bench/insights_scale.py            # full run, rewrites its docs section
    .venv/bin/python bench/insights_scale.py --quick    # smoke run, leaves the docs alone
"""

from __future__ import annotations

import asyncio
import math
import random
import re
import secrets
import sys
import time
from collections import Counter as Tally
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from heapq import heappop, heappush
from itertools import accumulate, pairwise
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

from harness import net, procs, run, stats

NAME = "insights_scale"
GOAL_BUILD_SECONDS, GOAL_P99_MS = 120.0, 200.0
PARAMS: dict[str, tuple[Any, Any, str]] = {
    "offices": (500, 20, "offices: the 7 demo offices and copies of them"),
    "days": (3, 3, "days of tickets, built 1, 2, … of them at a time"),
    "fact_days": (90, 14, "days of facts of every office for the read side"),
    "year_days": (365, 60, "days of facts of the office whose CSV is downloaded"),
    "short_days": (30, 7, "the shorter CSV download"),
    "range_days": (90, 14, "the office dashboard's range (dari … sampai)"),
    "national_days": (30, 7, "the national dashboard's range"),
    "cold": (100, 10, "offices whose first page, JSON and dashboard are timed uncached"),
    "plan_time_limit": (1.0, 0.5, "CP-SAT seconds per planned day in the set-up"),
    "seed": (15, 15, "seed of the generator and of the facts' noise"),
    "connections": (16, 16, "wrk connections"),
    "timeout": (30, 30, "seconds before wrk counts a timeout"),
    "redis": ("redis://127.0.0.1:6379/10", "redis://127.0.0.1:6379/10", "cache, emptied"),
}
SIZES, SIZE_SHARES = (1, 2, 3), (35, 40, 25)  # a copy's counters: its template's x size
HOUR_WEIGHTS = {7: 1.0, 8: 1.6, 9: 1.5, 10: 1.3, 11: 1.0, 12: 0.8, 13: 1.0, 14: 0.7, 15: 0.5}
CODE_ALPHABET = "23456789BCDFGHJKMNPQRSTVWXYZ"  # booking.services.booking's, 8 long
GROUPS = ("", "elderly", "disability", "pregnant", "infant")
CATEGORIES = ("service_delay", "staff_conduct", "facilities", "information", "online_system")
NAMES = ("Siti Rahmawati", "Budi Santoso", "Dewi Anggraini", "Agus Pratama", "Rina Wijaya")
COMMENTS = ("Cepat dan ramah.", "Antrean terlalu lama.", "Petugas membantu sekali.")
COMPLAINT = "Saya menunggu lebih dari tiga jam padahal sudah datang pagi-pagi."
ANSWER = "Terima kasih atas laporan Anda. Kami telah menindaklanjuti dengan petugas terkait."
REPLY = "Baik, berikut informasinya. Ada lagi yang bisa saya bantu?"


# --- In Django: offices, counters, clerks, slots and plans ----------------------------


def set_up_offices(offices: int, days: int, seed: int, password: str) -> dict[str, Any]:
    """The offices and clerks, the days to generate, and each (template, size)'s slots
    and CP-SAT plans, which its copies take by INSERT … SELECT. A supervisor of the
    largest WIB office and the national administrator get a password and recovery codes."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User
    from django.utils import timezone

    from core.timezones import local_date
    from demo import data as demo_data
    from offices.holidays import national_holidays_between
    from offices.models import Counter, Office, Role, StaffMembership
    from scheduling.planning import day_plan_solve
    from scheduling.services import default_plan_extend
    from twofactor.services import recovery_codes_issue

    rng = random.Random(seed)
    today = local_date("Asia/Jakarta", timezone.now())  # WIB's day ends last
    holidays = national_holidays_between(today - timedelta(days=60), today)
    back = (today - timedelta(days=n) for n in range(1, 60))
    chosen = sorted([d for d in back if d.weekday() <= 3 and d not in holidays][:days])
    templates = [Office.objects.get(code=spec["code"]) for spec in demo_data.OFFICES]
    sizes = [1] * len(templates) + rng.choices(SIZES, SIZE_SHARES, k=offices - len(templates))
    everyone, template_of = _copy_offices(templates, sizes)
    prototypes: dict[tuple[int, int], Any] = {}
    for office, size in zip(everyone, sizes, strict=True):
        prototypes.setdefault((template_of[office.pk].pk, size), office)
    for proto in prototypes.values():
        default_plan_extend(office=proto, first=chosen[0], last=chosen[-1])
        for day in chosen:
            day_plan_solve(office=proto, day=day)
    pairs = [
        (o.pk, prototypes[(template_of[o.pk].pk, size)].pk)
        for o, size in zip(everyone, sizes, strict=True)
    ]
    _copy_plans([(o, p) for o, p in pairs if o != p], chosen[0], chosen[-1])
    year = max(
        (o for o in everyone if o.timezone == "Asia/Jakarta"),
        key=lambda o: (Counter.objects.filter(office=o).count(), -o.pk),
    )
    supervisor = User.objects.create(username="bench.supervisor", password=make_password(password))
    StaffMembership.objects.create(user=supervisor, office=year, role=Role.SUPERVISOR)
    admin = User.objects.get(username=demo_data.NATIONAL_ADMIN["username"])
    admin.set_password(password)
    admin.save(update_fields=["password"])
    return {
        "days": [d.isoformat() for d in chosen],
        "codes": [o.code for o in everyone],
        "counters": Counter.objects.count(),
        "sizes": dict(sorted(Tally(sizes).items())),
        "plans": len(prototypes) * len(chosen),
        "today": today.isoformat(),
        "year_office": year.code,
        "year_today": year.local_date().isoformat(),
        "supervisor": supervisor.username,
        "admin": admin.username,
        "logins": {u.username: recovery_codes_issue(user=u) for u in (supervisor, admin)},
    }


def _copy_offices(templates: list[Any], sizes: list[int]) -> tuple[list[Any], dict[int, Any]]:
    """Copies of the templates in turn (ORM, in bulk), a copy of size k with its
    template's counters k times over, and one clerk per counter of every office."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User
    from django.db import transaction

    from offices.models import Counter, Office, OfficeService, OpeningHours, Role, StaffMembership

    def copy(obj: Any, **changes: Any) -> Any:
        values = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
        return type(obj)(**{**values, "id": None, **changes})

    n = len(templates)
    pattern = [*templates, *(templates[k % n] for k in range(n, len(sizes)))]
    with transaction.atomic():
        made = Office.objects.bulk_create(
            copy(t, code=f"{t.code}-{k:03d}", name=f"{t.name} {k:03d}")
            for k, t in enumerate(pattern[n:], n)
        )
        everyone = [*templates, *made]
        template_of = {o.pk: t for o, t in zip(everyone, pattern, strict=True)}
        for model in (OfficeService, OpeningHours):
            model.objects.bulk_create(
                copy(row, office_id=o.pk)
                for o in made
                for row in model._default_manager.filter(office=template_of[o.pk])
            )
        skills = {t.pk: [list(c.services.all()) for c in t.counters.all()] for t in templates}
        counters = Counter.objects.bulk_create(
            Counter(office_id=o.pk, number=k + 1)
            for o, size in zip(made, sizes[n:], strict=True)
            for k in range(len(skills[template_of[o.pk].pk]) * size)
        )
        Counter.services.through.objects.bulk_create(
            Counter.services.through(counter_id=c.pk, service_id=s.pk)
            for c in counters
            for kinds in [skills[template_of[c.office_id].pk]]
            for s in kinds[(c.number - 1) % len(kinds)]
        )
        code_of, hashed = {o.pk: o.code for o in everyone}, make_password(None)
        every_counter = list(Counter.objects.order_by("pk"))
        clerks = User.objects.bulk_create(
            User(username=f"bench-{code_of[c.office_id]}-{c.number:02d}", password=hashed)
            for c in every_counter
        )
        StaffMembership.objects.bulk_create(
            StaffMembership(user=u, office_id=c.office_id, role=Role.CLERK)
            for u, c in zip(clerks, every_counter, strict=True)
        )
    return everyone, template_of


def _copy_plans(pairs: list[tuple[int, int]], first: date, last: date) -> None:
    """Each (office, prototype): the prototype's slots and day plans, service by service."""
    from django.db import connection, transaction
    from harness.django_call import copy_select

    from scheduling.models import DayPlan

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_proto (office_id bigint, proto_id bigint)")
        cursor.executemany("INSERT INTO bench_proto VALUES (%s, %s)", pairs)
        cursor.execute(
            "INSERT INTO booking_slot "
            "(office_service_id, starts_at, ends_at, local_date, capacity, taken) "
            "SELECT c.id, s.starts_at, s.ends_at, s.local_date, s.capacity, 0 FROM bench_proto p "
            "JOIN offices_officeservice c ON c.office_id = p.office_id "
            "JOIN offices_officeservice po ON po.office_id = p.proto_id "
            "  AND po.service_id = c.service_id "
            "JOIN booking_slot s ON s.office_service_id = po.id "
            "  AND s.local_date BETWEEN %s AND %s",
            [first, last],
        )
        columns, values = copy_select(DayPlan, {"office_id": "p.office_id"})
        cursor.execute(
            f"INSERT INTO scheduling_dayplan ({columns}) SELECT {values} "  # noqa: S608 - the model's
            "FROM bench_proto p JOIN scheduling_dayplan s ON s.office_id = p.proto_id"
        )
        cursor.execute("DROP TABLE bench_proto")


# --- In Django: tickets, bookings, ratings, complaints, conversations -------------------


@dataclass(slots=True)
class Offered:
    id: int
    service_id: int
    letter: str
    minutes: int
    walk_ins: bool


@dataclass(slots=True)
class Desk:
    id: int
    skills: list[int]  # office-service ids
    clerk: int


@dataclass(slots=True)
class Visit:
    """One ticket while its day is simulated, and what happened to it."""

    offered: Offered
    source: str
    queued: datetime
    joined: datetime  # an appointment checked in early waits from its appointment time
    appointment: datetime | None = None
    booking: int | None = None
    group: str = ""
    patience: float = math.inf  # minutes before leaving the queue
    issuer: int | None = None  # the clerk who gave the number (source staff)
    status: str = "waiting"
    desk: Desk | None = None
    called: datetime | None = None
    serving: datetime | None = None
    finished: datetime | None = None
    recalls: int = 0
    events: list[tuple[str, datetime, Desk | None]] = field(default_factory=list)


def generate_days(days: list[str], seed: int, batch: int = 25) -> dict[str, Any]:
    """In Django: every office's days, a batch of offices at a time, each batch's rows
    written by COPY in one transaction; then the slots' `taken`, the complaint counters
    and the id sequences as the services leave them, and ANALYZE."""
    from django.contrib.auth.models import User
    from django.db import connection, transaction
    from django.db.models import Count
    from harness.django_call import CopyRows

    from assistant.models import Conversation, Turn
    from booking.models import Booking
    from complaints.models import Complaint, ComplaintCounter, ComplaintEvent
    from offices.models import Office
    from queueing.models import ServiceRating, Ticket, TicketEvent, TicketSequence

    began, rng = time.perf_counter(), random.Random(seed)
    the_days = [date.fromisoformat(d) for d in days]
    models = {
        "bookings": Booking,
        "tickets": Ticket,
        "events": TicketEvent,
        "ratings": ServiceRating,
        "sequences": TicketSequence,
        "complaints": Complaint,
        "complaint_events": ComplaintEvent,
        "conversations": Conversation,
        "turns": Turn,
    }
    t = SimpleNamespace(**{name: CopyRows(model) for name, model in models.items()})
    t.codes, t.numbers = set(), dict(ComplaintCounter.objects.values_list("year", "last"))
    t.utterances = _utterances()
    clerks = dict(User.objects.filter(username__startswith="bench-").values_list("username", "id"))
    offices, per_day = list(Office.objects.order_by("pk")), []
    for start in range(0, len(offices), batch):
        chunk = offices[start : start + batch]
        place = _places(chunk, the_days, clerks)
        for office in chunk:
            demand = rng.uniform(0.8, 1.1)
            for day in the_days:
                per_day.append(_office_day(t, place, office, day, demand, rng))
                _complaints(t, office, day, place["desks"][office.pk], rng)
                _conversations(t, office, day, rng)
        with transaction.atomic():
            for name in models:
                getattr(t, name).flush()
        print(f"bench: {start + len(chunk)} offices generated", flush=True)
    with transaction.atomic(), connection.cursor() as cursor:
        for name in models:
            getattr(t, name).done()
        cursor.execute(
            "UPDATE booking_slot s SET taken = b.n FROM (SELECT slot_id, count(*) AS n "
            "FROM booking_booking WHERE occupies_slot GROUP BY slot_id) b "
            "WHERE b.slot_id = s.id AND s.local_date = ANY(%s)",
            [the_days],
        )
        ComplaintCounter.objects.bulk_create(
            [ComplaintCounter(year=y, last=n) for y, n in t.numbers.items()],
            update_conflicts=True,
            unique_fields=["year"],
            update_fields=["last"],
        )
        cursor.execute("ANALYZE")
        cursor.execute("SELECT pg_database_size(current_database())")
        size = int(cursor.fetchone()[0])
    statuses = Ticket.objects.values_list("status").annotate(n=Count("id")).order_by("status")
    return {
        **{name: getattr(t, name).count for name in models},
        "seconds": round(time.perf_counter() - began, 1),
        "tickets_per_office_day": [min(per_day), stats.median(per_day, 0), max(per_day)],
        "statuses": dict(statuses),
        "database_bytes": size,
    }


def _places(chunk: list[Any], days: list[date], clerks: dict[str, int]) -> dict[str, Any]:
    """What a batch of offices has: services, counters and their clerks, weekly hours,
    and the appointment slots of the days."""
    from booking.models import Slot
    from offices.models import Counter, OfficeService, OpeningHours

    ids, code_of = [o.pk for o in chunk], {o.pk: o.code for o in chunk}
    offered: dict[int, list[Offered]] = defaultdict(list)
    by_service = {}
    for os in OfficeService.objects.filter(office_id__in=ids, is_active=True).select_related(
        "service"
    ):
        walk_ins = os.service.accepts_walk_ins
        offered[os.office_id].append(
            Offered(os.pk, os.service_id, os.ticket_letter, os.effective_minutes, walk_ins)
        )
        by_service[(os.office_id, os.service_id)] = os.pk
    desks: dict[int, list[Desk]] = defaultdict(list)
    for c in Counter.objects.filter(office_id__in=ids, is_active=True).prefetch_related("services"):
        skills = [by_service.get((c.office_id, s.pk)) for s in c.services.all()]
        clerk = clerks[f"bench-{code_of[c.office_id]}-{c.number:02d}"]
        desks[c.office_id].append(Desk(c.pk, [k for k in skills if k], clerk))
    hours: dict[int, dict[int, Any]] = defaultdict(dict)
    for h in OpeningHours.objects.filter(office_id__in=ids):
        hours[h.office_id][h.weekday] = h
    slots: dict[tuple[int, date], list[Any]] = defaultdict(list)
    for slot in Slot.objects.filter(
        office_service__office_id__in=ids,
        office_service__service__accepts_appointments=True,
        local_date__in=days,
    ).select_related("office_service"):
        slots[(slot.office_service.office_id, slot.local_date)].append(slot)
    return {"offered": offered, "desks": desks, "hours": hours, "slots": slots}


def _office_day(
    t: Any, place: dict[str, Any], office: Any, day: date, demand: float, rng: random.Random
) -> int:
    """One office day: bookings on its slots, walk-ins through its hours, the counters at
    work, the queue closed after midnight; then every ticket's rows. Returns the tickets."""
    hours = place["hours"][office.pk].get(day.weekday())
    if hours is None:
        return 0

    def at(clock: Any, on: date = day) -> datetime:
        return datetime.combine(on, clock, tzinfo=office.zone)

    periods = [(at(hours.opens_at), at(hours.closes_at))]
    if hours.break_starts_at and hours.break_ends_at:
        periods = [
            (at(hours.opens_at), at(hours.break_starts_at)),
            (at(hours.break_ends_at), at(hours.closes_at)),
        ]
    offered: list[Offered] = place["offered"][office.pk]
    desks: list[Desk] = place["desks"][office.pk]
    minutes = sum((b - a).total_seconds() / 60 for a, b in periods)
    service_minutes = sum(o.minutes for o in offered) / len(offered) + 2  # + calling, walking up
    wanted = round(len(desks) * minutes / service_minutes * demand * rng.uniform(0.9, 1.1))
    visits = _appointments(t, place["slots"][(office.pk, day)], offered, rng)
    walk_in = [o for o in offered if o.walk_ins]
    n = max(wanted - len(visits), wanted // 3) if walk_in else 0
    moments = [
        a + timedelta(minutes=m) for a, b in periods for m in range(int((b - a).seconds / 60))
    ]
    weights = list(accumulate(HOUR_WEIGHTS.get(m.hour, 0.3) for m in moments))
    services = rng.choices(walk_in, [rng.uniform(0.5, 1.5) for _ in walk_in], k=n)
    for queued, offer in zip(rng.choices(moments, cum_weights=weights, k=n), services, strict=True):
        queued += timedelta(seconds=rng.uniform(0, 60))
        source = rng.choices(("kiosk", "remote", "staff"), (65, 30, 5))[0]
        visits.append(
            Visit(
                offer,
                source,
                queued,
                queued,
                group=rng.choices(GROUPS, (88, 6, 2, 2, 2))[0],
                patience=rng.uniform(40, 150) if rng.random() < 0.35 else math.inf,
                issuer=rng.choice(desks).clerk if source == "staff" else None,
            )
        )
    _serve(visits, desks, periods, rng)
    closed = at(hours.opens_at, day + timedelta(days=1)).replace(hour=0, minute=rng.randrange(60))
    for v in visits:  # what is still open at midnight, the hourly job closes
        if v.status == "waiting":
            left = v.joined + timedelta(minutes=min(v.patience, 1440))
            v.status, v.finished = ("left", left) if left < closed else ("not_served", closed)
            v.events.append((v.status, v.finished, None))
    _write_tickets(t, office, day, visits, rng)
    return len(visits)


def _appointments(
    t: Any, slots: list[Any], offered: list[Offered], rng: random.Random
) -> list[Visit]:
    """Bookings on the day's slots, made days to two weeks ahead: most checked in (a
    ticket, queued up to 30 minutes early), some missed and released by the no-show
    sweep, a few cancelled."""
    from core import personal_data

    by_id, share, visits = {o.id: o for o in offered}, rng.uniform(0.55, 0.95), []
    for slot in slots:
        booked = sum(rng.random() < share for _ in range(slot.capacity))
        statuses = rng.choices(("attended", "no_show"), (86, 14), k=booked)
        for status in statuses + ["cancelled"] * (rng.random() < 0.3):
            created = slot.starts_at - timedelta(days=rng.uniform(1, 14))
            nik = f"3171{rng.randrange(10**12):012d}"
            code = "".join(rng.choices(CODE_ALPHABET, k=8))
            while code in t.codes:
                code = "".join(rng.choices(CODE_ALPHABET, k=8))
            t.codes.add(code)
            group = rng.choices(GROUPS[:2], (92, 8))[0]
            booking = t.bookings.add(
                code=code,
                slot_id=slot.pk,
                service_id=by_id[slot.office_service_id].service_id,
                status=status,
                occupies_slot=status == "attended",
                full_name=rng.choice(NAMES),
                nik_encrypted=personal_data.encrypt(nik),
                nik_hash=personal_data.keyed_hash(nik),
                nik_last4=nik[-4:],
                phone=f"+62812{rng.randrange(10**8):08d}",
                channel=rng.choices(("whatsapp", "sms", "email"), (70, 20, 10))[0],
                priority_group=group,
                source=rng.choices(("web", "api", "staff"), (85, 5, 10))[0],
                created_at=created,
                confirmed_at=created + timedelta(minutes=2),
                cancelled_at=created + timedelta(hours=3) if status == "cancelled" else None,
            )
            if status == "attended":
                queued = slot.starts_at + timedelta(minutes=rng.uniform(-30, 12))
                joined = max(queued, slot.starts_at)
                offer = by_id[slot.office_service_id]
                visits.append(
                    Visit(offer, "appointment", queued, joined, slot.starts_at, booking, group)
                )
    return visits


def _serve(visits: list[Visit], desks: list[Desk], periods: list[Any], rng: random.Random) -> None:
    """The counters at work: each, when free, calls the longest-waiting ticket among its
    services, after dropping who gave up waiting; none calls in the break, nor later than
    half an hour after closing."""
    queues: dict[int, deque[Visit]] = defaultdict(deque)
    for v in sorted(visits, key=lambda v: v.joined):
        queues[v.offered.id].append(v)
    last_call = periods[-1][1] + timedelta(minutes=30)
    free = [(periods[0][0], n) for n in range(len(desks))]
    while free:
        now, n = heappop(free)
        for (_, ends), (starts, _) in pairwise(periods):
            now = starts if ends <= now < starts else now
        if now >= last_call:
            continue
        best: Visit | None = None
        soonest: datetime | None = None
        for queue in (queues[k] for k in desks[n].skills):
            while queue and (now - queue[0].joined).total_seconds() / 60 > queue[0].patience:
                gone = queue.popleft()
                gone.status, gone.finished = "left", gone.joined + timedelta(minutes=gone.patience)
                gone.events.append(("left", gone.finished, None))
            if queue and queue[0].joined <= now and (best is None or queue[0].joined < best.joined):
                best = queue[0]
            elif queue and queue[0].joined > now:
                soonest = min(soonest or queue[0].joined, queue[0].joined)
        if best is not None:
            queues[best.offered.id].popleft()
            heappush(free, (_call(best, desks[n], now, rng), n))
        elif soonest is not None:
            heappush(free, (soonest, n))


def _call(v: Visit, desk: Desk, now: datetime, rng: random.Random) -> datetime:
    """Called (and maybe again), then served or a no-show; returns when the counter is
    free again."""
    v.status, v.desk = "called", desk
    v.called = now + timedelta(seconds=rng.uniform(0, 20))
    v.events.append(("called", v.called, desk))
    no_show = rng.random() < 0.04
    for _ in range(rng.choice((1, 2)) if no_show else int(rng.random() < 0.06)):
        v.called += timedelta(minutes=rng.uniform(1, 2))
        v.recalls += 1
        v.events.append(("recalled", v.called, desk))
    if no_show:
        v.status, v.finished = "no_show", v.called + timedelta(minutes=rng.uniform(1, 2))
        v.events.append(("no_show", v.finished, desk))
        return v.finished
    v.serving = v.called + timedelta(minutes=rng.uniform(0.3, 2.5))
    v.events.append(("serving", v.serving, desk))
    spent = rng.lognormvariate(math.log(v.offered.minutes) - 0.08, 0.4)
    v.status, v.finished = "finished", v.serving + timedelta(minutes=spent)
    v.events.append(("finished", v.finished, desk))
    return v.finished + timedelta(minutes=rng.uniform(0.2, 1.0))


def _write_tickets(t: Any, office: Any, day: date, visits: list[Visit], rng: random.Random) -> None:
    """The rows the queue services leave: numbers per letter in issue order, the issue
    event first, the counter kept after a call and cleared by the day's close, a quarter
    of the served rating their visit and 40 % of those answering the IKM questions."""
    from queueing.models import ServiceRating

    ikm = [
        f.attname
        for f in ServiceRating._meta.concrete_fields
        if f.attname.startswith("ikm_") and f.attname != "ikm_answered_at"
    ]
    numbers: Tally[str] = Tally()
    for v in sorted(visits, key=lambda v: v.queued):
        numbers[v.offered.letter] += 1
        waited = ((v.called or v.finished or v.queued) - v.joined).total_seconds() / 60
        ticket = t.tickets.add(
            office_id=office.pk,
            office_service_id=v.offered.id,
            local_date=day,
            letter=v.offered.letter,
            number=numbers[v.offered.letter],
            source=v.source,
            booking_id=v.booking,
            priority_group=v.group,
            status=v.status,
            queued_at=v.queued,
            appointment_at=v.appointment,
            counter_id=v.desk.id if v.desk and v.status != "not_served" else None,
            called_at=v.called,
            serving_at=v.serving,
            finished_at=v.finished,
            recalls=v.recalls,
            public_token=secrets.token_urlsafe(16),
            estimate_low_minutes=max(0, round(waited * rng.uniform(0.6, 1.0))),
            estimate_high_minutes=round(waited * rng.uniform(1.1, 1.6)) + 5,
            contact_phone=f"+62813{rng.randrange(10**8):08d}" if v.source == "remote" else "",
            language=rng.choices(("id", "en"), (95, 5))[0],
        )
        source = {"source": v.source}
        t.events.add(
            ticket_id=ticket, kind="issued", at=v.queued, staff_id=v.issuer, details=source
        )
        for kind, when, desk in v.events:
            by = {"counter_id": desk.id, "staff_id": desk.clerk} if desk else {}
            t.events.add(ticket_id=ticket, kind=kind, at=when, details={}, **by)
        if v.status == "finished" and v.finished and rng.random() < 0.25:
            given = v.finished + timedelta(minutes=min(rng.lognormvariate(2.3, 1.0), 1440))
            answers: dict[str, Any] = {}
            if ikm and rng.random() < 0.4:
                answers = {k: rng.choices((1, 2, 3, 4, None), (3, 10, 48, 34, 5))[0] for k in ikm}
                answers["ikm_answered_at"] = given + timedelta(minutes=rng.uniform(0.5, 4))
            t.ratings.add(
                ticket_id=ticket,
                score=rng.choices((1, 2, 3, 4, 5), (2, 3, 10, 35, 50))[0],
                comment=rng.choice(COMMENTS) if rng.random() < 0.1 else "",
                created_at=given,
                **answers,
            )
    for letter, last in sorted(numbers.items()):
        t.sequences.add(office_id=office.pk, local_date=day, letter=letter, last_number=last)


def _complaints(t: Any, office: Any, day: date, desks: list[Desk], rng: random.Random) -> None:
    """0 to 4 complaints filed on line from morning to night, some pungli reports, taken
    in hand within hours, answered within days and closed after (as far as now allows)."""
    from django.utils import timezone

    from complaints.services import complaint_due_on

    now, due = timezone.now(), complaint_due_on(office, day)
    for _ in range(rng.choices(range(5), (30, 30, 20, 12, 8))[0]):
        filed = datetime.combine(day, datetime.min.time(), office.zone)
        filed += timedelta(hours=rng.uniform(7, 22))
        steps = [filed + timedelta(hours=h) for h in (rng.uniform(1, 8), rng.uniform(10, 150))]
        steps.append(steps[-1] + timedelta(days=rng.uniform(1, 4)))
        done = [s for s in steps if s < now]
        status = ("received", "in_progress", "answered", "closed")[len(done)]
        handler = rng.choice(desks).clerk if done else None
        t.numbers[filed.year] = t.numbers.get(filed.year, 0) + 1
        category = rng.choices((*CATEGORIES, "pungli", "other"), (30, 15, 15, 15, 15, 3, 7))[0]
        complaint = t.complaints.add(
            number=f"ADU-{filed.year}-{t.numbers[filed.year]:05d}",
            office_id=office.pk,
            category=category,
            pungli=category == "pungli" or rng.random() < 0.03,
            text=COMPLAINT,
            access_key_hash=secrets.token_hex(32),
            status=status,
            filed_at=filed,
            due_on=due,
            assignee_id=handler,
            answer=ANSWER if len(done) >= 2 else "",
            answered_at=steps[1] if len(done) >= 2 else None,
            closed_at=steps[2] if len(done) == 3 else None,
        )
        t.complaint_events.add(complaint_id=complaint, kind="filed", at=filed)
        for kind, when in zip(("taken", "answered", "closed"), done, strict=False):
            t.complaint_events.add(complaint_id=complaint, kind=kind, at=when, staff_id=handler)


def _conversations(t: Any, office: Any, day: date, rng: random.Random) -> None:
    """4 to 15 conversations with the assistant about the office, 1 to 4 messages each
    (labelled messages of its training data, understood with some confidence), each
    answered seconds later."""
    from core import personal_data

    for _ in range(rng.randrange(4, 16)):
        channel = rng.choices(("web", "whatsapp", "telegram", "sms"), (40, 35, 20, 5))[0]
        moment = datetime.combine(day, datetime.min.time(), office.zone)
        moment += timedelta(hours=rng.uniform(6, 23))
        said = []
        for _ in range(rng.choice((1, 2, 2, 3, 4))):
            said.append((moment, *rng.choice(t.utterances)))
            moment += timedelta(seconds=rng.uniform(20, 240))
        address = f"+62811{rng.randrange(10**8):08d}"
        conversation = t.conversations.add(
            token=secrets.token_urlsafe(32),
            channel=channel,
            user_hash=secrets.token_hex(32) if channel != "web" else "",
            address_encrypted=personal_data.encrypt(address) if channel != "web" else "",
            office_id=office.pk,
            started_at=said[0][0],
            last_message_at=said[-1][0] + timedelta(seconds=3),
            last_inbound_at=said[-1][0],
        )
        for when, text, intent in said:
            confidence = round(rng.betavariate(5, 2), 3)
            t.turns.add(
                conversation_id=conversation,
                author="citizen",
                text=text,
                intent=intent,
                confidence=confidence,
                created_at=when,
            )
            reply = when + timedelta(seconds=rng.uniform(1, 4))
            t.turns.add(
                conversation_id=conversation, author="assistant", text=REPLY, created_at=reply
            )


def _utterances() -> list[tuple[str, str]]:
    """The assistant's labelled training messages: (text, intent)."""
    from assistant.understanding.classifier import DATA_FILE

    rows = [line.split("\t") for line in DATA_FILE.read_text().splitlines()]
    return [(r[0], r[1]) for r in rows if len(r) > 2 and r[1] != "intent" and r[0][:1] != "#"]


# --- In Django: the nightly build, 90 days of facts, SQL per request --------------------


def build_runs(days: list[str]) -> dict[str, Any]:
    """facts_build for every office, one after another, for the first 1, 2, … days
    (every insights table emptied first, as on a night with nothing built yet)."""
    from django.apps import apps
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from insights.services import facts_build
    from offices.models import Office

    offices = list(Office.objects.order_by("pk"))
    the_days = [date.fromisoformat(d) for d in days]
    facts = list(apps.get_app_config("insights").get_models())
    runs = []
    for n in range(1, len(the_days) + 1):
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(m._meta.db_table for m in facts)}")
        by_office, by_day = [], []
        began = time.perf_counter()
        for office in offices:
            for day in the_days[:n]:
                one = time.perf_counter()
                facts_build(office=office, day=day)
                by_day.append(time.perf_counter() - one)
            by_office.append(sum(by_day[-n:]))
        seconds = time.perf_counter() - began
        print(f"bench: built {n} days of {len(offices)} offices in {seconds:.1f} s", flush=True)
        runs.append(
            {
                "days": n,
                "seconds": round(seconds, 2),
                "per_day": round(seconds / n, 2),
                "office_day": [stats.percentile(by_day, q, 4) for q in (50, 99, 100)],
                "office": [stats.percentile(by_office, q, 4) for q in (50, 99)],
            }
        )
    biggest = max(offices, key=lambda o: o.counters.count())
    with CaptureQueriesContext(connection) as queries:
        facts_build(office=biggest, day=the_days[-1])
    slowest = max(queries.captured_queries, key=lambda q: float(q["time"]))
    return {
        "runs": runs,
        "rows": {m.__name__: m._default_manager.count() for m in facts},
        "queries_per_office_day": len(queries),
        "slowest_query": {"ms": float(slowest["time"]) * 1000, "sql": slowest["sql"][:300]},
    }


# Scales every number in a JSON value (a histogram, an IKM [sum, count]), dropping bins at 0.
SCALED = """
CREATE FUNCTION bench_scaled(j jsonb, f float8) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF jsonb_typeof(j) = 'number' THEN
    RETURN to_jsonb(round(j::numeric * f::numeric)::bigint);
  ELSIF jsonb_typeof(j) = 'array' THEN
    RETURN (SELECT coalesce(jsonb_agg(bench_scaled(e, f) ORDER BY n), '[]'::jsonb)
            FROM jsonb_array_elements(j) WITH ORDINALITY AS a(e, n));
  ELSIF jsonb_typeof(j) = 'object' THEN
    RETURN (SELECT coalesce(jsonb_object_agg(k, bench_scaled(v, f)), '{}'::jsonb)
            FROM jsonb_each(j) AS e(k, v)
            WHERE jsonb_typeof(v) <> 'number' OR round(v::numeric * f::numeric) > 0);
  END IF;
  RETURN j;
END $$
"""


def spread_facts(
    days: list[str], fact_days: int, year_office: str, year_days: int, seed: int
) -> dict[str, Any]:
    """Each office's last `fact_days` days (`year_office`'s last `year_days`) get the rows
    of one of the built days at random, every count and every number in a JSON field
    scaled by one factor per office day; rows with an hour keep the day's opening hours
    only, rows of a service open days only. Every insights model with an office and a
    day is copied this way, whatever its columns."""
    from django.apps import apps
    from django.db import connection, models
    from harness.django_call import copy_select

    began, made, sizes = time.perf_counter(), {}, {}
    facts = list(apps.get_app_config("insights").get_models())
    with connection.cursor() as cursor:
        cursor.execute(SCALED)
        cursor.execute("SELECT setseed(%s)", [1 / (1 + seed)])
        cursor.execute(
            "CREATE TEMP TABLE bench_plan AS SELECT o.id AS office_id, t.day::date AS target, "
            "  (%(days)s::date[])[1 + floor(random() * %(n)s)::int] AS source, "
            "  0.85 + random() * 0.3 AS f, h.opens_at, h.closes_at "
            "FROM offices_office o CROSS JOIN LATERAL generate_series("
            "  (now() AT TIME ZONE o.timezone)::date "
            "    - CASE WHEN o.code = %(year)s THEN %(long)s ELSE %(short)s END, "
            "  (now() AT TIME ZONE o.timezone)::date - 1, interval '1 day') AS t(day) "
            "LEFT JOIN offices_openinghours h ON h.office_id = o.id "
            "  AND h.weekday = extract(isodow FROM t.day)::int - 1 "
            "WHERE t.day::date <> ALL(%(days)s::date[])",
            {
                "days": days,
                "n": len(days),
                "year": year_office,
                "long": year_days,
                "short": fact_days,
            },
        )
        for model in facts:
            names = {f.name for f in model._meta.concrete_fields}
            if not {"office", "local_date"} <= names:
                continue
            changes = {"local_date": "p.target"}
            for f in model._meta.concrete_fields:
                column = f"s.{connection.ops.quote_name(str(f.column))}"
                if isinstance(f, models.DateTimeField):
                    changes[str(f.column)] = f"{column} + (p.target - p.source) * interval '1 day'"
                elif isinstance(f, models.JSONField):
                    changes[str(f.column)] = f"bench_scaled({column}, p.f)"
                elif isinstance(f, models.IntegerField) and not isinstance(
                    f, models.SmallIntegerField | models.AutoField | models.BigAutoField
                ):
                    changes[str(f.column)] = f"round({column} * p.f)::bigint"
            where = ["s.office_id = p.office_id", "s.local_date = p.source"]
            where += ["p.opens_at IS NOT NULL"] if "office_service" in names else []
            if "hour" in names:
                where += ["s.hour >= extract(hour FROM p.opens_at)"]
                where += ["s.hour <= extract(hour FROM p.closes_at)"]
            columns, values = copy_select(model, changes)
            table = model._meta.db_table
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT {values} "  # noqa: S608 - the model's
                f"FROM {table} s JOIN bench_plan p ON {' AND '.join(where)}"
            )
            made[model.__name__] = cursor.rowcount
        cursor.execute("DROP TABLE bench_plan")
        cursor.execute("DROP FUNCTION bench_scaled")
        cursor.execute("ANALYZE")
        for model in facts:
            cursor.execute("SELECT pg_total_relation_size(%s)", [model._meta.db_table])
            sizes[model.__name__] = int(cursor.fetchone()[0])
        cursor.execute("SELECT pg_database_size(current_database())")
        database = int(cursor.fetchone()[0])
    seconds = round(time.perf_counter() - began, 1)
    return {"rows": made, "bytes": sizes, "database_bytes": database, "seconds": seconds}


def queries_as(username: str, paths: list[str]) -> dict[str, list[int]]:
    """[status, SQL queries uncached, cached] of a request to each path by `username`
    ("": anonymous) with its second factor passed: once with the cache emptied, then
    again; a streamed answer is read to its end."""
    from django.contrib.auth.models import User
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice

    from twofactor.policy import SEEN_AT, SIGNED_IN_AT

    client = Client(HTTP_HOST="127.0.0.1")
    if username:
        user = User.objects.get(username=username)
        client.force_login(user)
        session, device = client.session, StaticDevice.objects.filter(user=user).first()
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id if device else ""
        session[SIGNED_IN_AT] = session[SEEN_AT] = timezone.now().timestamp()
        session.save()

    def counted(path: str) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
            if getattr(response, "streaming", False):
                b"".join(cast(Any, response).streaming_content)
        return int(response.status_code), len(queries)

    found = {}
    for path in paths:
        client.get(net.BASELINE)  # the session's and the user's queries are not the page's
        cache.clear()
        status, cold = counted(path)
        found[path] = [status, cold, counted(path)[1]]
    return found


# --- Over HTTP: staff sign-in, the load, the CSV's memory ------------------------------


async def sign_in(server: net.Server, username: str, password: str, code: str) -> dict[str, str]:
    """The sign-in form as a person fills it, then the second factor with a recovery
    code; returns the verified session's request headers."""
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
    cookie = {"Cookie": f"sessionid={session}; csrftoken={csrf}"}
    verified = await net.http(
        server,
        "POST",
        "/staf/2fa/verifikasi/",
        form={"code": code},
        headers={**cookie, "X-CSRFToken": csrf},
    )
    if verified.status != 302:
        raise SystemExit(f"bench: {username}'s recovery code answered {verified.status}")
    return cookie


async def first_requests(
    server: net.Server, paths: list[str], headers: dict[str, str] | None
) -> dict[str, Any]:
    """Each path once, one after another (each a cache miss: the cache was emptied)."""
    times, statuses = [], Tally[int]()
    for path in paths:
        began = time.monotonic()
        answer = await net.http(server, "GET", path, headers=headers)
        times.append((time.monotonic() - began) * 1000)
        statuses[answer.status] += 1
    p = [stats.percentile(times, q, 1) for q in (50, 99, 100)]
    return {"n": len(times), "p50": p[0], "p99": p[1], "max": p[2], "statuses": dict(statuses)}


def export_memory(
    bench: run.Bench, env: dict[str, str], login: tuple[str, str, str], path: str, warm: str
) -> dict[str, Any]:
    """One CSV download from a fresh single-worker gunicorn, after a small one (imports,
    connection): the worker's peak RSS during it over its RSS before."""
    one = SimpleNamespace(**{**vars(bench.o), "workers": 1})
    with net.gunicorn(env, one, bench.path(f"csv-{len(path)}.log")) as server:
        headers = asyncio.run(sign_in(server, *login))
        first = asyncio.run(net.http(server, "GET", warm, headers=headers))
        worker = procs.family(server.pid)[-1]
        before = procs.memory_kb(worker, "VmRSS")
        procs.peak_reset(worker)
        began = time.monotonic()
        answer = asyncio.run(net.http(server, "GET", path, headers=headers))
        seconds = time.monotonic() - began
        peak = procs.memory_kb(worker, "VmHWM")
    text = answer.body if isinstance(answer.body, str) else ""
    return {
        "path": path,
        "status": [first.status, answer.status],
        "seconds": round(seconds, 2),
        "bytes": len(text.encode()),
        "rows": max(0, text.count("\n") - 1),
        "rss_before_kb": before,
        "peak_growth_kb": peak - before,
        "log": str(server.log),
    }


def read_side(
    bench: run.Bench, env: dict[str, str], setup: dict[str, Any], password: str
) -> dict[str, Any]:
    """SQL per request; with gunicorn, some offices' first requests with the cache
    emptied, then the alternating wrk rounds; then the CSV downloads."""
    o = bench.o
    today, year_today = (date.fromisoformat(setup[k]) for k in ("today", "year_today"))

    def since(days: int, today: date = today) -> str:
        last = today - timedelta(days=1)
        return f"dari={last - timedelta(days=days - 1)}&sampai={last}"

    kinds = {
        "page": "/kantor/{}/kinerja/",
        "json": "/kantor/{}/kinerja.json",
        "dashboard": "/staf/kinerja/?kantor={}&" + since(o.range_days),
    }
    files = {k: bench.path(f"{k}-paths.txt") for k in kinds}
    for k, f in files.items():
        f.write_text("".join(kinds[k].format(c) + "\n" for c in setup["codes"]))
    first = {k: form.format(setup["codes"][0]) for k, form in kinds.items()}
    # The national page's days end at UTC's midnight (timezone.localdate()), not WIB's.
    national = "/staf/kinerja/nasional/?" + since(o.national_days, datetime.now(UTC).date())
    csv = f"/staf/kinerja/data.csv?kantor={setup['year_office']}&"
    exports = [csv + since(days, year_today) for days in (1, o.short_days, o.year_days)]
    admin, supervisor = setup["admin"], setup["supervisor"]
    queries = {
        **run.django_call(
            env, queries_as, username="", paths=[net.BASELINE, first["page"], first["json"]]
        ),
        **run.django_call(env, queries_as, username=admin, paths=[first["dashboard"], national]),
        **run.django_call(env, queries_as, username=supervisor, paths=exports[1:]),
    }
    dashboards = queries[first["dashboard"]][0] == queries[national][0] == 200
    codes = {user: iter(setup["logins"][user]) for user in (admin, supervisor)}
    endpoints = [net.Endpoint("hello", net.BASELINE)]
    endpoints += [net.Endpoint(k, first[k], files[k]) for k in ("page", "json")]
    with net.gunicorn(env, o, bench.path("gunicorn.log")) as server:
        cookie = asyncio.run(sign_in(server, admin, password, next(codes[admin])))
        if dashboards:
            endpoints.append(
                net.Endpoint("dashboard", first["dashboard"], files["dashboard"], cookie)
            )
            endpoints.append(net.Endpoint("national", national, None, cookie))
        else:
            print("bench: no staff dashboard yet (404): measuring the public side only")
        picked = random.Random(o.seed).sample(setup["codes"], min(o.cold, len(setup["codes"])))
        cold = {}
        for e in endpoints[1:]:
            procs.flush_redis(o.redis)  # the page and its JSON share each office's figures
            some = [e.path] if e.paths_file is None else [kinds[e.label].format(c) for c in picked]
            cold[e.label] = asyncio.run(first_requests(server, some, e.headers))
        summaries = net.alternate(server, endpoints, o)
    exported = [
        export_memory(bench, env, (supervisor, password, next(codes[supervisor])), path, exports[0])
        for path in exports[1:]
        if queries[exports[1]][0] == 200
    ]
    labels = {e.path: e.label for e in endpoints}
    bad = sum(n for c in cold.values() for status, n in c["statuses"].items() if status != 200)
    return {
        "summaries": [vars(s) for s in summaries],
        "queries": queries,
        "cold": cold,
        "dashboards": dashboards,
        "exports": exported,
        "errors": sum(s.errors for s in summaries) + bad,
        "problems": net.log_problems(server.log, *(Path(e["log"]) for e in exported))[:50],
        "table": net.load_table(
            summaries, {labels[p]: f"{q[1]} / {q[2]}" for p, q in queries.items() if p in labels}
        ),
    }


def main() -> int:
    bench = run.Bench(NAME, __doc__ or "", PARAMS, groups=("load", "server", "database"))
    o = bench.o
    password = secrets.token_urlsafe(18)
    procs.flush_redis(o.redis)
    try:
        with bench.database() as env:
            env.update(REDIS_URL=o.redis)
            setup = run.django_call(
                {**env, "GILIRAN_PLAN_TIME_LIMIT_SECONDS": str(o.plan_time_limit)},
                set_up_offices,
                offices=o.offices,
                days=o.days,
                seed=o.seed,
                password=password,
            )
            data = run.django_call(env, generate_days, days=setup["days"], seed=o.seed)
            build = run.django_call(env, build_runs, days=setup["days"])
            facts = run.django_call(
                env,
                spread_facts,
                days=setup["days"],
                fact_days=o.fact_days,
                year_office=setup["year_office"],
                year_days=o.year_days,
                seed=o.seed,
            )
            read = read_side(bench, env, setup, password)
    finally:
        procs.flush_redis(o.redis)
    failures = [
        what
        for what, bad in (
            (f"{read['errors']} errors under load", read["errors"]),
            (f"log: {read['problems'][:2]}", read["problems"]),
            ("the staff dashboards are not built yet", not read["dashboards"] and not bench.quick),
            ("the CSV export is not built yet", not read["exports"] and not bench.quick),
            (
                f"CSV answers {[e['status'] for e in read['exports']]}",
                any(e["status"] != [200, 200] for e in read["exports"]),
            ),
        )
        if bad
    ]
    report = {"setup": setup, "data": data, "build": build, "facts": facts, "read": read}
    return bench.finish(report, render(bench, setup, data, build, facts, read), failures)


def render(
    bench: run.Bench,
    setup: dict[str, Any],
    data: dict[str, Any],
    build: dict[str, Any],
    facts: dict[str, Any],
    read: dict[str, Any],
) -> str:
    o, runs, offices = bench.o, build["runs"], len(setup["codes"])
    one, per_day = runs[0], data["tickets_per_office_day"]

    def ms(seconds: float | None) -> str:
        return stats.num(None if seconds is None else seconds * 1000, " ms", 0)

    built = stats.table(
        [
            "days",
            "wall time",
            "per day",
            "per day / 1-day run's",
            "office day p50 / p99 / max",
            "office, all its days p50 / p99",
        ],
        [
            [
                r["days"],
                f"{r['seconds']:.1f} s",
                f"{r['per_day']:.1f} s",
                stats.ratio(r["per_day"], one["per_day"], 2),
                " / ".join(ms(x) for x in r["office_day"]),
                " / ".join(ms(x) for x in r["office"]),
            ]
            for r in runs
        ],
    )
    summaries = {s["label"]: s for s in read["summaries"]}
    p99 = {k: stats.median(r["p99_ms"] for r in s["rounds"]) for k, s in summaries.items()}
    measured = [k for k in ("page", "json", "dashboard", "national") if k in p99]
    cold = stats.table(
        ["first request, cache emptied", "requests", "p50", "p99", "max"],
        [
            [k, c["n"], f"{c['p50']} ms", f"{c['p99']} ms", f"{c['max']} ms"]
            for k, c in read["cold"].items()
        ],
    )
    exports = stats.table(
        ["CSV download", "rows", "bytes", "time", "worker RSS before", "peak RSS growth"],
        [
            [
                f"`{e['path']}`",
                f"{e['rows']:,}",
                f"{e['bytes']:,}",
                f"{e['seconds']:.2f} s",
                f"{e['rss_before_kb'] / 1024:.0f} MiB",
                f"{e['peak_growth_kb'] / 1024:.1f} MiB",
            ]
            for e in read["exports"]
        ],
    )
    return stats.section(
        "Insights at national scale: the nightly facts, the performance pages, the CSV export",
        __doc__ or "",
        bench.command,
        bench.run_line(stats.versions("django", "gunicorn", "psycopg")),
        f"Set-up: {offices} offices (sizes {setup['sizes']}), {setup['counters']:,} counters, "
        f"{setup['plans']} CP-SAT day plans; {len(setup['days'])} days "
        f"({', '.join(setup['days'])}): {data['tickets']:,} tickets ({per_day[0]} to "
        f"{per_day[2]} an office day, median {per_day[1]:.0f}; {data['statuses']}), "
        f"{data['events']:,} ticket events, {data['bookings']:,} bookings, "
        f"{data['ratings']:,} ratings, {data['complaints']:,} complaints, "
        f"{data['turns']:,} assistant turns, generated in {data['seconds']:.0f} s; "
        f"database {data['database_bytes'] / 2**30:.2f} GiB.",
        built,
        f"**Goal (one day of {offices} offices in ≤ {GOAL_BUILD_SECONDS:.0f} s): "
        f"{one['seconds']:.1f} s, {stats.verdict(one['seconds'] <= GOAL_BUILD_SECONDS)}.** "
        f"A day of {len(runs)} took {stats.ratio(runs[-1]['per_day'], one['per_day'], 2)}x "
        f"the 1-day run's time (1 is linear). An office day is "
        f"{build['queries_per_office_day']} SQL queries, the slowest "
        f"{build['slowest_query']['ms']:.0f} ms; built: {build['rows']}. The history is "
        f"only {len(runs)} days of tickets: a query whose cost grows with an office's whole "
        "history would be slower in production.",
        f"Facts for the read side: {facts['rows']} rows copied in {facts['seconds']:.0f} s "
        f"({o.fact_days} days for every office, {o.year_days} for {setup['year_office']}); "
        f"insights tables {sum(facts['bytes'].values()) / 2**20:,.0f} MiB, database "
        f"{facts['database_bytes'] / 2**30:.2f} GiB.",
        read["table"],
        cold,
        f"**Goal (p99 ≤ {GOAL_P99_MS:.0f} ms at {o.connections} connections): "
        + ", ".join(
            f"{k} {stats.num(p99[k], ' ms')} {stats.verdict((p99[k] or 1e9) <= GOAL_P99_MS)}"
            for k in measured
        )
        + ".** SQL queries/request: uncached / cached. Page, JSON and dashboard take a "
        f"random office of the {offices} per request; the office dashboard covers "
        f"{o.range_days} days, the national one {o.national_days}. " + net.load_line(o),
        exports if read["exports"] else "No CSV export was measured.",
    )


if __name__ == "__main__":
    sys.exit(main())
