"""Reads of the catalog: finding offices and services, and when an office is closed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from offices.holidays import national_holidays_between
from offices.models import Closure, Office, OfficeService, OpeningHours, Service


def active_offices() -> QuerySet[Office]:
    return Office.objects.filter(is_active=True)


def active_services() -> QuerySet[Service]:
    return Service.objects.filter(is_active=True)


def _offered_services() -> Prefetch[Any, Any, Any]:
    return Prefetch(
        "office_services",
        queryset=OfficeService.objects.filter(is_active=True, service__is_active=True)
        .select_related("service")
        .order_by("ticket_letter"),
        to_attr="offered",
    )


def office_search(
    *, query: str = "", service_code: str = "", province: str = "", timezone: str = ""
) -> QuerySet[Office]:
    """Offices matching a free-text query on name, code, region or address, optionally
    only those offering a service. Each result carries `.offered` (its services)."""
    offices = active_offices()
    for word in query.split():
        offices = offices.filter(
            Q(name__icontains=word)
            | Q(code__icontains=word)
            | Q(regency__icontains=word)
            | Q(province__icontains=word)
            | Q(address__icontains=word)
        )
    if service_code:
        # A subquery rather than a join: no duplicate rows, so no DISTINCT to sort.
        offices = offices.filter(
            pk__in=OfficeService.objects.filter(
                service__code=service_code, is_active=True, service__is_active=True
            ).values("office_id")
        )
    if province:
        offices = offices.filter(province__iexact=province)
    if timezone:
        offices = offices.filter(timezone=timezone)
    return offices.prefetch_related(_offered_services()).order_by("province", "name")


def office_with_details(code: str) -> Office:
    """One active office with its services, counters and weekly hours, or Office.DoesNotExist."""
    return (
        active_offices()
        .prefetch_related(
            _offered_services(),
            Prefetch("opening_hours", queryset=OpeningHours.objects.order_by("weekday")),
        )
        .get(code=code)
    )


def service_search(
    *, query: str = "", office_code: str = "", accepts: str = ""
) -> QuerySet[Service]:
    services = active_services()
    for word in query.split():
        services = services.filter(
            Q(name_id__icontains=word)
            | Q(name_en__icontains=word)
            | Q(code__icontains=word)
            | Q(description_id__icontains=word)
            | Q(description_en__icontains=word)
        )
    if office_code:
        services = services.filter(
            office_services__office__code=office_code,
            office_services__is_active=True,
            office_services__office__is_active=True,
        )
    if accepts == "appointment":
        services = services.filter(accepts_appointments=True)
    elif accepts == "walk_in":
        services = services.filter(accepts_walk_ins=True)
    return services.distinct().order_by("name_id")


def provinces() -> list[str]:
    return list(active_offices().order_by("province").values_list("province", flat=True).distinct())


@dataclass(frozen=True)
class ClosedDay:
    day: date
    reason: str
    is_national: bool


def closed_days(office: Office, first: date, last: date) -> list[ClosedDay]:
    """Every day in [first, last] the office is closed for a holiday, cuti bersama or an
    office closure (weekdays without opening hours are not listed: they are the norm)."""
    days = {
        day: ClosedDay(day, name, True)
        for day, name in national_holidays_between(first, last).items()
    }
    closures = Closure.objects.filter(office=office, starts_on__lte=last, ends_on__gte=first)
    for closure in closures:
        day = max(closure.starts_on, first)
        while day <= min(closure.ends_on, last):
            days.setdefault(day, ClosedDay(day, closure.reason, False))
            day += timedelta(days=1)
    return [days[day] for day in sorted(days)]


def upcoming_closed_days(office: Office, *, days: int = 60) -> list[ClosedDay]:
    today = office.local_date()
    return closed_days(office, today, today + timedelta(days=days))


# How far ahead office_opening looks for the next opening (a long closure, a weekly
# schedule with no open day): beyond it the office is "closed" with no time to show.
OPENING_HORIZON_DAYS = 60


@dataclass(frozen=True)
class OfficeOpening:
    """Whether an office is open at a moment, by its own clock. While closed,
    `next_opens_at` is the next opening (aware, None when none within the horizon); while
    open and on its break, `break_ends_at` is when the counters resume."""

    is_open: bool
    next_opens_at: datetime | None = None
    break_ends_at: datetime | None = None


def _at(day: date, clock: time, office: Office) -> datetime:
    return datetime.combine(day, clock, tzinfo=office.zone)


def office_opening(office: Office, now: datetime) -> OfficeOpening:
    """Is the office open at `now` on its own wall clock: a weekday with opening hours,
    not a national holiday, cuti bersama or office closure, between opening and closing
    (the break counts as open: see docs/queue-policy.md, "Walk-in numbers and the
    office's hours"). If not, the next opening within OPENING_HORIZON_DAYS."""
    today = office.local_date(now)
    hours = {h.weekday: h for h in office.opening_hours.all()}
    last = today + timedelta(days=OPENING_HORIZON_DAYS)
    closed = {c.day for c in closed_days(office, today, last)} if hours else set()
    day = today
    while day <= last:
        day_hours = hours.get(day.weekday())
        if day_hours is not None and day not in closed:
            opens = _at(day, day_hours.opens_at, office)
            closes = _at(day, day_hours.closes_at, office)
            if now < opens:
                return OfficeOpening(False, next_opens_at=opens)
            if now < closes:
                return OfficeOpening(True, break_ends_at=_break_end(day, day_hours, now, office))
        day += timedelta(days=1)
    return OfficeOpening(False)


def _break_end(day: date, hours: OpeningHours, now: datetime, office: Office) -> datetime | None:
    if hours.break_starts_at is None or hours.break_ends_at is None:
        return None
    ends = _at(day, hours.break_ends_at, office)
    return ends if _at(day, hours.break_starts_at, office) <= now < ends else None
