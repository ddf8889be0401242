"""Where there is room when what a citizen looks at has none: the next free day at this
office, and the nearest other offices offering the service, never farther than
GILIRAN_NEARBY_MAX_KM. The calendar page and the API both ask `alternatives`, so they
suggest the same things; distances are computed only here (`distance_km`)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import F, Min, Q

from booking.models import Slot
from booking.selectors.availability import (
    DayAvailability,
    booking_window,
    days_summary,
    next_free_day,
)
from offices.models import Office, OfficeService

EARTH_RADIUS_KM = 6371.0
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180  # along a meridian, about 111.2 km


@dataclass(frozen=True)
class NearbyOffice:
    office: Office
    distance_km: float
    first_free_day: date


@dataclass(frozen=True)
class Alternatives:
    next_free_day: date | None
    nearby: list[NearbyOffice]
    searched_nearby: bool  # nearby offices were looked for (an empty list then says so)
    nearby_max_km: int


def distance_km(a: Office, b: Office) -> float:
    """Great-circle distance (haversine) between two offices."""
    lat1, lon1, lat2, lon2 = map(
        math.radians, map(float, (a.latitude, a.longitude, b.latitude, b.longitude))
    )
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return EARTH_RADIUS_KM * 2 * math.asin(math.sqrt(h))


def _within_box(origin: Office, max_km: float) -> Q:
    """A latitude/longitude box around the origin that holds every point within max_km,
    so the database hands over only the offices that can be near (the exact distance is
    `distance_km`'s)."""
    lat = float(origin.latitude)
    dlat = max_km / KM_PER_DEGREE
    dlon = max_km / (KM_PER_DEGREE * max(math.cos(math.radians(abs(lat) + dlat)), 0.01))

    def around(centre: Decimal, delta: float) -> tuple[Decimal, Decimal]:
        return centre - Decimal(f"{delta:.6f}"), centre + Decimal(f"{delta:.6f}")

    return Q(
        office__latitude__range=around(origin.latitude, dlat),
        office__longitude__range=around(origin.longitude, dlon),
    )


def nearest_with_free_places(
    office_service: OfficeService, now: datetime, *, limit: int = 3
) -> list[NearbyOffice]:
    """Other offices offering the same service within GILIRAN_NEARBY_MAX_KM, nearest
    first, that have free places inside their own booking windows and notice (one query
    for the candidates, one for their first free days). None farther: a citizen in
    Bandung is not sent to Ambon."""
    origin = office_service.office
    max_km = settings.GILIRAN_NEARBY_MAX_KM
    offered = (
        OfficeService.objects.filter(
            _within_box(origin, max_km),
            service=office_service.service,
            is_active=True,
            office__is_active=True,
        )
        .exclude(office=origin)
        .select_related("office")
    )
    measured = [(distance_km(origin, os.office), os) for os in offered]
    near = sorted((pair for pair in measured if pair[0] <= max_km), key=lambda pair: pair[0])
    near = near[: limit * 4]
    if not near:
        return []
    bookable = Q(pk__in=[])
    for _distance, os in near:
        window = booking_window(os, now)
        bookable |= Q(
            office_service=os,
            local_date__range=(window.first_day, window.last_day),
            starts_at__gte=now + timedelta(minutes=os.min_notice_minutes),
        )
    free_from = dict(
        Slot.objects.filter(bookable, taken__lt=F("capacity"))
        .values("office_service")
        .annotate(first=Min("local_date"))
        .values_list("office_service", "first")
    )
    nearby = [
        NearbyOffice(os.office, round(d), free_from[os.pk]) for d, os in near if os.pk in free_from
    ]
    return nearby[:limit]


def alternatives(
    office_service: OfficeService, days: list[DayAvailability], now: datetime
) -> Alternatives | None:
    """What to suggest to a citizen looking at these days (a month, or one chosen day):
    nothing when one of them has places or when they have not opened yet (they say when
    they open); otherwise the next free day here after them, and the nearest offices when
    nothing here is free or the one day asked for is full."""
    summary = days_summary(days)
    if not summary.looks_elsewhere:
        return None
    next_free = next_free_day(office_service, days[-1].day, now)
    search = next_free is None or (len(days) == 1 and summary.status == "full")
    nearby = nearest_with_free_places(office_service, now) if search else []
    return Alternatives(next_free, nearby, search, settings.GILIRAN_NEARBY_MAX_KM)
