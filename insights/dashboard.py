"""The supervisors' and the national dashboard, read from the facts (docs/insights.md,
"Dashboards"). One `Scope` (offices, days, optionally one service) gives one `Dashboard`:
every table the page shows, each chart drawn from one of them.

Staff see every figure with the number of people it rests on: the public page's rule of
hiding small numbers is for the public. Complaints keep pungli reports apart, for the page
to show only to those who read them (offices.permissions.integrity_offices_for)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar, cast

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
    pungli: bool  # reports of pungli: shown only to those who read them
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
    "needed": Sum("counters_needed"),
    "active": Sum("counters_active"),
    "forecast": Sum("walk_ins_forecast"),
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


def _per_office_service(rows: QuerySet[ServiceHour]) -> dict[int, ServiceRow]:
    """A ServiceRow per office-service: the one pass over the rows' counts and histograms
    that the total, the services and the offices are all merged from."""
    groups: dict[int, ServiceRow] = defaultdict(ServiceRow)
    for (key,), counts in _counted(rows, ["office_service_id"]).items():
        _fill(groups[key], counts)
    for field_name in ("waits", "service_times", "ratings"):
        for (key,), histogram in histograms_by(rows, field_name, ["office_service_id"]).items():
            getattr(groups[key], field_name).update(histogram)
    return groups


Row = TypeVar("Row", bound="ServiceRow")
_ADDED = ("arrivals", "within_target", "served", "abandoned", "called_no_shows", "booked", "missed")


def _merged(row: Row, parts: list[ServiceRow], ikm_rows: list[ServiceHour]) -> Row:
    """`row` with the figures of `parts` added in, and the IKM of `ikm_rows`."""
    for part in parts:
        for attribute in _ADDED:
            setattr(row, attribute, getattr(row, attribute) + getattr(part, attribute))
        row.waits.update(part.waits)
        row.service_times.update(part.service_times)
        row.ratings.update(part.ratings)
    row.ikm = ikm_of(ikm_rows)
    return row


def _grouped(
    per_office_service: dict[int, ServiceRow], ikm_rows: list[ServiceHour], key_of: dict[int, int]
) -> dict[int, tuple[list[ServiceRow], list[ServiceHour]]]:
    """The office-services' rows and IKM rows gathered under `key_of[office_service]`."""
    groups: dict[int, tuple[list[ServiceRow], list[ServiceHour]]] = defaultdict(lambda: ([], []))
    for office_service_id, row in per_office_service.items():
        groups[key_of[office_service_id]][0].append(row)
    for ikm_row in ikm_rows:
        groups[key_of[ikm_row.office_service_id]][1].append(ikm_row)
    return groups


def _services(
    per_office_service: dict[int, ServiceRow],
    ikm_rows: list[ServiceHour],
    service_of: dict[int, int],
) -> list[ServiceRow]:
    names = dict(
        Service.objects.filter(pk__in=set(service_of.values())).values_list("pk", "name_id")
    )
    return sorted(
        (
            _merged(ServiceRow(name=names.get(key, "")), parts, ikm)
            for key, (parts, ikm) in _grouped(per_office_service, ikm_rows, service_of).items()
        ),
        key=lambda row: row.name,
    )


def _offices(
    per_office_service: dict[int, ServiceRow],
    ikm_rows: list[ServiceHour],
    office_of: dict[int, int],
) -> list[OfficeRow]:
    offices = Office.objects.filter(pk__in=set(office_of.values())).values_list(
        "pk", "name", "code"
    )
    names = {pk: (name, code) for pk, name, code in offices}
    rows = [
        _merged(OfficeRow(name=names[key][0], code=names[key][1]), parts, ikm)
        for key, (parts, ikm) in _grouped(per_office_service, ikm_rows, office_of).items()
    ]
    # The office whose promise was kept least often first: where to look.
    return sorted(
        (row for row in rows if row.arrivals or row.booked),
        key=lambda row: (
            row.within_target_share if row.within_target_share is not None else 2,
            row.name,
        ),
    )


def _hours_and_days(
    scope: Scope, rows: QuerySet[ServiceHour]
) -> tuple[list[HourRow], list[DayRow], dict[tuple[int, int], HeatCell], list[int]]:
    """The date-hour totals (summed over services and offices), then the hour, day and
    weekday-hour views of them."""
    totals = (
        rows.order_by()
        .values("local_date", "hour")
        .annotate(
            # Before the sums, which take the fields' names.
            offices=Count("office_id", distinct=True),
            planned_offices=Count(
                "office_id", distinct=True, filter=Q(counters_planned__isnull=False)
            ),
            forecast_offices=Count(
                "office_id", distinct=True, filter=Q(walk_ins_forecast__isnull=False)
            ),
            forecast_booked=Sum("appointments_booked", filter=Q(walk_ins_forecast__isnull=False)),
            **_SUMS,
        )
    )
    counted = cast(list[dict[str, Any]], list(totals))
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
    for counts in counted:
        day, hour = counts["local_date"], counts["hour"]
        arrivals = (counts["walk_ins"] or 0) + (counts["appointment_arrivals"] or 0)
        within = counts["called_within_target"] or 0
        at = hours.setdefault(hour, HourRow(hour=hour, planned=None, needed=None))
        at.arrivals += arrivals
        at.within_target += within
        at.days += counts["offices"]
        at.active += counts["active"] or 0
        if counts["planned_offices"]:
            at.planned_days += counts["planned_offices"]
            at.planned = (at.planned or 0) + counts["planned"]
            at.needed = (at.needed or 0) + (counts["needed"] or 0)
        on = days.setdefault(day, DayRow(day=day))
        on.arrivals += arrivals
        on.within_target += within
        on.served += counts["served"] or 0
        slot = (day.weekday(), hour)
        heat_arrivals[slot] += arrivals
        if counts["forecast_offices"]:
            heat_forecast[slot] += counts["forecast"] + (counts["forecast_booked"] or 0)
            heat_planned_days[slot] += counts["forecast_offices"]
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


def _complaints(scope: Scope) -> list[ComplaintRow]:
    rows = ComplaintDay.objects.filter(
        scope.office_filter(), local_date__range=(scope.first, scope.last)
    )
    totals = (
        rows.order_by()
        .values("category", "pungli")
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
                total["pungli"],
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
        rows.filter(ikm_respondents__gt=0).only("office_service_id", "ikm", "ikm_respondents")
    )
    per_office_service = _per_office_service(rows)
    owners = OfficeService.objects.filter(pk__in=list(per_office_service)).values_list(
        "pk", "office_id", "service_id"
    )
    office_of = {pk: office for pk, office, _service in owners}
    service_of = {pk: service for pk, _office, service in owners}
    by_hour, by_day, heatmap, heat_hours = _hours_and_days(scope, rows)
    questions, channels = _assistant(scope)
    days = FactsDay.objects.filter(
        scope.office_filter(), local_date__range=(scope.first, scope.last)
    )
    return Dashboard(
        scope=scope,
        days_with_facts=days.values("local_date").distinct().count(),
        total=_merged(ServiceRow(), list(per_office_service.values()), ikm_rows),
        by_hour=by_hour,
        by_day=by_day,
        heatmap=heatmap,
        heat_hours=heat_hours,
        services=_services(per_office_service, ikm_rows, service_of),
        counters=_counters(scope),
        offices=[] if scope.office else _offices(per_office_service, ikm_rows, office_of),
        complaints=_complaints(scope),
        questions=questions,
        channels=channels,
    )
