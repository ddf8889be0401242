"""A discrete-event simulation of one office day, driven through the real queue services.

Citizens arrive (Poisson walk-ins, appointments with no-shows and lateness) and take their
ticket through `ticket_issue` or `check_in`; counters call, start and finish through
`call_next`, `ticket_start`, `ticket_finish` and `ticket_no_show`. Nothing of the queue's
logic is copied here: the order of calling is the SQL of queueing/policy.py, and the wait
estimate is the one `ticket_issue` stores on the ticket (queueing/selectors.py). What the
simulation adds is only what the world does: when people come, how long they take at the
counter, and when a counter is free.

The clock is simulated: every service is called with `now=` the event's time (the services
take it for exactly this), so a day of a few hundred tickets runs in seconds. The day is a
fixed date (2 December 2026 unless the plan says otherwise), not the real one, so a service
that silently read the wall clock would file tickets under another day and the run would
show it at once (tickets never called).

Each event is a (time, sequence) pair in a heap; the sequence keeps ties in the order they
were scheduled. A counter that finds nobody waiting goes idle and is woken by the next
arrival of a service it serves (the one idle longest first). Service times belong to the
citizen and are drawn when the arrivals are planned, so two runs of a seed see the same
people whatever the queue does, and the same stream can be fed to a textbook recursion
(`fcfs_waits`) for comparison.

It needs a Django database with the migrations applied, and writes an office of its own
(unique codes per run), so several runs can share a database. Tests run it inside
pytest-django's transaction; bench/wait_estimates.py runs each day in a transaction that
it rolls back.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
import secrets
import time as wall_time
from collections import Counter as Tally
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from statistics import fmean
from typing import Literal

from django.contrib.auth.models import User

from booking.models import Booking, BookingStatus, Channel, Slot, Source
from core import personal_data
from core.errors import ApplicationError
from core.timezones import zone_info
from offices.models import (
    Counter,
    Office,
    OfficeService,
    OpeningHours,
    Role,
    Service,
    StaffMembership,
)
from queueing.models import CounterStatus, Ticket, TicketSource
from queueing.selectors import WaitEstimate
from queueing.services.calling import call_next, ticket_finish, ticket_no_show, ticket_start
from queueing.services.check_in import check_in
from queueing.services.counters import counter_set_status
from queueing.services.issue import ticket_issue

Distribution = Literal["exponential", "lognormal"]
# An alternative wait estimate to try: the selectors' signature; may return (low, high).
Estimator = Callable[[Ticket, datetime], WaitEstimate | tuple[float, float] | None]

PRIORITY_GROUPS = ("elderly", "disability", "pregnant", "infant")


# --- What the day looks like ------------------------------------------------------------


@dataclass(frozen=True)
class ServicePlan:
    """One service of the office and the people who come for it."""

    code: str
    letter: str
    mean_minutes: float  # true mean service time in the simulated world
    walk_ins_per_hour: float = 0.0  # Poisson rate (times the hourly profile)
    appointments_per_block: int = 0  # bookings starting at each appointment block
    # What the office-service says a service takes (OfficeService.duration_minutes): the
    # estimate uses it until MIN_OBSERVATIONS services were observed today.
    planned_minutes: int | None = None

    @property
    def planned(self) -> int:
        return self.planned_minutes or max(1, round(self.mean_minutes))


@dataclass(frozen=True)
class CounterPlan:
    skills: tuple[str, ...]  # service codes
    opens_minute: float = 0.0  # minutes after the day starts
    closes_minute: float | None = None  # stops calling then (finishes its citizen first)


@dataclass(frozen=True)
class AppointmentPlan:
    block_minutes: int = 30  # appointments start every block, from the start of the day
    until_minute: float = 360.0  # no block starts at or after this
    no_show_probability: float = 0.1  # booked but never checks in
    # Arrival relative to the appointment time, normal (negative: early). Nobody checks in
    # before check-in opens (they wait for it); beyond check-in's close the check-in
    # service turns them into walk-ins.
    lateness_mean_minutes: float = -5.0
    lateness_sd_minutes: float = 10.0


@dataclass(frozen=True)
class DayPlan:
    services: tuple[ServicePlan, ...]
    counters: tuple[CounterPlan, ...]
    day: date = date(2026, 12, 2)  # a Wednesday
    starts: time = time(8)  # office time
    timezone: str = "Asia/Jakarta"
    walk_ins_minutes: float = 390.0  # walk-ins arrive from the start for this long
    hourly_profile: tuple[float, ...] = ()  # walk-in rate multipliers per hour; () = flat
    distribution: Distribution = "lognormal"
    cv: float = 0.5  # coefficient of variation of lognormal service times
    appointments: AppointmentPlan = AppointmentPlan()
    priority_share: float = 0.0  # of walk-ins and bookings, in a priority group
    absent_probability: float = 0.0  # has a ticket but is gone when called
    absent_call_minutes: float = 2.0  # how long a counter waits before ticket_no_show
    measure_from_minute: float = 0.0  # tickets issued earlier are left out of the figures
    starvation_minutes: int = 45

    def __post_init__(self) -> None:
        codes = [s.code for s in self.services]
        if len(set(codes)) != len(codes) or len({s.letter for s in self.services}) != len(codes):
            raise ValueError("service codes and letters must be unique")
        for counter in self.counters:
            unknown = set(counter.skills) - set(codes)
            if unknown:
                raise ValueError(f"a counter has unknown skills: {sorted(unknown)}")
        if self.distribution not in ("exponential", "lognormal"):
            raise ValueError(f"unknown distribution {self.distribution!r}")


# --- Who comes ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Citizen:
    minute: float  # when they reach the kiosk (walk-in) or check in (appointment)
    service: str
    service_minutes: float
    kind: Literal["walk_in", "appointment"]
    priority_group: str = ""
    absent: bool = False
    appointment_minute: float | None = None
    booking: int | None = None  # index into the day's bookings


@dataclass(frozen=True)
class Booked:
    service: str
    appointment_minute: float
    priority_group: str
    shows: bool


@dataclass(frozen=True)
class People:
    citizens: tuple[Citizen, ...]  # in order of arrival
    bookings: tuple[Booked, ...]


def _service_time(plan: DayPlan, service: ServicePlan, rng: random.Random) -> float:
    if plan.distribution == "exponential":
        return rng.expovariate(1 / service.mean_minutes)
    sigma2 = math.log(1 + plan.cv**2)
    return rng.lognormvariate(math.log(service.mean_minutes) - sigma2 / 2, math.sqrt(sigma2))


def _profile(plan: DayPlan, minute: float) -> float:
    if not plan.hourly_profile:
        return 1.0
    hour = min(int(minute // 60), len(plan.hourly_profile) - 1)
    return plan.hourly_profile[hour]


def plan_people(plan: DayPlan, seed: int) -> People:
    """Who comes, when, for what and for how long: pure, the same for the same seed.

    Each service has its own random streams (walk-ins, appointments, service times), so
    adding a service or changing a rate leaves the other streams as they were."""
    citizens: list[Citizen] = []
    bookings: list[Booked] = []
    peak = max(plan.hourly_profile, default=1.0)
    for service in plan.services:
        arrivals = random.Random(f"{seed}:{service.code}:walk-ins")
        serving = random.Random(f"{seed}:{service.code}:service")
        appointments = random.Random(f"{seed}:{service.code}:appointments")
        rate = service.walk_ins_per_hour / 60 * peak
        minute = 0.0
        while rate > 0:
            minute += arrivals.expovariate(rate)
            if minute >= plan.walk_ins_minutes:
                break
            if arrivals.random() * peak > _profile(plan, minute):
                continue  # thinning: a non-homogeneous Poisson stream
            citizens.append(
                Citizen(
                    minute=minute,
                    service=service.code,
                    service_minutes=_service_time(plan, service, serving),
                    kind="walk_in",
                    priority_group=_priority(plan, arrivals),
                    absent=arrivals.random() < plan.absent_probability,
                )
            )
        rules = plan.appointments
        block = 0.0
        while service.appointments_per_block and block < rules.until_minute:
            for _ in range(service.appointments_per_block):
                shows = appointments.random() >= rules.no_show_probability
                booked = Booked(service.code, block, _priority(plan, appointments), shows)
                late = appointments.gauss(rules.lateness_mean_minutes, rules.lateness_sd_minutes)
                absent = appointments.random() < plan.absent_probability
                bookings.append(booked)
                if not shows:
                    continue
                checkin_opens = block - 30  # OfficeService.checkin_opens_minutes default
                citizens.append(
                    Citizen(
                        minute=max(0.0, checkin_opens, block + late),
                        service=service.code,
                        service_minutes=_service_time(plan, service, serving),
                        kind="appointment",
                        priority_group=booked.priority_group,
                        absent=absent,
                        appointment_minute=block,
                        booking=len(bookings) - 1,
                    )
                )
            block += rules.block_minutes
    citizens.sort(key=lambda c: c.minute)
    return People(tuple(citizens), tuple(bookings))


def _priority(plan: DayPlan, rng: random.Random) -> str:
    if plan.priority_share and rng.random() < plan.priority_share:
        return rng.choice(PRIORITY_GROUPS)
    return ""


def fcfs_waits(
    arrivals: Sequence[float], service_times: Sequence[float], servers: int
) -> list[float]:
    """Waits in a first-come-first-served queue with identical servers (the Kiefer–Wolfowitz
    recursion): each arrival starts at the later of its arrival and the earliest moment a
    server is free. The textbook model the simulator must reproduce for one service."""
    free = [0.0] * servers
    waits = []
    for arrival, service in zip(arrivals, service_times, strict=True):
        start = max(arrival, heapq.heappop(free))
        heapq.heappush(free, start + service)
        waits.append(start - arrival)
    return waits


# --- What happened ------------------------------------------------------------------------


@dataclass(frozen=True)
class TicketOutcome:
    ticket_id: int
    number: str
    service: str
    kind: str  # walk_in, appointment, late_appointment (checked in too late: a walk-in)
    priority: bool
    issued_minute: float
    wait_minutes: float | None  # called_at − queued_at, from the database; None: never called
    estimate_low: int | None  # as stored on the ticket at issue
    estimate_high: int | None
    ahead: int | None  # from the shown estimate, when an estimator gave the details
    service_minutes: float
    absent: bool
    status: str
    alternatives: Mapping[str, tuple[float, float] | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Accuracy:
    """How well an estimate's midpoint matched the wait, over the measured tickets."""

    tickets: int
    mean_wait: float
    mean_estimate: float
    mean_abs_error: float
    error_share: float  # mean absolute error / mean actual wait (the issue's goal: <= 0.25)
    bias: float  # mean(estimate − actual): > 0 promises too long a wait
    inside_range: float  # share of actual waits within the shown range


@dataclass(frozen=True)
class DayOutcome:
    plan: DayPlan
    seed: int
    tickets: tuple[TicketOutcome, ...]
    bookings: int
    booking_no_shows: int
    refused: int  # check-in or issue refused by a service
    unserved: int  # tickets never called
    wall_seconds: float

    def measured(self) -> list[TicketOutcome]:
        """Tickets issued in the measured window and called (waits exist)."""
        return [
            t
            for t in self.tickets
            if t.wait_minutes is not None and t.issued_minute >= self.plan.measure_from_minute
        ]

    def mean_wait(self) -> float:
        waits = [t.wait_minutes for t in self.measured() if t.wait_minutes is not None]
        return fmean(waits) if waits else math.nan

    def pairs(self, estimate: str = "shown") -> list[tuple[float, float, float]]:
        """(low, high, actual wait) of the measured tickets that had an estimate."""
        rows = []
        for t in self.measured():
            shown = (
                (t.estimate_low, t.estimate_high)
                if estimate == "shown"
                else t.alternatives.get(estimate)
            )
            if shown is None or shown[0] is None or shown[1] is None or t.wait_minutes is None:
                continue
            rows.append((shown[0], shown[1], t.wait_minutes))
        return rows

    def accuracy(self, estimate: str = "shown") -> Accuracy:
        return accuracy(self.pairs(estimate))


def accuracy(pairs: Sequence[tuple[float, float, float]]) -> Accuracy:
    """Accuracy over (low, high, actual) triples, e.g. pooled from several days."""
    if not pairs:
        return Accuracy(0, math.nan, math.nan, math.nan, math.nan, math.nan, math.nan)
    mids = [(low + high) / 2 for low, high, _ in pairs]
    waits = [actual for _, _, actual in pairs]
    errors = [mid - actual for mid, actual in zip(mids, waits, strict=True)]
    mean_wait = fmean(waits)
    mae = fmean(abs(e) for e in errors)
    return Accuracy(
        tickets=len(pairs),
        mean_wait=mean_wait,
        mean_estimate=fmean(mids),
        mean_abs_error=mae,
        error_share=mae / mean_wait if mean_wait > 0 else math.inf,
        bias=fmean(errors),
        inside_range=fmean(1.0 if low <= actual <= high else 0.0 for low, high, actual in pairs),
    )


# --- The office, built through the models -------------------------------------------------


@dataclass
class _Desk:
    counter: Counter
    staff: User
    plan: CounterPlan
    skills: frozenset[str]
    busy_with: int | None = None  # ticket id
    idle_since: float | None = None
    open: bool = False
    closing: bool = False


@dataclass
class _World:
    office: Office
    office_services: dict[str, OfficeService]
    desks: list[_Desk]
    booking_codes: list[str]


_run_ids = itertools.count(1)


def _build(plan: DayPlan, people: People, start: datetime) -> _World:
    tag = f"sim{next(_run_ids)}{secrets.token_hex(3)}"
    office = Office.objects.create(
        code=tag,
        name=f"Simulated office {tag}",
        kind="other",
        address="-",
        province="DKI Jakarta",
        regency="Kota Jakarta Pusat",
        latitude=Decimal("-6.175"),
        longitude=Decimal("106.827"),
        timezone=plan.timezone,
        queue_starvation_minutes=plan.starvation_minutes,
    )
    # Open from the simulated day's start to its end: the kiosk gives numbers only while
    # the office is open by its own clock (queueing.services.issue.walk_in_closed_message).
    OpeningHours.objects.create(
        office=office, weekday=plan.day.weekday(), opens_at=plan.starts, closes_at=time(23, 59, 59)
    )
    office_services: dict[str, OfficeService] = {}
    services: dict[str, Service] = {}
    for spec in plan.services:
        service = Service.objects.create(
            code=f"{tag}-{spec.code}"[:40],
            name_id=spec.code,
            name_en=spec.code,
            average_minutes=spec.planned,
            ticket_letter=spec.letter,
        )
        services[spec.code] = service
        office_services[spec.code] = OfficeService.objects.create(
            office=office, service=service, ticket_letter=spec.letter, duration_minutes=spec.planned
        )
    desks = []
    for number, desk_plan in enumerate(plan.counters, start=1):
        counter = Counter.objects.create(office=office, number=number)
        counter.services.set([services[code] for code in desk_plan.skills])
        staff = User.objects.create(username=f"{tag}-clerk{number}")
        StaffMembership.objects.create(user=staff, office=office, role=Role.CLERK)
        desks.append(_Desk(counter, staff, desk_plan, frozenset(desk_plan.skills)))

    codes = []
    per_slot = Tally((b.service, b.appointment_minute) for b in people.bookings)
    slots: dict[tuple[str, float], Slot] = {}
    for index, booked in enumerate(people.bookings):
        key = (booked.service, booked.appointment_minute)
        if key not in slots:
            starts = start + timedelta(minutes=booked.appointment_minute)
            slots[key] = Slot.objects.create(
                office_service=office_services[booked.service],
                starts_at=starts,
                ends_at=starts + timedelta(minutes=plan.appointments.block_minutes),
                local_date=plan.day,
                capacity=per_slot[key],
                taken=per_slot[key],
            )
        slot = slots[key]
        nik = f"3171{index:012d}"
        code = f"{tag[-6:]}{index:05d}".upper()
        codes.append(code)
        Booking.objects.create(
            code=code,
            slot=slot,
            service=services[booked.service],
            status=BookingStatus.CONFIRMED,
            full_name="Warga",
            nik_encrypted=personal_data.encrypt(nik),
            nik_hash=personal_data.keyed_hash(f"{tag}{nik}"),
            nik_last4=nik[-4:],
            email=f"warga{index}@example.id",
            channel=Channel.EMAIL,
            source=Source.WEB,
            priority_group=booked.priority_group,
        )
    return _World(office, office_services, desks, codes)


# --- The day ------------------------------------------------------------------------------


def simulate_day(
    plan: DayPlan,
    seed: int,
    *,
    estimators: Mapping[str, Estimator] | None = None,
    details: Estimator | None = None,
) -> DayOutcome:
    """Run one day and report every ticket. Needs a migrated database (see the module doc).

    `estimators` are other wait estimates to try, called right after each ticket is issued
    with the same `now` (the queue is exactly as the shown estimate saw it); their ranges
    are reported beside the shown one, so alternatives are compared on the same tickets.
    `details`, if given (normally queueing.selectors.estimate_wait), is called the same way
    to record the shown estimate's `ahead`."""
    started = wall_time.perf_counter()
    zone = zone_info(plan.timezone)
    start = datetime.combine(plan.day, plan.starts, tzinfo=zone).astimezone(UTC)
    midnight = datetime.combine(plan.day + timedelta(days=1), time(0), tzinfo=zone)
    day_minutes = (midnight - start).total_seconds() / 60
    people = plan_people(plan, seed)
    world = _build(plan, people, start)
    estimators = dict(estimators or {})

    def at(minute: float) -> datetime:
        return start + timedelta(minutes=minute)

    events: list[tuple[float, int, str, int]] = []
    order = itertools.count()

    def schedule(minute: float, kind: str, index: int) -> None:
        heapq.heappush(events, (minute, next(order), kind, index))

    # Counters first: one opening at the minute a citizen arrives is open for them.
    for index, desk in enumerate(world.desks):
        schedule(desk.plan.opens_minute, "open", index)
        if desk.plan.closes_minute is not None:
            schedule(desk.plan.closes_minute, "close", index)
    for index, citizen in enumerate(people.citizens):
        schedule(citizen.minute, "arrive", index)

    citizen_of: dict[int, Citizen] = {}
    issued_at: dict[int, float] = {}
    extra: dict[int, dict[str, tuple[float, float] | None]] = {}
    ahead: dict[int, int] = {}
    refused = 0

    def try_call(desk: _Desk, minute: float) -> None:
        ticket = call_next(counter=desk.counter, staff=desk.staff, now=at(minute))
        if ticket is None:
            desk.busy_with, desk.idle_since = None, minute
            return
        desk.busy_with, desk.idle_since = ticket.pk, None
        citizen = citizen_of[ticket.pk]
        if citizen.absent:
            schedule(minute + plan.absent_call_minutes, "done", world.desks.index(desk))
            return
        ticket_start(counter=desk.counter, staff=desk.staff, now=at(minute))
        schedule(minute + citizen.service_minutes, "done", world.desks.index(desk))

    while events:
        minute, _, kind, index = heapq.heappop(events)
        if minute >= day_minutes:
            raise ValueError("the simulated day ran past midnight; shorten it")
        now = at(minute)
        if kind == "arrive":
            citizen = people.citizens[index]
            office_service = world.office_services[citizen.service]
            try:
                if citizen.kind == "appointment" and citizen.booking is not None:
                    ticket = check_in(
                        office=world.office, code=world.booking_codes[citizen.booking], now=now
                    )
                else:
                    ticket = ticket_issue(
                        office_service=office_service,
                        source=TicketSource.KIOSK,
                        now=now,
                        priority_group=citizen.priority_group,
                    )
            except ApplicationError:
                refused += 1
                continue
            citizen_of[ticket.pk] = citizen
            issued_at[ticket.pk] = minute
            if details is not None:
                shown = details(ticket, now)
                if isinstance(shown, WaitEstimate):
                    ahead[ticket.pk] = shown.ahead
            extra[ticket.pk] = {}
            for name, estimator in estimators.items():
                extra[ticket.pk][name] = _range(estimator(ticket, now))
            idle = [
                d
                for d in world.desks
                if d.open and d.busy_with is None and citizen.service in d.skills
            ]
            idle.sort(key=lambda d: (d.idle_since or 0.0, d.counter.number))
            for desk in idle:
                try_call(desk, minute)
                if desk.busy_with is not None:
                    break
        elif kind == "done":
            desk = world.desks[index]
            if citizen_of[desk.busy_with or 0].absent:
                ticket_no_show(counter=desk.counter, staff=desk.staff, now=now, confirmed=True)
            else:
                ticket_finish(counter=desk.counter, staff=desk.staff, now=now)
            desk.busy_with = None
            if desk.closing:
                _set_status(desk, CounterStatus.CLOSED)
                desk.open = False
            else:
                try_call(desk, minute)
        elif kind == "open":
            desk = world.desks[index]
            _set_status(desk, CounterStatus.OPEN)
            desk.open, desk.closing = True, False
            try_call(desk, minute)
        elif kind == "close":
            desk = world.desks[index]
            if desk.busy_with is None:
                _set_status(desk, CounterStatus.CLOSED)
                desk.open = False
            else:
                desk.closing = True

    outcomes = _outcomes(world, start, citizen_of, issued_at, extra, ahead)
    return DayOutcome(
        plan=plan,
        seed=seed,
        tickets=outcomes,
        bookings=len(people.bookings),
        booking_no_shows=sum(1 for b in people.bookings if not b.shows),
        refused=refused,
        unserved=sum(1 for t in outcomes if t.wait_minutes is None),
        wall_seconds=wall_time.perf_counter() - started,
    )


def _range(estimate: WaitEstimate | tuple[float, float] | None) -> tuple[float, float] | None:
    if isinstance(estimate, WaitEstimate):
        return (float(estimate.low_minutes), float(estimate.high_minutes))
    return None if estimate is None else (float(estimate[0]), float(estimate[1]))


def _set_status(desk: _Desk, status: str) -> None:
    counter_set_status(counter=desk.counter, status=status, staff=desk.staff)


def _outcomes(
    world: _World,
    start: datetime,
    citizen_of: Mapping[int, Citizen],
    issued_at: Mapping[int, float],
    extra: Mapping[int, Mapping[str, tuple[float, float] | None]],
    ahead: Mapping[int, int],
) -> tuple[TicketOutcome, ...]:
    code_of = {os.pk: code for code, os in world.office_services.items()}
    rows = Ticket.objects.filter(office=world.office).values_list(
        "pk",
        "letter",
        "number",
        "office_service_id",
        "source",
        "priority_group",
        "queued_at",
        "called_at",
        "estimate_low_minutes",
        "estimate_high_minutes",
        "status",
    )
    outcomes = []
    for pk, letter, number, os_id, source, group, queued, called, low, high, status in rows:
        citizen = citizen_of[pk]
        if citizen.kind == "appointment":
            kind = "appointment" if source == TicketSource.APPOINTMENT else "late_appointment"
        else:
            kind = "walk_in"
        outcomes.append(
            TicketOutcome(
                ticket_id=pk,
                number=f"{letter}-{number:03d}",
                service=code_of[os_id],
                kind=kind,
                priority=bool(group),
                issued_minute=issued_at[pk],
                wait_minutes=None if called is None else (called - queued).total_seconds() / 60,
                estimate_low=low,
                estimate_high=high,
                ahead=ahead.get(pk),
                service_minutes=citizen.service_minutes,
                absent=citizen.absent,
                status=str(status),
                alternatives=dict(extra.get(pk, {})),
            )
        )
    outcomes.sort(key=lambda t: (t.issued_minute, t.ticket_id))
    return tuple(outcomes)


__all__ = [
    "Accuracy",
    "AppointmentPlan",
    "Citizen",
    "CounterPlan",
    "DayOutcome",
    "DayPlan",
    "People",
    "ServicePlan",
    "TicketOutcome",
    "accuracy",
    "fcfs_waits",
    "plan_people",
    "simulate_day",
]
