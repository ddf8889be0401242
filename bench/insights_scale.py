"""Insights at national scale: the nightly facts, the performance pages, the CSV export.

Issue 15's benchmarks on 500 offices: the demo's 7 and copies of them in turn, each copy
1, 2 or 3 times its template's counters (half, a third, a sixth of the copies), with its
services, hours, a clerk per counter and the default plan's slots. For the most recent
Monday to Thursday days that are no holiday, the set-up writes what the queue would have
written: appointments booked on the slots (checked in, or missed and released as no-shows
by the sweep, or cancelled), walk-ins from the kiosk, a phone or staff through the
office's hours (mornings busier; demand 70 to 115 % of what the counters can serve), and
each counter calling the longest-waiting ticket it may serve: tickets with their events
as the queue services log them (issued, called, recalled, serving, finished, no-show,
left, and not served, closed after midnight), numbers per letter, the survey's ratings
(and IKM answers where the model has them), complaints filed and answered, and the
assistant's conversations. Each (template, size) has its days planned by CP-SAT
(`day_plan_solve`), and its copies take that plan and those slots. Rows are written with
PostgreSQL COPY, never one by one.

**Nightly aggregation.** `insights.services.facts_build` for every office, one office
after another as the nightly task does, for 1, then 2, then 3 of those days (the facts
emptied before each run): the seconds per day, its ratio to the 1-day run (linear if
about 1), and one office-day's median and p99. Goal: one day of 500 offices in ≤ 2 min.

**The read side.** Building 90 days of tickets would take hours, so the other days' facts
are **copies of the facts built from those tickets**: each office's day takes the rows of
one of its built days at random (seeded), every count and histogram scaled by a factor of
0.85 to 1.15, the hours outside its opening hours and its closed days left out. Then
gunicorn and wrk, 16 connections, alternating with `/bench/hello/`: the public page
`/kantor/<office>/kinerja/` and `kinerja.json` for a random office per request; the staff
dashboard `/staf/kinerja/?kantor=…&dari=…&sampai=…` for a random office as the national
administrator (superuser, signed in with password and a recovery code, as a person
does), and the national dashboard `/staf/kinerja/nasional/`. Goal: p99 ≤ 200 ms.

**CSV in constant memory.** One office (the largest in WIB) has 365 days of facts; its
supervisor, signed in the same way, downloads `/staf/kinerja/data.csv` for 365 days and
for 30, each from a fresh single-worker gunicorn after a 1-day download: the worker's
peak RSS (VmHWM, reset before the request) over its RSS before it, and the rows and bytes.

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
from itertools import pairwise
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
    "plan_time_limit": (1.0, 0.5, "CP-SAT seconds per planned office day in the set-up"),
    "cold": (100, 10, "offices whose page, JSON and dashboard are first timed uncached"),
    "seed": (15, 15, "seed of the generator and of the facts' noise"),
    "connections": (16, 16, "wrk connections"),
    "timeout": (30, 30, "seconds before wrk counts a timeout"),
    "redis": ("redis://127.0.0.1:6379/10", "redis://127.0.0.1:6379/10", "cache, emptied"),
}
SIZES = ((1, 35), (2, 40), (3, 25))  # counters x template's, and the share of copies
HOUR_WEIGHTS = {7: 1.0, 8: 1.6, 9: 1.5, 10: 1.3, 11: 1.0, 12: 0.8, 13: 1.0, 14: 0.7, 15: 0.5}


# --- In Django: offices, counters, clerks, slots and plans ----------------------------


def set_up_offices(offices: int, days: int, seed: int, password: str) -> dict[str, Any]:
    """Copies of the demo offices (ORM, in bulk), a clerk per counter, the days to
    generate, and for each (template, size) its slots and CP-SAT plans, which its
    copies take by INSERT … SELECT. A supervisor of the largest WIB office and the
    national administrator get a password and recovery codes."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User
    from django.db import connection, transaction
    from django.utils import timezone

    from core.timezones import local_date
    from demo import data as demo_data
    from offices.holidays import national_holidays_between
    from offices.models import Counter, Office, OfficeService, OpeningHours, Role
    from offices.models import StaffMembership as Member
    from scheduling.models import DayPlan
    from scheduling.planning import day_plan_solve
    from scheduling.services import default_plan_extend
    from twofactor.services import recovery_codes_issue

    rng = random.Random(seed)
    today = local_date("Asia/Jakarta", timezone.now())  # the zone whose day ends last
    holidays = national_holidays_between(today - timedelta(days=60), today)
    chosen: list[date] = []
    day = today - timedelta(days=1)
    while len(chosen) < days:
        if day.weekday() <= 3 and day not in holidays:
            chosen.append(day)
        day -= timedelta(days=1)
    chosen.sort()
    templates = [Office.objects.get(code=spec["code"]) for spec in demo_data.OFFICES]
    sizes = [1] * len(templates) + [
        rng.choices([s for s, _ in SIZES], [w for _, w in SIZES])[0]
        for _ in range(len(templates), offices)
    ]

    def copy(obj: Any, **changes: Any) -> Any:
        values = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
        return type(obj)(**{**values, "id": None, **changes})

    with transaction.atomic():
        pattern = [templates[n % len(templates)] for n in range(len(templates), offices)]
        made = Office.objects.bulk_create(
            copy(t, code=f"{t.code}-{n:03d}", name=f"{t.name} {n:03d}")
            for n, t in enumerate(pattern, len(templates))
        )
        everyone = [*templates, *made]
        template_of = {o.pk: t for o, t in zip(everyone, [*templates, *pattern], strict=True)}
        OfficeService.objects.bulk_create(
            copy(os, office_id=o.pk)
            for o in made
            for os in OfficeService.objects.filter(office=template_of[o.pk])
        )
        OpeningHours.objects.bulk_create(
            copy(h, office_id=o.pk)
            for o in made
            for h in OpeningHours.objects.filter(office=template_of[o.pk])
        )
        skills = {
            t.pk: [list(c.services.all()) for c in Counter.objects.filter(office=t)]
            for t in templates
        }
        # A copy of size k has its template's counters k times over, with their skills.
        counters = Counter.objects.bulk_create(
            Counter(office_id=o.pk, number=n + 1, name="")
            for o, size in zip(made, sizes[len(templates) :], strict=True)
            for n in range(len(skills[template_of[o.pk].pk]) * size)
        )
        Counter.services.through.objects.bulk_create(
            Counter.services.through(counter_id=c.pk, service_id=s.pk)
            for c in counters
            for kinds in [skills[template_of[c.office_id].pk]]
            for s in kinds[(c.number - 1) % len(kinds)]
        )
        hashed = make_password(None)  # clerks never sign in here
        by_office = {o.pk: o.code for o in everyone}
        all_counters = list(Counter.objects.order_by("pk"))
        clerks = User.objects.bulk_create(
            User(username=f"bench-{by_office[c.office_id]}-{c.number:02d}", password=hashed)
            for c in all_counters
        )
        Member.objects.bulk_create(
            Member(user=u, office_id=c.office_id, role=Role.CLERK)
            for u, c in zip(clerks, all_counters, strict=True)
        )
        prototypes: dict[tuple[int, int], Office] = {}
        for o, size in zip(everyone, sizes, strict=True):
            prototypes.setdefault((template_of[o.pk].pk, size), o)
    for proto in prototypes.values():
        default_plan_extend(office=proto, first=chosen[0], last=chosen[-1])
        for day in chosen:
            day_plan_solve(office=proto, day=day)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_proto (office_id bigint, proto_id bigint)")
        cursor.executemany(
            "INSERT INTO bench_proto VALUES (%s, %s)",
            [
                (o.pk, prototypes[(template_of[o.pk].pk, size)].pk)
                for o, size in zip(everyone, sizes, strict=True)
                if prototypes[(template_of[o.pk].pk, size)] != o
            ],
        )
        cursor.execute(
            "INSERT INTO booking_slot "
            "(office_service_id, starts_at, ends_at, local_date, capacity, taken) "
            "SELECT c.id, s.starts_at, s.ends_at, s.local_date, s.capacity, 0 FROM bench_proto p "
            "JOIN offices_officeservice c ON c.office_id = p.office_id "
            "JOIN offices_officeservice po ON po.office_id = p.proto_id "
            "  AND po.service_id = c.service_id "
            "JOIN booking_slot s ON s.office_service_id = po.id "
            "  AND s.local_date BETWEEN %s AND %s",
            [chosen[0], chosen[-1]],
        )
        columns, values = copy_select(DayPlan, {"office_id": "p.office_id"})
        cursor.execute(
            f"INSERT INTO {DayPlan._meta.db_table} ({columns}) SELECT {values} "  # noqa: S608 - from the model
            "FROM bench_proto p JOIN scheduling_dayplan s ON s.office_id = p.proto_id"
        )
        cursor.execute("DROP TABLE bench_proto")
    year = max(
        (o for o in everyone if o.timezone == "Asia/Jakarta"),
        key=lambda o: (Counter.objects.filter(office=o).count(), -o.pk),
    )
    supervisor = User.objects.create(username="bench.supervisor", password=make_password(password))
    Member.objects.create(user=supervisor, office=year, role=Role.SUPERVISOR)
    admin = User.objects.get(username=demo_data.NATIONAL_ADMIN["username"])
    admin.set_password(password)
    admin.save(update_fields=["password"])
    return {
        "days": [d.isoformat() for d in chosen],
        "codes": [o.code for o in everyone],
        "counters": Counter.objects.count(),
        "sizes": dict(Tally(sizes)),
        "plans": len(prototypes) * len(chosen),
        "year_office": year.code,
        "year_today": year.local_date().isoformat(),
        "today": today.isoformat(),
        "logins": {u.username: recovery_codes_issue(user=u) for u in (supervisor, admin)},
        "supervisor": supervisor.username,
        "admin": admin.username,
    }


def copy_select(model: Any, changes: dict[str, str], alias: str = "s") -> tuple[str, str]:
    """For `INSERT INTO <table> (columns) SELECT values FROM <table> s …`: every column
    but the primary key, copied from `alias` unless `changes` gives its expression."""
    from django.db import connection

    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = [connection.ops.quote_name(f.column) for f in fields]
    values = [changes.get(f.column, f"{alias}.{q}") for f, q in zip(fields, columns, strict=True)]
    return ", ".join(columns), ", ".join(values)


# --- In Django: the days of tickets, bookings, ratings, complaints, conversations ------


class Table:
    """One model's rows for COPY, in its columns' order, ids given here (the sequence is
    moved past them at the end). A column not given takes the field's default, as the ORM
    would write it, so a field added later needs no change here."""

    def __init__(self, model: Any) -> None:
        from django.db import connection

        self.model = model
        fields = model._meta.concrete_fields
        self.names = [f.attname for f in fields]
        self.columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        self.defaults = [_json(f.get_default()) for f in fields]
        self.rows: list[tuple[Any, ...]] = []
        self.count = 0
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT coalesce(max(id), 0) FROM {model._meta.db_table}")  # noqa: S608
            self.next_id = int(cursor.fetchone()[0]) + 1

    def add(self, **values: Any) -> int:
        pk = values["id"] = self.next_id
        self.next_id += 1
        self.rows.append(
            tuple(
                _json(values[n]) if n in values else d
                for n, d in zip(self.names, self.defaults, strict=True)
            )
        )
        return pk

    def flush(self, cursor: Any) -> None:
        table = self.model._meta.db_table
        with cursor.copy(f"COPY {table} ({self.columns}) FROM STDIN") as copy:
            for row in self.rows:
                copy.write_row(row)
        self.count += len(self.rows)
        self.rows.clear()


def _json(value: Any) -> Any:
    from psycopg.types.json import Jsonb

    return Jsonb(value) if isinstance(value, dict | list) else value


@dataclass(slots=True)
class Offered:
    id: int
    service_id: int
    letter: str
    minutes: int
    walk_ins: bool
    appointments: bool


@dataclass(slots=True)
class Desk:
    id: int
    skills: list[int]  # office-service ids
    clerk: int


@dataclass(slots=True)
class Visit:
    """One ticket while the day is simulated, and what happened to it."""

    offered: Offered
    source: str
    queued: datetime
    joined: datetime  # an appointment checked in early waits from its appointment time
    appointment: datetime | None = None
    booking: int | None = None
    group: str = ""
    patience: float = math.inf  # minutes before leaving the queue
    issuer: int | None = None  # the clerk who gave a number at the counter (source staff)
    status: str = "waiting"
    desk: Desk | None = None
    called: datetime | None = None
    serving: datetime | None = None
    finished: datetime | None = None
    recalls: int = 0
    events: list[tuple[str, datetime, Desk | None]] = field(default_factory=list)


def generate_days(days: list[str], seed: int, batch: int = 25) -> dict[str, Any]:
    """In Django: every office's days, batch by batch of offices, each batch's rows
    written by COPY in one transaction; then slots' `taken`, the complaint counters and
    the id sequences as the services would leave them, and ANALYZE."""
    from django.contrib.auth.models import User
    from django.db import connection, transaction

    from assistant.models import Conversation, Turn
    from booking.models import Booking
    from complaints.models import Complaint, ComplaintCounter, ComplaintEvent
    from offices.models import Office
    from queueing.models import ServiceRating, Ticket, TicketEvent, TicketSequence

    began = time.perf_counter()
    rng = random.Random(seed)
    the_days = [date.fromisoformat(d) for d in days]
    tables = SimpleNamespace(
        **{
            name: Table(model)
            for name, model in (
                ("bookings", Booking),
                ("tickets", Ticket),
                ("events", TicketEvent),
                ("ratings", ServiceRating),
                ("sequences", TicketSequence),
                ("complaints", Complaint),
                ("complaint_events", ComplaintEvent),
                ("conversations", Conversation),
                ("turns", Turn),
            )
        }
    )
    clerks = dict(User.objects.filter(username__startswith="bench-").values_list("username", "id"))
    offices = list(Office.objects.order_by("pk"))
    numbers = dict(ComplaintCounter.objects.values_list("year", "last"))
    utterances = _utterances()
    per_day: list[int] = []
    for start in range(0, len(offices), batch):
        chunk = offices[start : start + batch]
        place = _places(chunk, the_days, clerks)
        for office in chunk:
            demand = rng.uniform(0.8, 1.1)
            for day in the_days:
                made = _office_day(tables, place, office, day, demand * rng.uniform(0.9, 1.1), rng)
                per_day.append(made)
                _complaints(tables, office, day, place["desks"][office.pk], numbers, rng)
                _conversations(tables, office, day, utterances, rng)
        with transaction.atomic(), connection.cursor() as cursor:
            for table in vars(tables).values():
                table.flush(cursor.cursor)
        print(f"bench: {start + len(chunk)} offices generated", flush=True)
    with transaction.atomic(), connection.cursor() as cursor:
        for table in vars(tables).values():
            name = table.model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608
                f"(SELECT coalesce(max(id), 1) FROM {name}))"
            )
        cursor.execute(
            "UPDATE booking_slot s SET taken = b.n FROM (SELECT slot_id, count(*) AS n "
            "FROM booking_booking WHERE occupies_slot GROUP BY slot_id) b "
            "WHERE b.slot_id = s.id AND s.local_date = ANY(%s)",
            [the_days],
        )
        ComplaintCounter.objects.bulk_create(
            [ComplaintCounter(year=y, last=n) for y, n in numbers.items()],
            update_conflicts=True,
            unique_fields=["year"],
            update_fields=["last"],
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SELECT pg_database_size(current_database())")
        size = int(cursor.fetchone()[0])
    counts = {name: t.count for name, t in vars(tables).items()}
    return {
        **counts,
        "seconds": round(time.perf_counter() - began, 1),
        "tickets_per_office_day": [min(per_day), stats.median(per_day, 0), max(per_day)],
        "statuses": dict(Ticket.objects.values_list("status").annotate(n=_count()).order_by()),
        "database_bytes": size,
    }


def _count() -> Any:
    from django.db.models import Count

    return Count("id")


def _places(chunk: list[Any], days: list[date], clerks: dict[str, int]) -> dict[str, Any]:
    """What a batch of offices offers: services, counters with their clerk, weekly hours,
    and the appointment slots of the days."""
    from booking.models import Slot
    from offices.models import Counter, OfficeService, OpeningHours

    ids = [o.pk for o in chunk]
    codes = {o.pk: o.code for o in chunk}
    offered: dict[int, list[Offered]] = defaultdict(list)
    by_service: dict[tuple[int, int], int] = {}
    for os in OfficeService.objects.filter(office_id__in=ids, is_active=True).select_related(
        "service"
    ):
        offered[os.office_id].append(
            Offered(
                os.pk,
                os.service_id,
                os.ticket_letter,
                os.effective_minutes,
                os.service.accepts_walk_ins,
                os.service.accepts_appointments,
            )
        )
        by_service[(os.office_id, os.service_id)] = os.pk
    desks: dict[int, list[Desk]] = defaultdict(list)
    for c in Counter.objects.filter(office_id__in=ids, is_active=True).prefetch_related("services"):
        skills = [by_service.get((c.office_id, s.pk)) for s in c.services.all()]
        clerk = clerks[f"bench-{codes[c.office_id]}-{c.number:02d}"]
        desks[c.office_id].append(Desk(c.pk, [k for k in skills if k], clerk))
    hours: dict[int, dict[int, Any]] = defaultdict(dict)
    for h in OpeningHours.objects.filter(office_id__in=ids):
        hours[h.office_id][h.weekday] = h
    slots: dict[tuple[int, date], list[tuple[int, int, datetime, int]]] = defaultdict(list)
    for slot_id, os_id, office_id, day, starts, capacity in Slot.objects.filter(
        office_service__office_id__in=ids,
        office_service__service__accepts_appointments=True,
        local_date__in=days,
    ).values_list(
        "id",
        "office_service_id",
        "office_service__office_id",
        "local_date",
        "starts_at",
        "capacity",
    ):
        slots[(office_id, day)].append((slot_id, os_id, starts, capacity))
    return {"offered": offered, "desks": desks, "hours": hours, "slots": slots}


def _office_day(
    t: Any, place: dict[str, Any], office: Any, day: date, demand: float, rng: random.Random
) -> int:
    """One office day: bookings on its slots, arrivals, the counters at work, and every
    ticket's row, events and rating. Returns the tickets issued."""
    hours = place["hours"][office.pk].get(day.weekday())
    if hours is None:
        return 0
    zone = office.zone

    def at(clock: Any) -> datetime:
        return datetime.combine(day, clock, tzinfo=zone)

    periods = [(at(hours.opens_at), at(hours.closes_at))]
    if hours.break_starts_at and hours.break_ends_at:
        periods = [
            (at(hours.opens_at), at(hours.break_starts_at)),
            (at(hours.break_ends_at), at(hours.closes_at)),
        ]
    offered: list[Offered] = place["offered"][office.pk]
    desks: list[Desk] = place["desks"][office.pk]
    by_id = {o.id: o for o in offered}
    open_minutes = sum((b - a).total_seconds() / 60 for a, b in periods)
    mean_minutes = sum(o.minutes for o in offered) / len(offered) + 2  # calling, walking up
    wanted = round(len(desks) * open_minutes / mean_minutes * demand)
    visits = _appointments(t, place["slots"][(office.pk, day)], by_id, rng)
    walk_in_services = [o for o in offered if o.walk_ins]
    minutes = [
        (a + timedelta(minutes=m), HOUR_WEIGHTS.get((a + timedelta(minutes=m)).hour, 0.3))
        for a, b in periods
        for m in range(int((b - a).total_seconds() // 60))
    ]
    weights = [rng.uniform(0.5, 1.5) for _ in walk_in_services]
    walk_ins = max(wanted - len(visits), round(wanted * 0.35)) if walk_in_services else 0
    for _ in range(walk_ins):
        queued = rng.choices([m for m, _ in minutes], [w for _, w in minutes])[0]
        queued += timedelta(seconds=rng.uniform(0, 60))
        visits.append(
            Visit(
                rng.choices(walk_in_services, weights)[0],
                rng.choices(("kiosk", "remote", "staff"), (65, 30, 5))[0],
                queued,
                queued,
                group=rng.choices(PRIORITY_GROUPS, (88, 6, 2, 2, 2))[0],
                patience=rng.uniform(40, 150) if rng.random() < 0.35 else math.inf,
            )
        )
        if visits[-1].source == "staff":
            visits[-1].issuer = rng.choice(desks).clerk
    _serve(visits, desks, periods, rng)
    closed_at = datetime.combine(day + timedelta(days=1), hours.opens_at, tzinfo=zone).replace(
        hour=0, minute=rng.randrange(5, 60)
    )
    for v in visits:  # the hourly job after midnight closes what is still open
        if v.status == "waiting":
            left = v.joined + timedelta(minutes=min(v.patience, 24 * 60))
            v.status, v.finished = ("left", left) if left < closed_at else ("not_served", closed_at)
            v.events.append((v.status, v.finished, None))
    _write_tickets(t, office, day, visits, rng)
    return len(visits)


def _appointments(
    t: Any,
    slots: list[tuple[int, int, datetime, int]],
    by_id: dict[int, Offered],
    rng: random.Random,
) -> list[Visit]:
    """Bookings on the day's slots: most checked in (a ticket), some missed and released
    by the no-show sweep, a few cancelled; booked days to two weeks ahead."""
    from core import personal_data

    share = rng.uniform(0.55, 0.95)
    visits = []
    for slot_id, os_id, starts, capacity in slots:
        for n in range(sum(rng.random() < share for _ in range(capacity)) + 1):
            created = starts - timedelta(days=rng.uniform(1, 14))
            status = "cancelled" if n == 0 else rng.choices(("attended", "no_show"), (86, 14))[0]
            if status == "cancelled" and rng.random() > 0.3:
                continue
            nik = f"3171{rng.randrange(10**12):012d}"
            group = rng.choices(("", "elderly", "pregnant"), (90, 7, 3))[0]
            booking = t.bookings.add(
                code=_booking_code(rng),
                slot_id=slot_id,
                service_id=by_id[os_id].service_id,
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
                cancelled_at=created + timedelta(hours=rng.uniform(1, 20))
                if status == "cancelled"
                else None,
            )
            if status == "attended":
                queued = starts + timedelta(minutes=rng.uniform(-30, 12))
                visits.append(
                    Visit(
                        by_id[os_id],
                        "appointment",
                        queued,
                        max(queued, starts),
                        starts,
                        booking,
                        group,
                    )
                )
    return visits


def _booking_code(rng: random.Random) -> str:
    alphabet = "23456789BCDFGHJKMNPQRSTVWXYZ"  # booking.services.booking.CODE_ALPHABET
    return "".join(rng.choice(alphabet) for _ in range(10))


def _serve(visits: list[Visit], desks: list[Desk], periods: list[Any], rng: random.Random) -> None:
    """The counters at work: each, when free, calls the longest-waiting ticket among its
    services (FIFO), skipping who has given up waiting; none calls in the break or later
    than half an hour after closing."""
    queues: dict[int, deque[Visit]] = defaultdict(deque)
    for v in sorted(visits, key=lambda v: v.joined):
        queues[v.offered.id].append(v)
    last_call = periods[-1][1] + timedelta(minutes=30)
    free = [(periods[0][0], n) for n in range(len(desks))]
    while free:
        now, n = heappop(free)
        for (_, ends), (starts, _) in pairwise(periods):
            if ends <= now < starts:
                now = starts
        if now >= last_call:
            continue
        desk, best, soonest = desks[n], None, None
        for os_id in desk.skills:
            queue = queues[os_id]
            while (
                queue
                and queue[0].joined <= now
                and ((now - queue[0].joined).total_seconds() / 60 > queue[0].patience)
            ):
                gone = queue.popleft()
                gone.status, gone.finished = "left", gone.joined + timedelta(minutes=gone.patience)
                gone.events.append(("left", gone.finished, None))
            if queue and queue[0].joined <= now:
                best = queue[0] if best is None or queue[0].joined < best.joined else best
            elif queue:
                soonest = min(soonest or queue[0].joined, queue[0].joined)
        if best is None:
            if soonest is not None:
                heappush(free, (soonest, n))
            continue
        queues[best.offered.id].popleft()
        heappush(free, (_call(best, desk, now, rng), n))


def _call(v: Visit, desk: Desk, now: datetime, rng: random.Random) -> datetime:
    """Called (maybe again), then served or a no-show; returns when the counter is free."""
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
    """Rows as the queue services leave them: numbers per letter in issue order, the
    issue event first, the counter kept after a call, cleared when the day is closed."""
    from queueing.models import ServiceRating

    ikm = [
        f.attname
        for f in ServiceRating._meta.concrete_fields
        if f.attname.startswith("ikm_") and f.attname != "ikm_answered_at"
    ]
    numbers: Tally[str] = Tally()
    for v in sorted(visits, key=lambda v: v.queued):
        letter = v.offered.letter
        numbers[letter] += 1
        waited = ((v.called or v.finished or v.queued) - v.joined).total_seconds() / 60
        ticket = t.tickets.add(
            office_id=office.pk,
            office_service_id=v.offered.id,
            local_date=day,
            letter=letter,
            number=numbers[letter],
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
            contact_phone=f"+62813{rng.randrange(10**8):08d}"
            if v.source == "remote" and rng.random() < 0.7
            else "",
            language=rng.choices(("id", "en"), (95, 5))[0],
        )
        t.events.add(
            ticket_id=ticket,
            kind="issued",
            at=v.queued,
            staff_id=v.issuer,
            details={"source": v.source},
        )
        for kind, when, desk in v.events:
            t.events.add(
                ticket_id=ticket,
                kind=kind,
                at=when,
                counter_id=desk.id if desk else None,
                staff_id=desk.clerk if desk else None,
                details={},
            )
        if v.status == "finished" and v.finished and rng.random() < 0.25:
            given = v.finished + timedelta(minutes=min(rng.lognormvariate(2.3, 1.0), 24 * 60))
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


def _complaints(
    t: Any, office: Any, day: date, desks: list[Desk], numbers: dict[int, int], rng: random.Random
) -> None:
    """A few complaints a day, filed on line from morning to night; most answered within
    days (the answer's time may be after now: then it is still open)."""
    from django.utils import timezone

    from complaints.services import complaint_due_on

    now = timezone.now()
    due = complaint_due_on(office, day)
    for _ in range(rng.choices((0, 1, 2, 3, 4), (30, 30, 20, 12, 8))[0]):
        filed = datetime.combine(day, datetime.min.time(), tzinfo=office.zone) + timedelta(
            hours=rng.uniform(7, 22)
        )
        category = rng.choices(CATEGORIES, (30, 15, 15, 15, 15, 3, 7))[0]
        answered = filed + timedelta(hours=rng.uniform(2, 150))
        closed = answered + timedelta(days=rng.uniform(1, 4))
        status = (
            "closed"
            if closed < now
            else "answered"
            if answered < now
            else rng.choice(("received", "in_progress"))
        )
        handler = rng.choice(desks).clerk if desks else None
        numbers[filed.year] = numbers.get(filed.year, 0) + 1
        complaint = t.complaints.add(
            number=f"ADU-{filed.year}-{numbers[filed.year]:05d}",
            office_id=office.pk,
            category=category,
            pungli=category == "pungli" or rng.random() < 0.03,
            text=rng.choice(COMPLAINTS),
            access_key_hash=secrets.token_hex(32),
            status=status,
            filed_at=filed,
            due_on=due,
            assignee_id=handler if status != "received" else None,
            answer=ANSWER if status in ("answered", "closed") else "",
            answered_at=answered if status in ("answered", "closed") else None,
            closed_at=closed if status == "closed" else None,
        )
        t.complaint_events.add(complaint_id=complaint, kind="filed", at=filed)
        steps = {"received": 0, "in_progress": 1, "answered": 2, "closed": 3}[status]
        moments = [filed + (answered - filed) / 3, answered, closed]
        for kind, when in list(zip(("taken", "answered", "closed"), moments, strict=True))[:steps]:
            t.complaint_events.add(complaint_id=complaint, kind=kind, at=when, staff_id=handler)


def _conversations(
    t: Any, office: Any, day: date, utterances: list[tuple[str, str]], rng: random.Random
) -> None:
    """Citizens' conversations with the assistant about the office: a few messages each,
    understood with some confidence, each answered by the assistant seconds later."""
    from core import personal_data

    for _ in range(rng.randrange(4, 16)):
        channel = rng.choices(("web", "whatsapp", "telegram", "sms"), (40, 35, 20, 5))[0]
        moment = datetime.combine(day, datetime.min.time(), tzinfo=office.zone) + timedelta(
            hours=rng.uniform(6, 23)
        )
        said = []
        for _ in range(rng.choice((1, 2, 2, 3, 4))):
            said.append((moment, *rng.choice(utterances)))
            moment += timedelta(seconds=rng.uniform(20, 240))
        outbox = channel != "web"
        conversation = t.conversations.add(
            token=secrets.token_urlsafe(32),
            channel=channel,
            user_hash=secrets.token_hex(32) if outbox else "",
            address_encrypted=personal_data.encrypt(f"+62811{rng.randrange(10**8):08d}")
            if outbox
            else "",
            office_id=office.pk,
            started_at=said[0][0],
            last_message_at=said[-1][0] + timedelta(seconds=3),
            last_inbound_at=said[-1][0],
        )
        for when, text, intent in said:
            t.turns.add(
                conversation_id=conversation,
                author="citizen",
                text=text,
                intent=intent,
                confidence=round(rng.betavariate(5, 2), 3),
                created_at=when,
            )
            t.turns.add(
                conversation_id=conversation,
                author="assistant",
                text=REPLY,
                created_at=when + timedelta(seconds=rng.uniform(1, 4)),
            )


def _utterances() -> list[tuple[str, str]]:
    """Labelled citizens' messages of the assistant's training data (text, intent)."""
    from assistant.understanding.classifier import DATA_FILE

    lines = DATA_FILE.read_text().splitlines()
    rows = [line.split("\t") for line in lines if line and not line.startswith("#")]
    return [(r[0], r[1]) for r in rows[1:] if len(r) >= 2]


# --- In Django: the nightly build, the facts of 90 days, SQL per request ----------------


def build_runs(days: list[str]) -> dict[str, Any]:
    """facts_build for every office, one after another, for the first 1, 2, … days
    (every insights table emptied before each run, as on a night with nothing built)."""
    from django.apps import apps
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from insights.services import facts_build
    from offices.models import Office

    offices = list(Office.objects.order_by("pk"))
    the_days = [date.fromisoformat(d) for d in days]
    tables = [m._meta.db_table for m in apps.get_app_config("insights").get_models()]
    runs = []
    for n in range(1, len(the_days) + 1):
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(tables)}")
        office_seconds, day_seconds = [], []
        began = time.perf_counter()
        for office in offices:
            started = time.perf_counter()
            for day in the_days[:n]:
                one = time.perf_counter()
                facts_build(office=office, day=day)
                day_seconds.append(time.perf_counter() - one)
            office_seconds.append(time.perf_counter() - started)
        seconds = time.perf_counter() - began
        runs.append(
            {
                "days": n,
                "seconds": round(seconds, 2),
                "per_day": round(seconds / n, 2),
                "office_median": stats.median(office_seconds, 4),
                "office_p99": stats.percentile(office_seconds, 99, 4),
                "office_day_median": stats.median(day_seconds, 4),
                "office_day_p99": stats.percentile(day_seconds, 99, 4),
                "office_day_max": round(max(day_seconds), 4),
            }
        )
        print(f"bench: built {n} days of {len(offices)} offices in {seconds:.1f} s", flush=True)
    rows = {
        m.__name__: m._default_manager.count() for m in apps.get_app_config("insights").get_models()
    }
    biggest = max(offices, key=lambda o: o.counters.count())
    with CaptureQueriesContext(connection) as queries:
        facts_build(office=biggest, day=the_days[-1])
    slowest = max(queries.captured_queries, key=lambda q: float(q["time"]))
    return {
        "runs": runs,
        "rows": rows,
        "queries_per_office_day": len(queries),
        "slowest_query": {"ms": float(slowest["time"]) * 1000, "sql": slowest["sql"][:300]},
    }


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
    """Every office's last `fact_days` days (the year office's last `year_days`) get the
    rows of one of the built days, picked at random, with every count and every number
    in a JSON field scaled by one factor of 0.85–1.15 per office day; rows with an hour
    keep only the day's opening hours, rows of a service only open days. Each insights
    model with an office and a day is copied, whatever its columns."""
    from django.apps import apps
    from django.db import connection, models

    began = time.perf_counter()
    made = {}
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
        for model in apps.get_app_config("insights").get_models():
            names = {f.name for f in model._meta.concrete_fields}
            if not {"office", "local_date"} <= names:
                continue
            changes = {"local_date": "p.target"}
            for f in model._meta.concrete_fields:
                name = str(f.column)
                column = f"s.{connection.ops.quote_name(name)}"
                if isinstance(f, models.DateTimeField):
                    changes[name] = f"{column} + (p.target - p.source) * interval '1 day'"
                elif isinstance(f, models.JSONField):
                    changes[name] = f"bench_scaled({column}, p.f)"
                elif isinstance(f, models.IntegerField) and not isinstance(
                    f, models.SmallIntegerField | models.AutoField | models.BigAutoField
                ):
                    changes[name] = f"round({column} * p.f)::bigint"
            where = ["s.office_id = p.office_id", "s.local_date = p.source"]
            if "office_service" in names:
                where.append("p.opens_at IS NOT NULL")
            if "hour" in names:
                where.append("s.hour >= extract(hour FROM p.opens_at)")
                where.append("s.hour <= extract(hour FROM p.closes_at)")
            columns, values = copy_select(model, changes)
            table = model._meta.db_table
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT {values} "  # noqa: S608 - from the model
                f"FROM {table} s JOIN bench_plan p ON {' AND '.join(where)}"
            )
            made[model.__name__] = cursor.rowcount
        cursor.execute("DROP TABLE bench_plan")
        cursor.execute("DROP FUNCTION bench_scaled")
        cursor.execute("ANALYZE")
        sizes = {}
        for model in apps.get_app_config("insights").get_models():
            cursor.execute("SELECT pg_total_relation_size(%s)", [model._meta.db_table])
            sizes[model.__name__] = int(cursor.fetchone()[0])
        cursor.execute("SELECT pg_database_size(current_database())")
        database = int(cursor.fetchone()[0])
    return {
        "rows": made,
        "bytes": sizes,
        "database_bytes": database,
        "seconds": round(time.perf_counter() - began, 1),
    }


def queries_as(username: str, paths: list[str]) -> dict[str, list[int]]:
    """[status, SQL queries uncached, SQL queries cached] of a request to each path by
    `username` (empty: anonymous), signed in with its second factor passed: once with
    the cache emptied, then again; a streamed answer is read to its end."""
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
        session = client.session
        device = StaticDevice.objects.filter(user=user).first()
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


PRIORITY_GROUPS = ("", "elderly", "disability", "pregnant", "infant")
NAMES = ["Siti Rahmawati", "Budi Santoso", "Dewi Anggraini", "Agus Pratama", "Rina Wijaya"]
COMMENTS = ["Cepat dan ramah.", "Antrean terlalu lama.", "Petugas membantu sekali.", "AC mati."]
CATEGORIES = (
    "service_delay",
    "staff_conduct",
    "facilities",
    "information",
    "online_system",
    "pungli",
    "other",
)
COMPLAINTS = [
    "Saya menunggu lebih dari tiga jam padahal sudah datang pagi.",
    "Petugas meminta uang tambahan di luar tarif resmi untuk mempercepat.",
    "Toilet di ruang tunggu kotor dan tidak ada air sejak minggu lalu.",
    "Informasi persyaratan di situs berbeda dengan yang diminta di loket.",
    "Kode booking saya tidak bisa dipakai di kiosk, harus antre ulang.",
]
ANSWER = "Terima kasih atas laporan Anda. Kami telah menindaklanjuti dengan petugas terkait."
REPLY = "Baik, berikut informasinya. Ada lagi yang bisa saya bantu?"


# --- Over HTTP: staff sign-in, the load, the CSV's memory ------------------------------


async def sign_in(server: net.Server, username: str, password: str, code: str) -> dict[str, str]:
    """The sign-in form as a person fills it, then the second factor with a recovery
    code; returns the request headers of the verified session."""
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
    verified = await net.http(
        server,
        "POST",
        "/staf/2fa/verifikasi/",
        form={"code": code},
        headers={"Cookie": f"sessionid={session}; csrftoken={csrf}", "X-CSRFToken": csrf},
    )
    if verified.status != 302:
        raise SystemExit(f"bench: {username}'s recovery code answered {verified.status}")
    session = verified.cookies.get("sessionid", session)
    return {"Cookie": f"sessionid={session}; csrftoken={csrf}"}


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


def main() -> int:
    bench = run.Bench(NAME, __doc__ or "", PARAMS, groups=("load", "server", "database"))
    o = bench.o
    password = secrets.token_urlsafe(18)
    procs.flush_redis(o.redis)
    try:
        with bench.database() as env:
            env.update(REDIS_URL=o.redis)
            planner = {**env, "GILIRAN_PLAN_TIME_LIMIT_SECONDS": str(o.plan_time_limit)}
            setup = run.django_call(
                planner,
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
            (
                "the staff dashboard is not built yet",
                not read["dashboards"] and not bench.quick,
            ),
            (
                f"CSV answers {[e['status'] for e in read['exports']]}",
                any(e["status"] != [200, 200] for e in read["exports"]),
            ),
        )
        if bad
    ]
    report = {"setup": setup, "data": data, "build": build, "facts": facts, "read": read}
    return bench.finish(report, render(bench, setup, data, build, facts, read), failures)


def read_side(
    bench: run.Bench, env: dict[str, str], setup: dict[str, Any], password: str
) -> dict[str, Any]:
    """SQL per request; gunicorn: the first request of some offices with the cache
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
    paths = {k: [form.format(c) for c in setup["codes"]] for k, form in kinds.items()}
    files = {k: bench.path(f"{k}-paths.txt") for k in kinds}
    for k, f in files.items():
        f.write_text("".join(line + "\n" for line in paths[k]))
    # The national page's days end at UTC's midnight (timezone.localdate()), not WIB's.
    national = "/staf/kinerja/nasional/?" + since(o.national_days, datetime.now(UTC).date())
    csv = f"/staf/kinerja/data.csv?kantor={setup['year_office']}&"
    exports = [csv + since(days, year_today) for days in (1, o.short_days, o.year_days)]
    admin, supervisor = setup["admin"], setup["supervisor"]
    public = [net.BASELINE, paths["page"][0], paths["json"][0]]
    queries = {
        **run.django_call(env, queries_as, username="", paths=public),
        **run.django_call(env, queries_as, username=admin, paths=[paths["dashboard"][0], national]),
        **run.django_call(env, queries_as, username=supervisor, paths=exports[1:]),
    }
    dashboards = queries[paths["dashboard"][0]][0] == queries[national][0] == 200
    codes = {user: iter(setup["logins"][user]) for user in (admin, supervisor)}
    endpoints = [
        net.Endpoint("hello", net.BASELINE),
        net.Endpoint("page", paths["page"][0], files["page"]),
        net.Endpoint("json", paths["json"][0], files["json"]),
    ]
    with net.gunicorn(env, o, bench.path("gunicorn.log")) as server:
        cookie = asyncio.run(sign_in(server, admin, password, next(codes[admin])))
        if dashboards:
            endpoints += [
                net.Endpoint("dashboard", paths["dashboard"][0], files["dashboard"], cookie),
                net.Endpoint("national", national, None, cookie),
            ]
        else:
            print("bench: no staff dashboard yet (404): measuring the public side only")
        picked = random.Random(o.seed).sample(setup["codes"], min(o.cold, len(setup["codes"])))
        cold = {}
        for e in endpoints[1:]:
            procs.flush_redis(o.redis)  # page and JSON share each office's cached figures
            some = [e.path] if e.paths_file is None else [kinds[e.label].format(c) for c in picked]
            cold[e.label] = asyncio.run(first_requests(server, some, e.headers))
        summaries = net.alternate(server, endpoints, o)
    exported = [
        export_memory(bench, env, (supervisor, password, next(codes[supervisor])), path, exports[0])
        for path in exports[1:]
        if queries[exports[1]][0] == 200
    ]
    labels = {e.path: e.label for e in endpoints}
    return {
        "summaries": [vars(s) for s in summaries],
        "queries": queries,
        "cold": cold,
        "dashboards": dashboards,
        "exports": exported,
        "errors": sum(s.errors for s in summaries)
        + sum(n for c in cold.values() for status, n in c["statuses"].items() if status != 200),
        "problems": net.log_problems(server.log, *(Path(e["log"]) for e in exported))[:50],
        "table": net.load_table(
            summaries, {labels[p]: f"{q[1]} / {q[2]}" for p, q in queries.items() if p in labels}
        ),
    }


async def first_requests(
    server: net.Server, paths: list[str], headers: dict[str, str] | None
) -> dict[str, Any]:
    """Each path once, one after another: with the cache emptied, each is a miss."""
    times, statuses = [], Tally[int]()
    for path in paths:
        began = time.monotonic()
        answer = await net.http(server, "GET", path, headers=headers)
        times.append((time.monotonic() - began) * 1000)
        statuses[answer.status] += 1
    return {
        "n": len(times),
        "p50": stats.percentile(times, 50, 1),
        "p99": stats.percentile(times, 99, 1),
        "max": round(max(times), 1),
        "statuses": dict(statuses),
    }


def render(
    bench: run.Bench,
    setup: dict[str, Any],
    data: dict[str, Any],
    build: dict[str, Any],
    facts: dict[str, Any],
    read: dict[str, Any],
) -> str:
    o = bench.o
    runs = build["runs"]
    one = runs[0]
    built = stats.table(
        [
            "days built",
            "wall time",
            "seconds per day",
            "per day / 1-day run's",
            "one office-day: median",
            "p99",
            "max",
            "one office, all its days: median / p99",
        ],
        [
            [
                r["days"],
                f"{r['seconds']:.1f} s",
                f"{r['per_day']:.1f} s",
                stats.ratio(r["per_day"], one["per_day"], 2),
                f"{r['office_day_median'] * 1000:.0f} ms",
                f"{r['office_day_p99'] * 1000:.0f} ms",
                f"{r['office_day_max'] * 1000:.0f} ms",
                f"{r['office_median'] * 1000:.0f} / {r['office_p99'] * 1000:.0f} ms",
            ]
            for r in runs
        ],
    )
    per_day = data["tickets_per_office_day"]
    days = len(setup["days"])
    setup_line = (
        f"Set-up: {len(setup['codes'])} offices (sizes {setup['sizes']}), "
        f"{setup['counters']:,} counters, {setup['plans']} CP-SAT day plans copied to the "
        f"rest; {days} days ({', '.join(setup['days'])}): {data['tickets']:,} tickets "
        f"({per_day[0]} to {per_day[2]} an office day, median {per_day[1]}), "
        f"{data['events']:,} ticket events, {data['bookings']:,} bookings, "
        f"{data['ratings']:,} ratings, {data['complaints']:,} complaints, "
        f"{data['turns']:,} assistant turns; statuses {data['statuses']}; generated in "
        f"{data['seconds']:.0f} s, database {data['database_bytes'] / 2**30:.2f} GiB."
    )
    build_goal = (
        f"**Goal (one day of {len(setup['codes'])} offices in ≤ {GOAL_BUILD_SECONDS:.0f} s): "
        f"{one['seconds']:.1f} s, {stats.verdict(one['seconds'] <= GOAL_BUILD_SECONDS)}.** "
        f"Per day, {days} days took {stats.ratio(runs[-1]['per_day'], one['per_day'], 2)}x "
        f"the 1-day run's time (1 is linear). One office day is "
        f"{build['queries_per_office_day']} SQL queries, the slowest "
        f"{build['slowest_query']['ms']:.0f} ms; rows built: {build['rows']}."
    )
    facts_line = (
        f"Facts for the read side: {facts['rows']} rows copied in {facts['seconds']:.0f} s "
        f"(every office {o.fact_days} days, {setup['year_office']} {o.year_days}); insights "
        f"tables {sum(facts['bytes'].values()) / 2**20:,.0f} MiB, database "
        f"{facts['database_bytes'] / 2**30:.2f} GiB."
    )
    summaries = {s["label"]: s for s in read["summaries"]}
    measured = [k for k in ("page", "json", "dashboard", "national") if k in summaries]
    p99 = {k: stats.median(r["p99_ms"] for r in summaries[k]["rounds"]) for k in measured}
    read_goal = (
        f"**Goal (p99 ≤ {GOAL_P99_MS:.0f} ms at {o.connections} connections): "
        + ", ".join(
            f"{k} {stats.num(p99[k], ' ms')} {stats.verdict((p99[k] or 1e9) <= GOAL_P99_MS)}"
            for k in measured
        )
        + ".**"
        + ("" if read["dashboards"] else " The staff dashboards were not built yet.")
    )
    cold = stats.table(
        ["first request, cache emptied", "requests", "p50", "p99", "max"],
        [
            [label, c["n"], f"{c['p50']} ms", f"{c['p99']} ms", f"{c['max']} ms"]
            for label, c in read["cold"].items()
        ],
    )
    exports = (
        stats.table(
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
        if read["exports"]
        else "The CSV download is not built yet."
    )
    return stats.section(
        "Insights at national scale",
        __doc__ or "",
        bench.command,
        bench.run_line(stats.versions("django", "gunicorn", "psycopg")),
        setup_line,
        built,
        build_goal,
        facts_line,
        read["table"],
        cold,
        read_goal + " " + net.load_line(o) + " Page, JSON and dashboard take a random "
        f"office of the {len(setup['codes'])} per request; the dashboard covers "
        f"{o.range_days} days, the national one {o.national_days}.",
        exports,
    )


if __name__ == "__main__":
    sys.exit(main())
