from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django import template
from django.utils.formats import date_format

from core.timezones import format_local_time

register = template.Library()


@register.filter
def office_time(value: time | datetime | None, zone_name: str) -> str:
    """{{ hours.opens_at|office_time:office.timezone }} → '08:00 WIB'."""
    if value is None:
        return ""
    return format_local_time(value, zone_name)


@register.filter
def office_datetime(value: datetime | None, zone_name: str) -> str:
    """'Senin, 7 Desember 2026, 09:00 WIB' in the active language."""
    if value is None:
        return ""
    local = value.astimezone(ZoneInfo(zone_name))
    return f"{date_format(local, 'l, j F Y')}, {format_local_time(local, zone_name)}"


@register.filter
def office_day(value: date | datetime | None) -> str:
    return date_format(value, "l, j F Y") if value else ""
