"""What a citizen may book, and how much is left: the one place booking reads capacity.

Capacity lives on Slot rows written by scheduling/ (the default plan today, the
optimiser later). Free places = capacity − taken + holds that have expired but are still
counted (they come back at the next claim), so the figures shown are honest at once."""

from __future__ import annotations

import math
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, F, Min, Q, Sum
from django.utils.translation import gettext as _

from booking.models import Booking, Slot, WaitlistEntry, WaitlistStatus
from offices.models import Office, OfficeService
from offices.selectors import closed_days


@dataclass(frozen=True)
class BookingWindow:
    first_day: date  # earliest bookable day
    last_day: date  # latest day open for booking now
    next_day_opens_at: datetime  # when last_day + 1 opens (aware, office zone)


def booking_window(office_service: OfficeService, now: datetime) -> BookingWindow:
    """Days a citizen may book now. Day D opens at release_time on D − window days
    (a passport office releasing its quota at 08:00, say)."""
    zone = office_service.office.zone
    local = now.astimezone(zone)
    today = local.date()
    release_today = datetime.combine(today, office_service.release_time, tzinfo=zone)
    reach = office_service.booking_window_days - (0 if local >= release_today else 1)
    last_day = today + timedelta(days=reach)
    opens_next = datetime.combine(
        last_day + timedelta(days=1) - timedelta(days=office_service.booking_window_days),
        office_service.release_time,
        tzinfo=zone,
    )
    return BookingWindow(
        first_day=today + timedelta(days=office_service.booking_opens_days_ahead),
        last_day=last_day,
        next_day_opens_at=opens_next,
    )


def calendar_range(office_service: OfficeService, now: datetime) -> tuple[date, date]:
    """The days a calendar may show (and the API may be asked about): from the first of
    this month to the end of the month after the last bookable day, so it can still say
    when the next days open. Dates typed outside it are refused before any arithmetic."""
    window = booking_window(office_service, now)
    today = office_service.office.local_date(now)
    first = min(today, window.first_day).replace(day=1)
    last_month = max(window.last_day, window.first_day).replace(day=28) + timedelta(days=4)
    last = last_month.replace(day=monthrange(last_month.year, last_month.month)[1])
    return first, last


def day_opens_at(office_service: OfficeService, day: date) -> datetime:
    zone = office_service.office.zone
    return datetime.combine(
        day - timedelta(days=office_service.booking_window_days),
        office_service.release_time,
        tzinfo=zone,
    )


def _earliest_start(office_service: OfficeService, now: datetime) -> datetime:
    return now + timedelta(minutes=office_service.min_notice_minutes)


def slot_refusal(slot: Slot, now: datetime) -> tuple[str, str] | None:
    """Why this slot cannot be booked now, as (code, translated message), or None."""
    office_service = slot.office_service
    office = office_service.office
    if not (office.is_active and office_service.is_active and office_service.service.is_active):
        return "not_offered", _("This office does not offer this service at the moment.")
    if not office_service.service.accepts_appointments:
        return "walk_in_only", _("This service takes walk-ins only; no appointment is needed.")
    window = booking_window(office_service, now)
    if slot.local_date < window.first_day or slot.starts_at < _earliest_start(office_service, now):
        return "too_soon", _("This time is too soon to book. Choose a later time.")
    if slot.local_date > window.last_day:
        return "not_open_yet", _("This day is not open for booking yet.")
    closed = closed_days(office, slot.local_date, slot.local_date)
    if closed:
        return "closed", _("The office is closed on this day: %(reason)s.") % {
            "reason": closed[0].reason
        }
    if _waitlisted_days(office_service, slot.local_date, slot.local_date):
        return "waitlist_first", _(
            "Places freed on this day go to its waiting list first. Join the waiting list instead."
        )
    return None


def _waitlisted_days(office_service: OfficeService, first: date, last: date) -> set[date]:
    """Days whose freed places belong to citizens waiting in line for them."""
    return set(
        WaitlistEntry.objects.filter(
            office_service=office_service,
            local_date__range=(first, last),
            status=WaitlistStatus.WAITING,
        ).values_list("local_date", flat=True)
    )


@dataclass(frozen=True)
class DayAvailability:
    day: date
    status: str  # available | full | closed | not_open_yet | unavailable
    free: int
    reason: str = ""
    opens_at: datetime | None = None


def _expired_but_counted(where: Q, now: datetime, group: str) -> dict[object, int]:
    rows = (
        Booking.objects.filter(where, occupies_slot=True, releases_at__lte=now)
        .values(group)
        .annotate(n=Count("pk"))
    )
    return {row[group]: row["n"] for row in rows}


def month_availability(
    office_service: OfficeService, year: int, month: int, now: datetime
) -> list[DayAvailability]:
    first = date(year, month, 1)
    last = date(year, month, monthrange(year, month)[1])
    return days_availability(office_service, first, last, now)


def days_availability(
    office_service: OfficeService, first: date, last: date, now: datetime
) -> list[DayAvailability]:
    """Each day in [first, last]: available (N left), full, closed (why), not yet open
    (from when) or unavailable (past, too soon, beyond the window)."""
    office = office_service.office
    window = booking_window(office_service, now)
    earliest = _earliest_start(office_service, now)
    bookable = Q(
        office_service=office_service, local_date__range=(first, last), starts_at__gte=earliest
    )
    totals = {
        row["local_date"]: row["free"]
        for row in Slot.objects.filter(bookable)
        .values("local_date")
        .annotate(free=Sum(F("capacity") - F("taken")))
    }
    returning = _expired_but_counted(
        Q(
            slot__office_service=office_service,
            slot__local_date__range=(first, last),
            slot__starts_at__gte=earliest,
        ),
        now,
        "slot__local_date",
    )
    closed = {c.day: c.reason for c in closed_days(office, first, last)}
    open_weekdays = set(office.opening_hours.values_list("weekday", flat=True))
    for day in _waitlisted_days(office_service, first, last):
        totals[day], returning[day] = 0, 0  # its free places are offered in line
    days = []
    day = first
    while day <= last:
        days.append(
            _day_status(office_service, day, window, totals, returning, closed, open_weekdays)
        )
        day += timedelta(days=1)
    return days


def _day_status(
    office_service: OfficeService,
    day: date,
    window: BookingWindow,
    totals: dict[date, int],
    returning: dict[object, int],
    closed: dict[date, str],
    open_weekdays: set[int],
) -> DayAvailability:
    if day in closed:
        return DayAvailability(day, "closed", 0, closed[day])
    if day.weekday() not in open_weekdays:
        return DayAvailability(day, "closed", 0)  # a day it never opens needs no reason
    if day < window.first_day:
        return DayAvailability(day, "unavailable", 0, _("too soon to book"))
    if day > window.last_day:
        return DayAvailability(day, "not_open_yet", 0, opens_at=day_opens_at(office_service, day))
    free = totals.get(day, 0) + returning.get(day, 0)
    return DayAvailability(day, "available" if free > 0 else "full", free)


@dataclass(frozen=True)
class SlotAvailability:
    slot_id: int
    starts_at: datetime
    ends_at: datetime
    free: int


def day_slots(office_service: OfficeService, day: date, now: datetime) -> list[SlotAvailability]:
    """The times of one day with places left (none if the day is not bookable now)."""
    status = days_availability(office_service, day, day, now)[0]
    if status.status != "available":
        return []
    slots = Slot.objects.filter(
        office_service=office_service,
        local_date=day,
        starts_at__gte=_earliest_start(office_service, now),
    ).order_by("starts_at")
    returning = _expired_but_counted(Q(slot__in=slots), now, "slot_id")
    result = []
    for slot in slots:
        free = slot.capacity - slot.taken + returning.get(slot.pk, 0)
        if free > 0:
            result.append(SlotAvailability(slot.pk, slot.starts_at, slot.ends_at, free))
    return result


def next_free_day(office_service: OfficeService, after: date, now: datetime) -> date | None:
    window = booking_window(office_service, now)
    first = max(after + timedelta(days=1), window.first_day)
    if first > window.last_day:
        return None
    for day in days_availability(office_service, first, window.last_day, now):
        if day.status == "available":
            return day.day
    return None


@dataclass(frozen=True)
class NearbyOffice:
    office: Office
    distance_km: float
    first_free_day: date


def _distance_km(a: Office, b: Office) -> float:
    """Great-circle distance (haversine)."""
    lat1, lon1, lat2, lon2 = map(
        math.radians, map(float, (a.latitude, a.longitude, b.latitude, b.longitude))
    )
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 6371 * 2 * math.asin(math.sqrt(h))


def nearest_with_free_places(
    office_service: OfficeService, now: datetime, *, limit: int = 3
) -> list[NearbyOffice]:
    """Other offices offering the same service, nearest first, that have free places
    within their booking windows (checked in one query)."""
    origin = office_service.office
    others = list(
        OfficeService.objects.filter(
            service=office_service.service, is_active=True, office__is_active=True
        )
        .exclude(office=origin)
        .select_related("office")
    )
    others.sort(key=lambda os: _distance_km(origin, os.office))
    candidates = others[: limit * 4]
    today = now.date()
    free_from = dict(
        Slot.objects.filter(
            office_service__in=candidates,
            local_date__gte=today + timedelta(days=1),
            starts_at__gte=now,
            taken__lt=F("capacity"),
        )
        .values("office_service")
        .annotate(first=Min("local_date"))
        .values_list("office_service", "first")
    )
    nearby = []
    for os in candidates:
        first = free_from.get(os.pk)
        if first is not None and first <= booking_window(os, now).last_day:
            nearby.append(NearbyOffice(os.office, round(_distance_km(origin, os.office)), first))
        if len(nearby) == limit:
            break
    return nearby
