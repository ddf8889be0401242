"""Indonesia's three time zones and their everyday names (no daylight saving).

The one place for office time: `zone_info` (a cached ZoneInfo by name), `local_now` /
`local_date` (the wall clock and the day in a zone) and `format_local_time`, the one
formatter, which always names the zone (WIB, WITA, WIT); `format_duration` says a
length of time in words ("15 menit", "1 jam, 30 menit"). Offices expose these as
`Office.zone` and `Office.local_date(now)` (offices.models.catalog); core knows no app,
so everything here takes a zone name or a ZoneInfo."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import TypeAlias
from zoneinfo import ZoneInfo

from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timesince import timesince


class IndonesianZone(models.TextChoices):
    WIB = "Asia/Jakarta", "WIB (Asia/Jakarta, UTC+7)"
    WITA = "Asia/Makassar", "WITA (Asia/Makassar, UTC+8)"
    WIT = "Asia/Jayapura", "WIT (Asia/Jayapura, UTC+9)"


ZONE_ABBREVIATIONS = {zone.value: zone.name for zone in IndonesianZone}

Zone: TypeAlias = str | ZoneInfo


@cache
def _zone_named(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def zone_info(zone: Zone) -> ZoneInfo:
    """The ZoneInfo for a zone name (cached), or the ZoneInfo itself."""
    return zone if isinstance(zone, ZoneInfo) else _zone_named(zone)


def zone_abbreviation(zone: Zone) -> str:
    name = zone.key if isinstance(zone, ZoneInfo) else zone
    return ZONE_ABBREVIATIONS.get(name, name)


def local_now(zone: Zone, now: datetime | None = None) -> datetime:
    """`now` (default: the current moment) on the zone's wall clock."""
    return (now or timezone.now()).astimezone(zone_info(zone))


def local_date(zone: Zone, now: datetime | None = None) -> date:
    """The zone's date at `now` (default: the current moment)."""
    return local_now(zone, now).date()


def format_local_time(value: time | datetime, zone: Zone, *, with_date: bool = False) -> str:
    """'08:00 WIB' for a wall-clock time, or an aware datetime converted to the zone;
    with_date: 'Senin, 7 Desember 2026, 09:00 WIB' in the active language."""
    if isinstance(value, time):
        return f"{value:%H:%M} {zone_abbreviation(zone)}"
    local = value.astimezone(zone_info(zone))
    clock = f"{local:%H:%M} {zone_abbreviation(zone)}"
    return f"{date_format(local, 'l, j F Y')}, {clock}" if with_date else clock


def format_duration(value: timedelta) -> str:
    """A length of time in words of the active language, largest two units: '15 menit',
    '1 jam, 30 menit' ('15 minutes'). Never an ISO-8601 'PT15M'."""
    start = datetime(2000, 1, 1, tzinfo=UTC)
    return timesince(start, start + value, depth=2)
