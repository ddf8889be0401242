"""An office's public performance, read from its facts (docs/insights.md, "The public
performance page"). A figure resting on fewer than PUBLIC_MIN_PEOPLE people is kept
out of every public answer (page, open data, API): with so few, a figure could point at
a person, and it says little anyway."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Sum

from core.versioned_cache import Answer, cached_answer
from insights.histogram import histograms_merged, percentile
from insights.models import ComplaintDay, FactsDay, ServiceHour
from offices.models import Office
from queueing.ikm import Index, index_of

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
    ikm: Figure
    ikm_band: str | None
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


def ikm_of(rows: Iterable[ServiceHour]) -> Index | None:
    """The IKM of the answers in `rows` (queueing/ikm.py): element sums added up first."""
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    respondents = 0
    for row in rows:
        respondents += row.ikm_respondents
        for key, (total, n) in row.ikm.items():
            sums[key][0] += total
            sums[key][1] += n
    return index_of({key: (total, n) for key, (total, n) in sums.items()}, respondents)


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
            "ikm",
            "ikm_respondents",
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
    ikm = ikm_of(rows)
    ikm_figure = _figure(ikm.value if ikm else None, ikm.respondents if ikm else 0)
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
        ikm=ikm_figure,
        ikm_band=ikm.band if ikm and ikm_figure.shown else None,
        complaints_received=_figure(received, received),
        complaints_answered_in_time=_share(complaints["in_time"] or 0, complaints["answered"] or 0),
        busiest=busiest,
        quietest=quietest,
    )


# Bumped by every build of any office's facts: the national dashboard's version.
NATIONAL_FACTS_VERSION = "insights:facts:all"


def facts_version(office_id: int) -> str:
    """The cache version a build of the office's facts bumps (core/versioned_cache.py)."""
    return f"insights:facts:{office_id}"


def office_performance_cached(*, office: Office, days: int, now: datetime) -> Performance:
    """`office_performance` up to today, computed once per night's facts: the public
    page and its open data are read far more often than the facts change."""
    today = office.local_date(now)
    midnight = datetime.combine(today + timedelta(days=1), time(0), tzinfo=office.zone)
    return cached_answer(
        key=f"insights:performance:{office.pk}:{days}:{today.isoformat()}",
        versions=[facts_version(office.pk)],
        now=now,
        compute=lambda: Answer(office_performance(office=office, days=days, today=today), midnight),
    )
