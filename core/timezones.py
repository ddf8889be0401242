"""Indonesia's three time zones and their everyday names (no daylight saving)."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.db import models
from django.utils import timezone


class IndonesianZone(models.TextChoices):
    WIB = "Asia/Jakarta", "WIB (Asia/Jakarta, UTC+7)"
    WITA = "Asia/Makassar", "WITA (Asia/Makassar, UTC+8)"
    WIT = "Asia/Jayapura", "WIT (Asia/Jayapura, UTC+9)"


ZONE_ABBREVIATIONS = {zone.value: zone.name for zone in IndonesianZone}


def zone_abbreviation(zone_name: str) -> str:
    return ZONE_ABBREVIATIONS.get(zone_name, zone_name)


def local_now(zone_name: str) -> datetime:
    return timezone.now().astimezone(ZoneInfo(zone_name))


def format_local_time(value: time | datetime, zone_name: str) -> str:
    """'08:00 WIB' for a wall-clock time, or an aware datetime converted to the zone."""
    if isinstance(value, datetime):
        value = value.astimezone(ZoneInfo(zone_name)).time()
    return f"{value:%H:%M} {zone_abbreviation(zone_name)}"
