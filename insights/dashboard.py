"""The supervisors' and the national dashboard, read from the facts (docs/insights.md,
"Dashboards"). One `Scope` (offices, days, optionally one service) gives one `Dashboard`:
every table the page shows, each chart drawn from one of them.

Staff see every figure with the number of people it rests on: the public page's rule of
hiding small numbers is for the public. Pungli reports are counted only for someone who
reads them (offices.permissions.integrity_offices_for)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from assistant.models import Channel
from complaints.models import ComplaintCategory
from insights.aggregate import histograms_by
from insights.histogram import percentile
from insights.models import AssistantDay, ComplaintDay, CounterDay, FactsDay, ServiceHour
from insights.selectors import ikm_of
from offices.models import Counter as OfficeCounter
from offices.models import Office, OfficeService, Service
from queueing.ikm import Index


@dataclass(frozen=True)
class Scope:
    """What a dashboard covers: one office (`office`) or every office (None), the office
    days from `first` to `last`, and all services or one."""

    first: date
    last: date
    office: Office | None = None
    service: Service | None = None
    pungli: bool = False  # whether the reader may see pungli reports

    def rows(self) -> QuerySet[ServiceHour]:
        rows = ServiceHour.objects.filter(local_date__range=(self.first, self.last))
        if self.office is not None:
            rows = rows.filter(office=self.office)
        if self.service is not None:
            rows = rows.filter(office_service__service=self.service)
        return rows

    def office_filter(self) -> Q:
        return Q(office=self.office) if self.office is not None else Q()


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class Waits:
    """Arrivals and their waits over some hours: the figures every table repeats."""

    arrivals: int = 0
    within_target: int = 0
    waits: Counter[int] = field(default_factory=Counter)

    @property
    def called(self) -> int:
        return sum(self.waits.values())

    @property
    def p50(self) -> int | None:
        return percentile(self.waits, 50)

    @property
    def p90(self) -> int | None:
        return percentile(self.waits, 90)

    @property
    def within_target_share(self) -> float | None:
        return share(self.within_target, self.arrivals)


@dataclass
class HourRow(Waits):
    hour: int = 0
    days: int = 0  # office days (nationally: office-days) that had this hour
    planned_days: int = 0  # of them, those a plan covered
    planned: float | None = None  # counters, mean per planned day
    needed: float | None = None
    active: float = 0.0  # counters that worked, mean per day


@dataclass
class DayRow(Waits):
    day: date = date.min
    served: int = 0


@dataclass(frozen=True)
class HeatCell:
    arrivals: float | None  # mean per day of this weekday with facts
    forecast: float | None  # walk-ins forecast + appointments booked, mean per planned day


@dataclass
class ServiceRow(Waits):
    name: str = ""
    served: int = 0
    abandoned: int = 0
    called_no_shows: int = 0
    booked: int = 0
    missed: int = 0
    service_times: Counter[int] = field(default_factory=Counter)
    ratings: Counter[int] = field(default_factory=Counter)
    ikm: Index | None = None

    @property
    def service_p50(self) -> int | None:
        return percentile(self.service_times, 50)

    @property
    def service_p90(self) -> int | None:
        return percentile(self.service_times, 90)

    @property
    def abandoned_share(self) -> float | None:
        return share(self.abandoned, self.arrivals)

    @property
    def called_no_show_share(self) -> float | None:
        return share(self.called_no_shows, self.arrivals)

    @property
    def missed_share(self) -> float | None:
        return share(self.missed, self.booked)

    @property
    def rated(self) -> int:
        return sum(self.ratings.values())

    @property
    def satisfaction(self) -> float | None:
        rated = self.rated
        return sum(s * n for s, n in self.ratings.items()) / rated if rated else None


@dataclass(frozen=True)
class CounterRow:
    name: str
    served: int
    p50: int | None
    p90: int | None


@dataclass
class OfficeRow(ServiceRow):
    code: str = ""


@dataclass(frozen=True)
class ComplaintRow:
    category: str
    label: str
    received: int
    answered: int
    answered_in_time: int

    @property
    def in_time_share(self) -> float | None:
        return share(self.answered_in_time, self.answered)


@dataclass(frozen=True)
class QuestionRow:
    intent: str
    messages: int
    unsure: int


@dataclass
class Dashboard:
    scope: Scope
    days_with_facts: int
    total: ServiceRow
    by_hour: list[HourRow]
    by_day: list[DayRow]
    heatmap: dict[tuple[int, int], HeatCell]  # (weekday, hour)
    heat_hours: list[int]
    services: list[ServiceRow]
    counters: list[CounterRow]
    offices: list[OfficeRow]
    complaints: list[ComplaintRow]
    questions: list[QuestionRow]
    channels: list[tuple[str, int]]


_COUNTS = (
    "walk_ins",
    "appointment_arrivals",
    "served",
    "abandoned",
    "called_no_shows",
    "called_within_target",
    "appointments_booked",
    "appointment_no_shows",
)


_SUMS = {
    **{name: Sum(name) for name in _COUNTS},
    "planned": Sum("counters_planned"),
    "planned_rows": Count("counters_planned"),
    "needed": Sum("counters_needed"),
    "active": Sum("counters_active"),
    "forecast": Sum("walk_ins_forecast"),
    "forecast_rows": Count("walk_ins_forecast"),
}


def _counted(rows: QuerySet[ServiceHour], by: list[str]) -> dict[tuple[Any, ...], dict[str, Any]]:
    """The sums of each group of rows (`by` empty: one group of them all)."""
    if not by:
        return {(): rows.order_by().aggregate(**_SUMS)}
    totals = rows.order_by().values(*by).annotate(**_SUMS)
    return {tuple(total[name] for name in by): total for total in totals}


def _fill(row: ServiceRow, counts: Mapping[str, Any]) -> None:
    row.arrivals += (counts["walk_ins"] or 0) + (counts["appointment_arrivals"] or 0)
    row.within_target += counts["called_within_target"] or 0
    row.served += counts["served"] or 0
    row.abandoned += counts["abandoned"] or 0
    row.called_no_shows += counts["called_no_shows"] or 0
    row.booked += counts["appointments_booked"] or 0
    row.missed += counts["appointment_no_shows"] or 0


def _by_group(
    rows: QuerySet[ServiceHour], column: str, names: Mapping[Any, str], ikm_rows: list[ServiceHour]
) -> dict[Any, ServiceRow]:
    """A ServiceRow per value of `column` (a service, an office)."""
    groups: dict[Any, ServiceRow] = {key: ServiceRow(name=name) for key, name in names.items()}
    for (key,), counts in _counted(rows, [column]).items():
        _fill(groups.setdefault(key, ServiceRow(name=str(key))), counts)
    for field_name in ("waits", "service_times", "ratings"):
        for (key,), histogram in histograms_by(rows, field_name, [column]).items():
            group = groups.setdefault(key, ServiceRow(name=str(key)))
            getattr(group, field_name).update(histogram)
    by_key: dict[Any, list[ServiceHour]] = defaultdict(list)
    for row in ikm_rows:
        by_key[getattr(row, column)].append(row)
    for key, members in by_key.items():
        groups.setdefault(key, ServiceRow(name=str(key))).ikm = ikm_of(members)
    return groups


def _services(rows: QuerySet[ServiceHour], ikm_rows: list[ServiceHour]) -> list[ServiceRow]:
    offered = OfficeService.objects.filter(pk__in=rows.values("office_service_id")).values_list(
        "pk", "service_id"
    )
    service_of = dict(offered)
    names = dict(
        Service.objects.filter(pk__in=set(service_of.values())).values_list("pk", "name_id")
    )
    by_office_service = _by_group(rows, "office_service_id", {}, ikm_rows)
    merged: dict[int, list[ServiceRow]] = defaultdict(list)
    for key, row in by_office_service.items():
        merged[service_of[key]].append(row)
    services = [
        _merged(names.get(service_id, ""), parts, ikm_rows, service_of, service_id)
        for service_id, parts in merged.items()
    ]
    return sorted(services, key=lambda row: row.name)


def _merged(
    name: str,
    parts: list[ServiceRow],
    ikm_rows: list[ServiceHour],
    service_of: dict[int, int],
    service_id: int,
) -> ServiceRow:
    total = ServiceRow(name=name)
    for part in parts:
        for attribute in (
            "arrivals",
            "within_target",
            "served",
            "abandoned",
            "called_no_shows",
            "booked",
            "missed",
        ):
            setattr(total, attribute, getattr(total, attribute) + getattr(part, attribute))
        total.waits.update(part.waits)
        total.service_times.update(part.service_times)
        total.ratings.update(part.ratings)
    total.ikm = ikm_of(
        row for row in ikm_rows if service_of.get(row.office_service_id) == service_id
    )
    return total


def _total(rows: QuerySet[ServiceHour], ikm_rows: list[ServiceHour]) -> ServiceRow:
    total = ServiceRow()
    for counts in _counted(rows, []).values():
        _fill(total, counts)
    for field_name in ("waits", "service_times", "ratings"):
        for histogram in histograms_by(rows, field_name, []).values():
            getattr(total, field_name).update(histogram)
    total.ikm = ikm_of(ikm_rows)
    return total


def _hours_and_days(
    scope: Scope, rows: QuerySet[ServiceHour]
) -> tuple[list[HourRow], list[DayRow], dict[tuple[int, int], HeatCell], list[int]]:
    """The date-hour totals (summed over services and offices), then the hour, day and
    weekday-hour views of them."""
    counted = _counted(rows, ["office_id", "local_date", "hour"])
    waits = histograms_by(rows, "waits", ["local_date", "hour"])
    facts_days = FactsDay.objects.filter(
        scope.office_filter(), local_date__range=(scope.first, scope.last)
    )
    office_days_per_weekday: Counter[int] = Counter(
        day.weekday() for day in facts_days.values_list("local_date", flat=True)
    )

    hours: dict[int, HourRow] = {}
    days: dict[date, DayRow] = {}
    heat_arrivals: Counter[tuple[int, int]] = Counter()
    heat_forecast: Counter[tuple[int, int]] = Counter()
    heat_planned_days: Counter[tuple[int, int]] = Counter()
    for (_office_id, day, hour), counts in counted.items():
        arrivals = (counts["walk_ins"] or 0) + (counts["appointment_arrivals"] or 0)
        within = counts["called_within_target"] or 0
        at = hours.setdefault(hour, HourRow(hour=hour, planned=None, needed=None))
        at.arrivals += arrivals
        at.within_target += within
        at.days += 1
        at.active += counts["active"] or 0
        if counts["planned_rows"]:
            at.planned_days += 1
            at.planned = (at.planned or 0) + counts["planned"]
            at.needed = (at.needed or 0) + (counts["needed"] or 0)
        on = days.setdefault(day, DayRow(day=day))
        on.arrivals += arrivals
        on.within_target += within
        on.served += counts["served"] or 0
        slot = (day.weekday(), hour)
        heat_arrivals[slot] += arrivals
        if counts["forecast_rows"]:
            heat_forecast[slot] += counts["forecast"] + (counts["appointments_booked"] or 0)
            heat_planned_days[slot] += 1
    for (day, hour), histogram in waits.items():
        hours[hour].waits.update(histogram)
        days[day].waits.update(histogram)
    for row in hours.values():  # sums over the days become means per day
        row.active = row.active / row.days
        if row.planned is not None:
            row.planned, row.needed = (
                row.planned / row.planned_days,
                (row.needed or 0) / row.planned_days,
            )
    heatmap = {
        slot: HeatCell(
            arrivals=heat_arrivals[slot] / office_days_per_weekday[slot[0]]
            if office_days_per_weekday[slot[0]]
            else None,
            forecast=heat_forecast[slot] / heat_planned_days[slot]
            if heat_planned_days[slot]
            else None,
        )
        for slot in set(heat_arrivals) | set(heat_forecast)
    }
    heat_hours = sorted({hour for _weekday, hour in heatmap})
    return (
        sorted(hours.values(), key=lambda r: r.hour),
        sorted(days.values(), key=lambda r: r.day),
        heatmap,
        heat_hours,
    )


def _counters(scope: Scope) -> list[CounterRow]:
    if scope.office is None:
        return []
    rows = CounterDay.objects.filter(
        office=scope.office, local_date__range=(scope.first, scope.last)
    )
    if scope.service is not None:
        rows = rows.filter(office_service__service=scope.service)
    served = dict(
        rows.order_by()
        .values("counter_id")
        .annotate(n=Sum("served"))
        .values_list("counter_id", "n")
    )
    times = histograms_by(rows, "service_times", ["counter_id"])
    names = {c.pk: str(c) for c in OfficeCounter.objects.filter(pk__in=served)}
    return sorted(
        (
            CounterRow(
                names.get(pk, str(pk)),
                n or 0,
                percentile(times[(pk,)], 50),
                percentile(times[(pk,)], 90),
            )
            for pk, n in served.items()
        ),
        key=lambda row: row.name,
    )


def _offices(
    scope: Scope, rows: QuerySet[ServiceHour], ikm_rows: list[ServiceHour]
) -> list[OfficeRow]:
    if scope.office is not None:
        return []
    names = dict(Office.objects.values_list("pk", "name"))
    codes = dict(Office.objects.values_list("pk", "code"))
    groups = _by_group(rows, "office_id", names, ikm_rows)
    offices = []
    for key, group in groups.items():
        if not group.arrivals and not group.booked:
            continue
        row = OfficeRow(
            **{f.name: getattr(group, f.name) for f in group.__dataclass_fields__.values()}
        )
        row.code = codes.get(key, "")
        offices.append(row)
    # The office whose promise was kept least often first: where to look.
    return sorted(
        offices,
        key=lambda row: (
            row.within_target_share if row.within_target_share is not None else 2,
            row.name,
        ),
    )


def _complaints(scope: Scope) -> list[ComplaintRow]:
    rows = ComplaintDay.objects.filter(
        scope.office_filter(), local_date__range=(scope.first, scope.last)
    )
    if not scope.pungli:
        rows = rows.filter(pungli=False)
    totals = (
        rows.order_by()
        .values("category")
        .annotate(
            received=Sum("received"), answered=Sum("answered"), in_time=Sum("answered_in_time")
        )
    )
    labels = dict(ComplaintCategory.choices)
    return sorted(
        (
            ComplaintRow(
                total["category"],
                str(labels.get(total["category"], total["category"])),
                total["received"] or 0,
                total["answered"] or 0,
                total["in_time"] or 0,
            )
            for total in totals
        ),
        key=lambda row: (-row.received, row.category),
    )


def _assistant(scope: Scope) -> tuple[list[QuestionRow], list[tuple[str, int]]]:
    rows = AssistantDay.objects.filter(
        scope.office_filter(), local_date__range=(scope.first, scope.last)
    )
    intents = (
        rows.order_by().values("intent").annotate(messages=Sum("messages"), unsure=Sum("unsure"))
    )
    questions = sorted(
        (QuestionRow(row["intent"], row["messages"] or 0, row["unsure"] or 0) for row in intents),
        key=lambda row: (-row.messages, row.intent),
    )
    labels = dict(Channel.choices)
    channels = rows.order_by().values("channel").annotate(messages=Sum("messages"))
    return questions, sorted(
        (
            (str(labels.get(row["channel"], row["channel"])), row["messages"] or 0)
            for row in channels
        ),
        key=lambda pair: -pair[1],
    )


def dashboard_of(scope: Scope) -> Dashboard:
    rows = scope.rows()
    # IKM answers are few (an hour row has them only if someone answered): read those.
    ikm_rows = list(
        rows.filter(ikm_respondents__gt=0).only(
            "office_id", "office_service_id", "ikm", "ikm_respondents"
        )
    )
    by_hour, by_day, heatmap, heat_hours = _hours_and_days(scope, rows)
    questions, channels = _assistant(scope)
    return Dashboard(
        scope=scope,
        days_with_facts=FactsDay.objects.filter(
            scope.office_filter(), local_date__range=(scope.first, scope.last)
        )
        .values("local_date")
        .distinct()
        .count(),
        total=_total(rows, ikm_rows),
        by_hour=by_hour,
        by_day=by_day,
        heatmap=heatmap,
        heat_hours=heat_hours,
        services=_services(rows, ikm_rows),
        counters=_counters(scope),
        offices=_offices(scope, rows, ikm_rows),
        complaints=_complaints(scope),
        questions=questions,
        channels=channels,
    )
