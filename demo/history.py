"""The demo country's past: DEMO_HISTORY_DAYS ended days of facts per demo office, so the
performance page and the dashboards show something on a fresh `make run`.

These facts are made up (seeded per office and day, so a reload gives the same), not
built from tickets: the demo has no past tickets, and a past day cannot be lived
through the queue's services, which take the clock as it is. They have the shapes real
facts have: a morning peak, waits that grow when arrivals outrun the counters, Mondays
busier, some no-shows, ratings and IKM answers, complaints and assistant questions. A
day that already has facts is left alone, so real facts are never replaced; rebuilding a
demo day (`manage.py insights_build`) replaces its made-up facts with the real, empty ones."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from django.db import transaction

from insights.histogram import histogram_of
from insights.models import AssistantDay, ComplaintDay, CounterDay, FactsDay, ServiceHour
from offices.models import Counter, Office, OfficeService
from queueing.ikm import ELEMENT_KEYS

DEMO_HISTORY_DAYS = 56
_CHANNELS = ("web", "whatsapp", "telegram", "sms")
_INTENTS = ("hours", "requirements", "fees", "book", "queue_status", "location", "complaint")
_COMPLAINTS = ("service_delay", "staff_conduct", "facilities", "information", "online_system")


def _service_hour(
    rng: random.Random,
    office_service: OfficeService,
    day: date,
    hour: int,
    counters: float,
    peak: float,
) -> tuple[ServiceHour, list[float]]:
    target = office_service.target_wait_minutes
    minutes = float(office_service.effective_minutes)
    walk_ins = max(0, round(rng.gauss(6 * peak, 2)))
    booked = max(0, round(rng.gauss(4 * peak, 1)))
    missed = sum(rng.random() < 0.12 for _ in range(booked))
    arrivals = walk_ins + booked - missed
    # More work than the counters can do in the hour: waits grow with the excess.
    load = arrivals * minutes / 60 / counters
    mean_wait = target * 0.4 * (1 + 3 * max(0.0, load - 0.8))
    waits = [rng.expovariate(1 / mean_wait) for _ in range(arrivals)]
    left = sum(wait > 3 * target and rng.random() < 0.3 for wait in waits)
    called_waits = waits[: arrivals - left]
    service_times = [max(1.0, rng.gauss(minutes, minutes / 4)) for _ in called_waits]
    ratings = [
        min(5, max(1, round(rng.gauss(4.6 - load, 0.8)))) for _ in range(len(called_waits) // 4)
    ]
    ikm: dict[str, list[int]] = {}
    respondents = len(ratings) // 2
    for _ in range(respondents):
        for key in ELEMENT_KEYS:
            if rng.random() < 0.9:
                total = ikm.setdefault(key, [0, 0])
                total[0] += min(4, max(1, round(rng.gauss(3.4 - load / 2, 0.6))))
                total[1] += 1
    needed = max(1.0, round(arrivals * minutes / 60 / 0.8, 1))
    planned = float(max(1, min(round(counters + 1), round(needed * rng.uniform(0.8, 1.1)))))
    row = ServiceHour(
        office=office_service.office,
        office_service=office_service,
        local_date=day,
        hour=hour,
        walk_ins=walk_ins,
        appointment_arrivals=booked - missed,
        served=len(called_waits),
        abandoned=left,
        waits=histogram_of(called_waits),
        target_wait_minutes=target,
        called_within_target=sum(wait <= target for wait in called_waits),
        service_times=histogram_of(service_times),
        counters_active=max(1, round(planned * rng.uniform(0.8, 1.0))),
        counters_planned=planned,
        counters_needed=needed,
        walk_ins_forecast=round(6 * peak, 1),
        appointment_places=booked + rng.randint(0, 2),
        appointments_booked=booked,
        appointments_attended=booked - missed,
        appointment_no_shows=missed,
        ratings={str(score): ratings.count(score) for score in sorted(set(ratings))},
        ikm=ikm,
        ikm_respondents=respondents,
    )
    return row, service_times


def _office_day(office: Office, day: date, built_at: datetime) -> None:
    hours = office.opening_hours.filter(weekday=day.weekday()).first()
    if hours is None:
        return
    rng = random.Random(f"{office.code}:{day.isoformat()}")  # noqa: S311 - made-up figures
    offered = list(
        OfficeService.objects.filter(office=office, is_active=True).select_related("service")
    )
    counters = list(office.counters.filter(is_active=True).order_by("number"))
    if not offered or not counters:
        return
    monday = 1.3 if day.weekday() == 0 else 1.0
    rows: list[ServiceHour] = []
    counter_times: dict[tuple[Counter, OfficeService], list[float]] = {}
    for at in range(hours.opens_at.hour, hours.closes_at.hour):
        # A morning peak at 09:00, a quiet lunch.
        peak = monday * (1.6 if at in (8, 9) else 0.5 if at == 12 else 1.0)
        for office_service in offered:
            share = len(counters) / len(offered)
            row, times = _service_hour(rng, office_service, day, at, share, peak)
            rows.append(row)
            counter = counters[(at + office_service.pk) % len(counters)]
            counter_times.setdefault((counter, office_service), []).extend(times)
    ServiceHour.objects.bulk_create(rows)
    CounterDay.objects.bulk_create(
        CounterDay(
            office=office,
            counter=counter,
            office_service=office_service,
            local_date=day,
            served=len(times),
            service_times=histogram_of(times),
        )
        for (counter, office_service), times in counter_times.items()
    )
    ComplaintDay.objects.bulk_create(
        ComplaintDay(
            office=office,
            local_date=day,
            category=category,
            received=received,
            answered=received,
            answered_in_time=sum(rng.random() < 0.85 for _ in range(received)),
        )
        for category in _COMPLAINTS
        if (received := rng.randint(0, 2) if rng.random() < 0.4 else 0)
    )
    AssistantDay.objects.bulk_create(
        AssistantDay(
            office=office,
            local_date=day,
            channel=channel,
            intent=intent,
            messages=(messages := rng.randint(1, 12)),
            unsure=sum(rng.random() < 0.1 for _ in range(messages)),
        )
        for channel in _CHANNELS
        for intent in _INTENTS
        if rng.random() < 0.5
    )
    FactsDay.objects.create(office=office, local_date=day, built_at=built_at)


def demo_history_load(*, offices: list[Office], now: datetime) -> int:
    """Made-up facts for each office's last DEMO_HISTORY_DAYS ended days that have none;
    returns how many office days were made."""
    made = 0
    for office in offices:
        yesterday = office.local_date(now) - timedelta(days=1)
        days = [yesterday - timedelta(days=n) for n in range(DEMO_HISTORY_DAYS)]
        built = set(
            FactsDay.objects.filter(office=office, local_date__in=days).values_list(
                "local_date", flat=True
            )
        )
        for day in days:
            if day not in built:
                with transaction.atomic():
                    _office_day(office, day, now)
                made += 1
    return made
