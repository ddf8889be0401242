"""An office's public performance, read from its facts (docs/insights.md, "The public
performance page"). A figure resting on fewer than PUBLIC_MIN_PEOPLE people is kept
out of every public answer (page, open data, API): with so few, a figure could point at
a person, and it says little anyway."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Sum

from insights.histogram import histograms_merged, percentile
from insights.models import ComplaintDay, FactsDay, ServiceHour
from offices.models import Office

PUBLIC_MIN_PEOPLE = 10
PERIODS = (30, 90)
HOURS_NAMED = 3


@dataclass(frozen=True)
class Figure:
    """One published figure: `value` is None when it rests on too few people (or none)."""

    value: float | None
    people: int

    @property
    def shown(self) -> bool:
        return self.value is not None


def _figure(value: float | None, people: int) -> Figure:
    if people < PUBLIC_MIN_PEOPLE or value is None:
        return Figure(value=None, people=people)
    return Figure(value=value, people=people)


def _share(part: int, whole: int) -> Figure:
    return _figure(round(part / whole, 3) if whole else None, whole)


@dataclass(frozen=True)
class HourAdvice:
    """A weekday (0 = Monday) and hour, with the median wait of those who joined then."""

    weekday: int
    hour: int
    median_wait: int
    people: int


@dataclass(frozen=True)
class Performance:
    office: Office
    first: date
    last: date
    days_built: int
    wait_median: Figure
    wait_p90: Figure
    called_within_target: Figure
    places_released: int
    places_booked: Figure
    no_show_rate: Figure
    satisfaction: Figure
    complaints_received: Figure
    complaints_answered_in_time: Figure
    busiest: list[HourAdvice]
    quietest: list[HourAdvice]


def _hour_advice(rows: list[ServiceHour]) -> tuple[list[HourAdvice], list[HourAdvice]]:
    by_slot: dict[tuple[int, int], list[dict[str, int]]] = defaultdict(list)
    for row in rows:
        by_slot[(row.local_date.weekday(), row.hour)].append(row.waits)
    advice = []
    for (weekday, hour), histograms in by_slot.items():
        waits = histograms_merged(histograms)
        people = sum(waits.values())
        median = percentile(waits, 50)
        if people >= PUBLIC_MIN_PEOPLE and median is not None:
            advice.append(HourAdvice(weekday, hour, median, people))
    # The two lists never name the same hour: with few hours, half go to each.
    shortest_first = sorted(advice, key=lambda a: (a.median_wait, -a.people, a.weekday, a.hour))
    longest = min(HOURS_NAMED, len(advice) // 2)
    shortest = min(HOURS_NAMED, len(advice) - longest)
    return shortest_first[::-1][:longest], shortest_first[:shortest]


def office_performance(*, office: Office, days: int, today: date) -> Performance:
    """The office's figures over the `days` ended days before `today` (office time)."""
    last = today - timedelta(days=1)
    first = last - timedelta(days=days - 1)
    rows = list(
        ServiceHour.objects.filter(office=office, local_date__range=(first, last)).only(
            "local_date",
            "hour",
            "waits",
            "walk_ins",
            "appointment_arrivals",
            "called_within_target",
            "appointment_places",
            "appointments_booked",
            "appointment_no_shows",
            "ratings",
        )
    )
    waits = histograms_merged(row.waits for row in rows)
    called = sum(waits.values())
    # Everyone who joined the queue was owed the promise, called or not.
    promised = sum(row.walk_ins + row.appointment_arrivals for row in rows)
    booked = sum(row.appointments_booked for row in rows)
    ratings: Counter[int] = histograms_merged(row.ratings for row in rows)
    rated = sum(ratings.values())
    # Pungli reports are left out: they are the integrity officers' to publish.
    complaints = ComplaintDay.objects.filter(
        office=office, local_date__range=(first, last), pungli=False
    ).aggregate(received=Sum("received"), answered=Sum("answered"), in_time=Sum("answered_in_time"))
    received = complaints["received"] or 0
    busiest, quietest = _hour_advice(rows)
    return Performance(
        office=office,
        first=first,
        last=last,
        days_built=FactsDay.objects.filter(office=office, local_date__range=(first, last)).count(),
        wait_median=_figure(percentile(waits, 50), called),
        wait_p90=_figure(percentile(waits, 90), called),
        called_within_target=_share(sum(row.called_within_target for row in rows), promised),
        places_released=sum(row.appointment_places for row in rows),
        places_booked=_figure(booked, booked),
        no_show_rate=_share(sum(row.appointment_no_shows for row in rows), booked),
        satisfaction=_figure(
            round(sum(score * n for score, n in ratings.items()) / rated, 2) if rated else None,
            rated,
        ),
        complaints_received=_figure(received, received),
        complaints_answered_in_time=_share(complaints["in_time"] or 0, complaints["answered"] or 0),
        busiest=busiest,
        quietest=quietest,
    )
