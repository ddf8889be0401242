from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django import template
from django.utils.formats import date_format

from core.timezones import Zone, format_duration, format_local_time

register = template.Library()


@register.filter
def office_time(value: time | datetime | None, zone: Zone) -> str:
    """{{ hours.opens_at|office_time:office.timezone }} → '08:00 WIB'."""
    if value is None:
        return ""
    return format_local_time(value, zone)


@register.filter
def office_datetime(value: datetime | None, zone: Zone) -> str:
    """'Senin, 7 Desember 2026, 09:00 WIB' in the active language."""
    if value is None:
        return ""
    return format_local_time(value, zone, with_date=True)


@register.filter
def office_day(value: date | datetime | None) -> str:
    return date_format(value, "l, j F Y") if value else ""


@register.filter
def duration(value: timedelta | None) -> str:
    """{{ cooloff_timedelta|duration }} → '15 menit' / '15 minutes'."""
    return format_duration(value) if value is not None else ""
