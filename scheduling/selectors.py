"""Reads for planning: an office-day as a solver instance (the JSON of docs/scheduling.md),
built from the catalog, the day's slots and bookings, the supervisor's adjustments and
the demand forecast. Nothing here writes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Sum

from booking.models import Slot
from core.timezones import format_local_time
from offices.models import Counter, Office, OfficeService
from offices.selectors import closed_days
from queueing.models import WALK_IN_SOURCES, Ticket
from scheduling.default_plan import DayHours, blocks_of_day
from scheduling.explain import PlanExplanation, plan_explain
from scheduling.forecast import DayCounts, walk_ins
from scheduling.models import DayPlan, PlanChange

BLOCK_MINUTES = 30
HISTORY_WEEKS = 8


@dataclass(frozen=True)
class DayFrame:
    """The blocks of an office-day: their local start labels and aware bounds."""

    labels: list[str]
    bounds: list[tuple[datetime, datetime]]

    def index_of(self, moment: datetime) -> int | None:
        for i, (start, end) in enumerate(self.bounds):
            if start <= moment < end:
                return i
        return None


def day_frame(office: Office, day: date) -> DayFrame:
    """30-minute blocks of the office's opening hours that day (break excluded); none on
    a day it is closed (weekly hours, holiday, cuti bersama or closure)."""
    hours = office.opening_hours.filter(weekday=day.weekday()).first()
    if hours is None or closed_days(office, day, day):
        return DayFrame([], [])
    zone = office.zone
    periods = DayHours(hours.opens_at, hours.closes_at, hours.break_starts_at, hours.break_ends_at)
    bounds = blocks_of_day(day, periods, BLOCK_MINUTES, zone)
    return DayFrame([start.strftime("%H:%M") for start, _ in bounds], bounds)


def _offered(office: Office) -> list[OfficeService]:
    return list(
        OfficeService.objects.filter(office=office, is_active=True, service__is_active=True)
        .select_related("service")
        .order_by("ticket_letter")
    )


def _booked(office: Office, day: date, frame: DayFrame) -> dict[int, list[int]]:
    """Places occupied (booked, held, releasing) per office-service and block."""
    booked: dict[int, list[int]] = defaultdict(lambda: [0] * len(frame.labels))
    for office_service_id, starts_at, taken in Slot.objects.filter(
        office_service__office=office, local_date=day, taken__gt=0
    ).values_list("office_service_id", "starts_at", "taken"):
        block = frame.index_of(starts_at)
        if block is not None:
            booked[office_service_id][block] += taken
    return booked


def _after_closure(day: date, open_weekdays: set[int], closed: set[date]) -> bool:
    """Is `day` the first working day after one or more closed working days?"""
    previous = day - timedelta(days=1)
    for _ in range(7):
        if previous.weekday() in open_weekdays:
            return previous in closed
        previous -= timedelta(days=1)
    return False


def _walk_in_history(
    office: Office, offered: list[OfficeService], day: date, frame: DayFrame, closed: set[date]
) -> dict[int, list[DayCounts]]:
    """Per office-service: walk-in arrivals per block on the same weekday over the last
    weeks, counting only days on which the office issued numbers at all (before
    Giliran, it knows nothing). Two queries for all services together."""
    first = day - timedelta(weeks=HISTORY_WEEKS)
    same_weekday = [first + timedelta(weeks=w) for w in range(HISTORY_WEEKS)]
    observed = sorted(
        set(
            Ticket.objects.filter(office=office, local_date__in=same_weekday)
            .values_list("local_date", flat=True)
            .distinct()
        )
    )
    counts = {os.pk: {d: [0] * len(frame.labels) for d in observed} for os in offered}
    zone = office.zone
    for office_service_id, local_date, queued_at in Ticket.objects.filter(
        office=office, local_date__in=observed, source__in=WALK_IN_SOURCES
    ).values_list("office_service_id", "local_date", "queued_at"):
        block = _block_at(frame.labels, queued_at.astimezone(zone).strftime("%H:%M"))
        if block is not None and office_service_id in counts:
            counts[office_service_id][local_date][block] += 1
    open_weekdays = set(office.opening_hours.values_list("weekday", flat=True))
    after = {d: _after_closure(d, open_weekdays, closed) for d in observed}
    return {
        office_service_id: [DayCounts(by_day[d], after_closure=after[d]) for d in observed]
        for office_service_id, by_day in counts.items()
    }


def _block_at(labels: list[str], clock: str) -> int | None:
    """The last block starting at or before `clock` ("HH:MM"); None before the first."""
    block = None
    for i, label in enumerate(labels):
        if label <= clock:
            block = i
    return block


def _default_walk_ins(office_service: OfficeService, counter_share: float) -> float:
    """Without history: the walk-ins the default plan's reserve would serve per block."""
    per_block = counter_share * BLOCK_MINUTES / office_service.effective_minutes
    return per_block * office_service.walk_in_reserve_percent / 100


def _counter_shares(counters: list[Counter], codes: set[str]) -> dict[str, float]:
    """Counters per service if each shares its time equally among its skills."""
    share: dict[str, float] = defaultdict(float)
    for counter in counters:
        skills = [s.code for s in counter.services.all() if s.code in codes]
        for code in skills:
            share[code] += 1 / len(skills)
    return share


def day_instance(*, office: Office, day: date, plan: DayPlan | None = None) -> dict[str, Any]:
    """The solver instance for one office-day (docs/scheduling.md), with the plan's
    adjustments: staffed counters per block, a closed day, quotas, the walk-in reserve."""
    frame = day_frame(office, day)
    offered = _offered(office)
    codes = {os.service.code for os in offered}
    counters = [
        counter
        for counter in office.counters.filter(is_active=True).prefetch_related("services")
        if any(s.code in codes for s in counter.services.all())
    ]  # a counter skilled for nothing offered here cannot be planned
    staffed_override = (plan.staffed if plan else {}) or {}
    closed, most = plan is not None and plan.is_closed, len(counters)
    staffed = [
        0 if closed else min(int(staffed_override.get(label, most)), most) for label in frame.labels
    ]
    booked = _booked(office, day, frame)
    shares = _counter_shares(counters, codes)
    history_closed = {
        c.day for c in closed_days(office, day - timedelta(weeks=HISTORY_WEEKS + 1), day)
    }
    open_weekdays = set(office.opening_hours.values_list("weekday", flat=True))
    after = _after_closure(day, open_weekdays, history_closed)
    overrides = (plan.quota_overrides if plan else {}) or {}
    history = _walk_in_history(office, offered, day, frame, history_closed)
    services = []
    for os in offered:
        forecast = walk_ins(
            history[os.pk],
            blocks=len(frame.labels),
            default_per_block=_default_walk_ins(os, shares.get(os.service.code, 0.0)),
            after_closure=after,
        )
        services.append(
            {
                "id": os.service.code,
                "service_minutes": os.effective_minutes,
                "booked": booked.get(os.pk, [0] * len(frame.labels)),
                "walk_in_forecast": [round(value, 3) for value in forecast.per_block],
                "target_share": os.target_share_percent / 100,
                "target_wait_minutes": os.target_wait_minutes,
                "daily_quota_max": overrides.get(os.service.code),
            }
        )
    reserve = (
        plan.walk_in_reserve_percent
        if plan and plan.walk_in_reserve_percent is not None
        else round(sum(os.walk_in_reserve_percent for os in offered) / max(len(offered), 1))
    )
    return {
        "version": 1,
        "name": f"{office.code} {day.isoformat()}",
        "block_minutes": BLOCK_MINUTES,
        "blocks": frame.labels,
        "staffed": staffed,
        "counters": [
            {
                "id": str(c.number),
                "skills": sorted(s.code for s in c.services.all() if s.code in codes),
            }
            for c in counters
        ],
        "services": services,
        "pools": [],
        "walk_in_reserve": reserve / 100,
        "solver": {
            "time_limit_seconds": settings.GILIRAN_PLAN_TIME_LIMIT_SECONDS,
            "workers": settings.GILIRAN_PLAN_WORKERS,
            "seed": 1,
        },
    }


# --- what the supervisor pages show ---------------------------------------------------


@dataclass(frozen=True)
class PlannedService:
    code: str
    name: str
    colour: int  # index into plan.css's service colours
    quota: list[int]
    booked: list[int]
    forecast: list[float]
    walk_in_capacity: list[float]
    unmet: list[float]
    override: int | None  # the supervisor's daily quota, if any

    @property
    def bars(self) -> list[dict[str, float]]:
        """Per block, the chart's three bars (x, y, height in a 40-unit-high box per
        10-unit-wide block) and their values: appointment quota, booked, walk-in forecast."""
        top = max([1.0, *self.quota, *self.booked, *self.forecast])
        bars = []
        for b, values in enumerate(zip(self.quota, self.booked, self.forecast, strict=False)):
            bar: dict[str, float] = {"label": b}
            for offset, (name, value) in enumerate(
                zip(("quota", "booked", "forecast"), values, strict=True)
            ):
                height = round(40 * value / top, 2)
                bar |= {
                    name: round(value, 1),
                    f"{name}_x": 10 * b + 1 + 3 * offset,
                    f"{name}_y": 40 - height,
                    f"{name}_h": height,
                }
            bars.append(bar)
        return bars


@dataclass(frozen=True)
class PlanStatusView:
    """What the status fragment shows: the plan row alone."""

    day: date
    plan: DayPlan

    @property
    def is_planning(self) -> bool:
        return self.plan.status == "planning"


@dataclass(frozen=True)
class DayPlanView(PlanStatusView):
    labels: list[str]
    services: list[PlannedService]
    grid: list[tuple[str, list[PlannedService | None]]]  # counter → service per block
    staffed: list[int]
    counters: int
    explanation: PlanExplanation | None  # None until the day has a solved plan

    @property
    def staffed_by_label(self) -> list[tuple[str, int]]:
        return list(zip(self.labels, self.staffed, strict=True))


def day_plan_view(*, office: Office, day: date) -> DayPlanView:
    """The day as the supervisor sees it: the last plan's grid and, per service, its
    quota, bookings and forecast per block; inputs reflect the current adjustments."""
    # Unsaved when the day has no plan yet: looking at a day changes nothing.
    plan = DayPlan.objects.filter(office=office, local_date=day).first() or DayPlan(
        office=office, local_date=day
    )
    instance = day_instance(office=office, day=day, plan=plan)
    solution = plan.solution or {}
    outcomes = solution.get("services", {})
    names = {os.service.code: os.service.name for os in _offered(office)}
    blocks = len(instance["blocks"])
    services = [
        PlannedService(
            code=s["id"],
            name=names.get(s["id"], s["id"]),
            colour=i % 12,
            quota=outcomes.get(s["id"], {}).get("appointment_quota", [0] * blocks),
            booked=s["booked"],
            forecast=s["walk_in_forecast"],
            walk_in_capacity=outcomes.get(s["id"], {}).get("walk_in_capacity", [0.0] * blocks),
            unmet=outcomes.get(s["id"], {}).get("unmet_need", [0.0] * blocks),
            override=s["daily_quota_max"],
        )
        for i, s in enumerate(instance["services"])
    ]
    by_code = {s.code: s for s in services}
    planned_blocks = (plan.instance or {}).get("blocks", [])
    grid = []
    for counter in instance["counters"]:
        row = solution.get("counter_plan", {}).get(counter["id"], [])
        cells = dict(zip(planned_blocks, row, strict=False))
        grid.append(
            (counter["id"], [by_code.get(cells.get(label) or "") for label in instance["blocks"]])
        )
    return DayPlanView(
        day=day,
        plan=plan,
        labels=instance["blocks"],
        services=services,
        grid=grid,
        staffed=instance["staffed"],
        counters=len(instance["counters"]),
        explanation=_explanation(office, plan, names),
    )


def _explanation(office: Office, plan: DayPlan, names: dict[str, str]) -> PlanExplanation | None:
    """The last solved plan in words, compared with the one before it."""
    if not (plan.instance and plan.solution):
        return None
    previous = plan.previous
    at = ""
    if previous:
        planned_at = datetime.fromisoformat(previous["planned_at"])
        at = format_local_time(planned_at, office.timezone, with_date=True)
    return plan_explain(
        instance=plan.instance,
        solution=plan.solution,
        previous=previous,
        previous_at=at,
        names=names,
    )


@dataclass(frozen=True)
class DaySummary:
    day: date
    plan: DayPlan | None
    booked: int
    capacity: int
    closed: bool


def plan_overview(*, office: Office, first: date, days: int) -> list[DaySummary]:
    """The next days at a glance: plan status, and appointments booked of the capacity."""
    last = first + timedelta(days=days - 1)
    plans = {
        p.local_date: p
        for p in DayPlan.objects.filter(office=office, local_date__range=(first, last))
    }
    totals: dict[date, tuple[int, int]] = {}
    for row in (
        Slot.objects.filter(office_service__office=office, local_date__range=(first, last))
        .values("local_date")
        .annotate(booked=Sum("taken"), capacity=Sum("capacity"))
    ):
        totals[row["local_date"]] = (row["booked"], row["capacity"])
    closed = {c.day for c in closed_days(office, first, last)}
    open_weekdays = set(office.opening_hours.values_list("weekday", flat=True))
    summaries = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        booked, capacity = totals.get(day, (0, 0))
        shut = (
            day in closed
            or day.weekday() not in open_weekdays
            or bool(plans.get(day) and plans[day].is_closed)
        )
        summaries.append(DaySummary(day, plans.get(day), booked, capacity, shut))
    return summaries


def capacity_day_slots(*, office: Office, day: date) -> list[Slot]:
    """The office's slots of a day, grouped by office-service (by ticket letter), in time order."""
    return list(
        Slot.objects.filter(office_service__office=office, local_date=day)
        .select_related("office_service__service")
        .order_by("office_service__ticket_letter", "starts_at")
    )


def ticket_letters(*, office: Office) -> dict[str, str]:
    """Service code → the ticket letter the office gives it."""
    return dict(
        OfficeService.objects.filter(office=office).values_list("service__code", "ticket_letter")
    )


def plan_changes(*, office: Office, day: date, limit: int = 20) -> list[PlanChange]:
    """The day's audit log, newest first as the model orders it."""
    return list(
        PlanChange.objects.filter(office=office, local_date=day).select_related("by")[:limit]
    )


def day_plan_row(*, office: Office, day: date) -> DayPlan | None:
    """The day's plan row alone (what the status poll reads), or None."""
    return DayPlan.objects.filter(office=office, local_date=day).first()
