"""Recommendations to the planner: the weekday-hours where the plan repeatedly fell
short, the counters that hour needed, and one click to staff them on the next such day
(docs/insights.md, "Recommendations").

An office hour *fell short* when a plan covered it, at least MIN_ARRIVALS people came,
and fewer than PROMISE_SHARE of them were called within their service's promised wait.
A weekday-hour is flagged when it fell short on at least MIN_TIMES of the days seen,
and on at least half of them: once is bad luck, every week is the plan.

The counters it needed come from what happened, not from the forecast: for each service,
the hour's mean arrivals on the days it fell short and the service's mean service time
give an M/M/c load (scheduling/erlang.py), sized so PROMISE_SHARE are called within the
promised wait; the services' counters add up. When the plan already had that many and
fewer counters worked, the advice is to staff the plan, not to change it.

Applying one is an ordinary supervisor's change to the next such day's plan
(scheduling.planning.day_plan_adjust: staffed counters for the hour's blocks), with the
reason written in the plan's audit log; the re-plan that follows gives the extra
counters to the services that need them, and the forecast learns the hour's real
arrivals from the tickets as for any day."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.models import User
from django.db.models import Count, QuerySet, Sum
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from insights.aggregate import histograms_by
from insights.histogram import mean_of
from insights.models import ServiceHour
from offices.models import Office
from scheduling import erlang
from scheduling.models import DayPlan
from scheduling.planning import Adjustment, day_plan_adjust
from scheduling.selectors import day_frame

PROMISE_SHARE = 0.8
MIN_ARRIVALS = 5
MIN_TIMES = 2


@dataclass(frozen=True)
class Recommendation:
    weekday: int  # 0 = Monday
    hour: int
    days_seen: int
    days_short: int
    within_target_share: float  # over the days it fell short
    arrivals: float  # mean per day it fell short
    planned: float  # counters planned, mean per day it fell short
    active: float  # counters that worked, mean per day it fell short
    needed: int  # counters the arrivals needed

    @property
    def more_counters(self) -> bool:
        return self.needed > math.ceil(self.planned - 1e-9)

    @property
    def key(self) -> str:
        return f"{self.weekday}-{self.hour:02d}"


@dataclass
class _Hour:
    seen: int = 0
    short: int = 0
    arrivals: int = 0
    within: int = 0
    planned: float = 0.0
    active: int = 0
    per_service: Counter[int] | None = None


def recommendations_for(*, office: Office, first: date, last: date) -> list[Recommendation]:
    rows = ServiceHour.objects.filter(office=office, local_date__range=(first, last))
    per_day_hour = (
        rows.order_by()
        .values("local_date", "hour")
        .annotate(
            walk_ins=Sum("walk_ins"),
            appointments=Sum("appointment_arrivals"),
            within=Sum("called_within_target"),
            planned=Sum("counters_planned"),
            planned_rows=Count("counters_planned"),
            active=Sum("counters_active"),
        )
    )
    short_days: set[tuple[date, int]] = set()
    slots: dict[tuple[int, int], _Hour] = defaultdict(_Hour)
    for total in per_day_hour:
        arrivals = (total["walk_ins"] or 0) + (total["appointments"] or 0)
        if not total["planned_rows"] or arrivals < MIN_ARRIVALS:
            continue
        slot = slots[(total["local_date"].weekday(), total["hour"])]
        slot.seen += 1
        if (total["within"] or 0) < PROMISE_SHARE * arrivals:
            slot.short += 1
            slot.arrivals += arrivals
            slot.within += total["within"] or 0
            slot.planned += total["planned"] or 0
            slot.active += total["active"] or 0
            short_days.add((total["local_date"], total["hour"]))
    flagged = {
        key: slot
        for key, slot in slots.items()
        if slot.short >= MIN_TIMES and 2 * slot.short >= slot.seen
    }
    if not flagged:
        return []
    needed = _counters_needed(rows, short_days, flagged)
    return sorted(
        (
            Recommendation(
                weekday=weekday,
                hour=hour,
                days_seen=slot.seen,
                days_short=slot.short,
                within_target_share=slot.within / slot.arrivals,
                arrivals=slot.arrivals / slot.short,
                planned=slot.planned / slot.short,
                active=slot.active / slot.short,
                needed=needed[(weekday, hour)],
            )
            for (weekday, hour), slot in flagged.items()
        ),
        key=lambda r: (r.within_target_share, r.weekday, r.hour),
    )


def _counters_needed(
    rows: QuerySet[ServiceHour],
    short_days: set[tuple[date, int]],
    flagged: dict[tuple[int, int], _Hour],
) -> dict[tuple[int, int], int]:
    """Per flagged weekday-hour, the counters its services' arrivals needed (Erlang C)."""
    service_minutes = {
        key[0]: mean_of(histogram)
        for key, histogram in histograms_by(rows, "service_times", ["office_service_id"]).items()
    }
    arrivals: dict[tuple[int, int], Counter[int]] = defaultdict(Counter)
    targets: dict[int, int] = {}
    for day, hour, service_id, walk_ins, appointments, target in rows.values_list(
        "local_date",
        "hour",
        "office_service_id",
        "walk_ins",
        "appointment_arrivals",
        "target_wait_minutes",
    ):
        if (day, hour) in short_days and (day.weekday(), hour) in flagged:
            arrivals[(day.weekday(), hour)][service_id] += walk_ins + appointments
            targets[service_id] = target
    needed: dict[tuple[int, int], int] = {}
    for slot, per_service in arrivals.items():
        total = 0
        for service_id, count in per_service.items():
            minutes = service_minutes.get(service_id)
            if not count or not minutes:
                continue
            per_minute = count / flagged[slot].short / 60
            try:
                total += erlang.counters_needed(
                    per_minute, 1 / minutes, within=targets[service_id], share=PROMISE_SHARE
                )
            except ValueError:  # more than a thousand: say a thousand, the plan caps it
                total += 1000
        needed[slot] = total
    return needed


def next_day_of(office: Office, weekday: int, today: date) -> date:
    """The first day after `today` that falls on `weekday`."""
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def recommendation_apply(
    *, office: Office, first: date, last: date, key: str, by: User, today: date
) -> tuple[date, int]:
    """Staff the recommended counters for the hour's blocks on the next such day; the
    recommendation is computed again, so only a current one is applied. Returns the day
    and the counters staffed."""
    found = [r for r in recommendations_for(office=office, first=first, last=last) if r.key == key]
    if not found:
        raise ApplicationError(
            "no_recommendation", _("This recommendation no longer applies: nothing was changed.")
        )
    advice = found[0]
    day = next_day_of(office, advice.weekday, today)
    labels = [label for label in day_frame(office, day).labels if int(label[:2]) == advice.hour]
    if not labels:
        raise ApplicationError(
            "office_closed_then",
            _("The office is closed at that hour on %(day)s: nothing was changed.")
            % {"day": day.isoformat()},
        )
    plan = DayPlan.objects.filter(office=office, local_date=day).first()
    staffed_now = dict(plan.staffed or {}) if plan else {}
    counters = office.counters.filter(is_active=True).count()
    # A block without an override is planned with every counter (day_instance).
    current = [int(staffed_now.get(label, counters)) for label in labels]
    staffed = min(counters, advice.needed)
    if staffed <= min(current):
        raise ApplicationError(
            "no_more_counters",
            _(
                "The plan already staffs %(current)d of the office's %(counters)d counters at "
                "that hour: the %(needed)d it needed mean more counters or clerks, which a "
                "plan cannot add. Nothing was changed."
            )
            % {"current": min(current), "counters": counters, "needed": advice.needed},
        )
    why = _(
        "Insights: %(hour)02d:00 fell short of the promised wait on %(short)d of %(seen)d "
        "such days; its arrivals needed %(needed)d counters."
    ) % {
        "hour": advice.hour,
        "short": advice.days_short,
        "seen": advice.days_seen,
        "needed": advice.needed,
    }
    day_plan_adjust(
        office=office,
        day=day,
        by=by,
        why=why,
        adjustment=Adjustment(
            staffed={label: max(staffed, now) for label, now in zip(labels, current, strict=True)}
        ),
    )
    return day, staffed
