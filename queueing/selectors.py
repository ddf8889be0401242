"""Reads of the queue: who is ahead of whom, how long it will take, what the board shows."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from statistics import mean
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, F
from django.shortcuts import get_object_or_404

from offices.models import Counter, Office, OfficeService, Role
from offices.permissions import AnyUser, require_office_role
from queueing.models import (
    CURRENT_STATUSES,
    SHORTCUT_DEFAULTS,
    ConsoleShortcuts,
    CounterState,
    CounterStatus,
    Ticket,
    TicketStatus,
)
from queueing.policy import waiting_order

# Below this many services finished today, the office-service's planned duration is used.
MIN_OBSERVATIONS = 3


@dataclass(frozen=True)
class Serving:
    """The open counters able to serve a service now. A citizen is shown `counters`, whole
    counters they can picture, and whether they also serve other services (`shared`);
    the estimate divides by `capacity`, their time for this service. A fraction of a
    counter ("0,5 loket") is never shown."""

    counters: int
    capacity: float  # a counter with k open skills gives this service 1/k of its time

    @property
    def shared(self) -> bool:
        return self.capacity < self.counters


@dataclass(frozen=True)
class WaitEstimate:
    ahead: int
    low_minutes: int
    high_minutes: int
    serving: Serving
    minutes_per_citizen: float


def _today(office: Office, now: datetime) -> date:
    return office.local_date(now)


def queue_of(office_service: OfficeService, now: datetime) -> list[int]:
    """Ids of the waiting tickets of one service, in the order they will be called."""
    office = office_service.office
    return list(
        Ticket.objects.filter(
            office=office,
            local_date=_today(office, now),
            office_service=office_service,
            status=TicketStatus.WAITING,
        )
        .order_by(*waiting_order(now, office.queue_starvation_minutes))
        .values_list("pk", flat=True)
    )


def observed_minutes(office_service: OfficeService, now: datetime) -> float:
    """Mean service time today, from tickets served at this office-service."""
    durations = [
        (finished - started).total_seconds() / 60
        for started, finished in Ticket.objects.filter(
            office_service=office_service,
            local_date=_today(office_service.office, now),
            status=TicketStatus.FINISHED,
            serving_at__isnull=False,
            finished_at__isnull=False,
        ).values_list("serving_at", "finished_at")
        if started and finished
    ]
    if len(durations) < MIN_OBSERVATIONS:
        return float(office_service.effective_minutes)
    return mean(durations)


def serving_capacity(office_service: OfficeService) -> Serving:
    """Open counters able to serve this service; a counter with k open skills gives it 1/k
    of its time."""
    capacity = 0.0
    serving = 0
    counters = Counter.objects.filter(
        office=office_service.office, is_active=True, state__status=CounterStatus.OPEN
    ).prefetch_related("services")
    offered = set(
        OfficeService.objects.filter(office=office_service.office, is_active=True).values_list(
            "service_id", flat=True
        )
    )
    for counter in counters:
        skills = [s.pk for s in counter.services.all() if s.pk in offered]
        if office_service.service_id in skills:
            capacity += 1 / len(skills)
            serving += 1
    return Serving(counters=serving, capacity=capacity)


def estimate_wait(
    ticket: Ticket, now: datetime, *, ahead: int | None = None
) -> WaitEstimate | None:
    """People ahead × observed minutes per citizen ÷ counters serving the service now, as
    a range (±25%, at least ±5 minutes). None when the ticket is not waiting or no counter
    serving it is open. Pass `ahead` when the caller already knows the position."""
    if ticket.status != TicketStatus.WAITING:
        return None
    if ahead is None:
        order = queue_of(ticket.office_service, now)
        ahead = order.index(ticket.pk) if ticket.pk in order else 0
    serving = serving_capacity(ticket.office_service)
    if serving.counters == 0:
        return None
    per_citizen = observed_minutes(ticket.office_service, now)
    expected = (ahead + 0.5) * per_citizen / serving.capacity
    spread = max(5.0, expected * 0.25)
    return WaitEstimate(
        ahead=ahead,
        low_minutes=max(0, math.floor((expected - spread) / 5) * 5),
        high_minutes=math.ceil((expected + spread) / 5) * 5,
        serving=serving,
        minutes_per_citizen=per_citizen,
    )


@dataclass(frozen=True)
class TicketOutlook:
    ahead: int | None  # people before this ticket in the calling order; None unless waiting
    estimate: WaitEstimate | None


def ticket_outlook(ticket: Ticket, now: datetime) -> TicketOutlook:
    """Where a ticket stands and how long it will wait, reading the queue once."""
    if ticket.status != TicketStatus.WAITING:
        return TicketOutlook(None, None)
    order = queue_of(ticket.office_service, now)
    ahead = order.index(ticket.pk) if ticket.pk in order else None
    return TicketOutlook(ahead, estimate_wait(ticket, now, ahead=ahead or 0))


def waiting_counts(office: Office, now: datetime) -> dict[int, int]:
    """Waiting tickets per office-service id, today."""
    rows = (
        Ticket.objects.filter(
            office=office, local_date=_today(office, now), status=TicketStatus.WAITING
        )
        .values("office_service")
        .annotate(n=Count("pk"))
    )
    return {row["office_service"]: row["n"] for row in rows}


@dataclass(frozen=True)
class BoardCall:
    ticket_id: int
    number: str
    counter: str
    counter_number: int
    called_at: datetime
    recalls: int


# How many calls the display board lists (the newest large, the rest under "Recent calls").
BOARD_LAST_CALLS = 8


def board_calls(office: Office, now: datetime, *, limit: int = BOARD_LAST_CALLS) -> list[BoardCall]:
    """The last `limit` calls of the office's today, newest first (a recall counts as a
    new call). A call stays listed after its ticket is served, finished or marked a
    no-show, so a citizen who looked away can still find their number; a ticket parked
    or transferred since leaves the list, as it is no longer at that counter."""
    tickets = (
        Ticket.objects.filter(
            office=office,
            local_date=_today(office, now),
            called_at__isnull=False,
            counter__isnull=False,
        )
        .select_related("counter")
        .order_by(F("called_at").desc(), "-pk")[:limit]
    )
    return [
        BoardCall(
            t.pk,
            t.display_number,
            str(t.counter.display_name),
            t.counter.number,
            t.called_at,
            t.recalls,
        )
        for t in tickets
        if t.counter is not None and t.called_at is not None
    ]


@dataclass(frozen=True)
class CounterConsole:
    """What the counter console shows. `state` is unsaved (closed) for a counter never
    opened: looking at the console writes nothing; the first action creates the row."""

    state: CounterState
    current: Ticket | None
    waiting: list[Ticket]
    parked: list[Ticket]
    counts: list[tuple[OfficeService, int]]
    offered: list[OfficeService]


def counter_console(counter: Counter, now: datetime) -> CounterConsole:
    office = counter.office
    state = CounterState.objects.filter(counter=counter).first() or CounterState(counter=counter)
    offered = list(
        OfficeService.objects.filter(office=office, is_active=True).select_related("service")
    )
    counts = waiting_counts(office, now)
    today = _today(office, now)
    skills = set(counter.services.values_list("pk", flat=True))
    waiting = (
        Ticket.objects.filter(
            office=office,
            local_date=today,
            status=TicketStatus.WAITING,
            office_service__service__in=skills,
        )
        .select_related("office_service__service")
        .order_by(*waiting_order(now, office.queue_starvation_minutes))[:30]
    )
    current = (
        Ticket.objects.filter(counter=counter, status__in=CURRENT_STATUSES)
        .select_related("office", "office_service__service", "counter")
        .first()
    )
    return CounterConsole(
        state=state,
        current=current,
        waiting=list(waiting),
        parked=list(
            Ticket.objects.filter(office=office, local_date=today, status=TicketStatus.PARKED)
        ),
        counts=[(os, counts.get(os.pk, 0)) for os in offered if os.service_id in skills],
        offered=offered,
    )


def staff_counter(*, counter_id: int, staff: AnyUser) -> Counter:
    """The active counter `counter_id`, for someone who works at its office: Http404
    when there is no such counter, PermissionDenied for staff of other offices. The
    console and the API find their counter here (counter_act checks the role again)."""
    counter = get_object_or_404(
        Counter.objects.select_related("office"), pk=counter_id, is_active=True
    )
    require_office_role(staff, counter.office, at_least=Role.CLERK)
    return counter


TICKET_NUMBER = re.compile(r"([A-Za-z])-?(\d{1,6})")


def ticket_by_number(office: Office, number: str, now: datetime) -> Ticket | None:
    """Today's ticket of this office with this number as shown ("A-023"; "a23" too),
    or None: how the API names a ticket to call or unpark."""
    match = TICKET_NUMBER.fullmatch(number.strip())
    if match is None:
        return None
    return Ticket.objects.filter(
        office=office,
        local_date=_today(office, now),
        letter=match[1].upper(),
        number=int(match[2]),
    ).first()


def staff_counters(*, offices: Any) -> list[Counter]:
    """The active counters of these offices, by office name and counter number."""
    return list(
        Counter.objects.filter(office__in=offices, is_active=True)
        .select_related("office")
        .order_by("office__name", "number")
    )


@dataclass(frozen=True)
class Shortcuts:
    """What the console's keyboard does for one person: `keys` maps each name of
    SHORTCUT_DEFAULTS (`no_show` for the no-show button) to its key."""

    enabled: bool
    keys: dict[str, str]


def console_shortcuts(user: User) -> Shortcuts:
    """A person's console shortcuts; on, with the default keys, until they change them."""
    saved = ConsoleShortcuts.objects.filter(user=user).first()
    if saved is None:
        return Shortcuts(enabled=True, keys=dict(SHORTCUT_DEFAULTS))
    return Shortcuts(enabled=saved.enabled, keys=saved.keys())
