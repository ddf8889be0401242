from __future__ import annotations

from datetime import datetime, time

from django import template

from core.timezones import format_local_time

register = template.Library()


@register.filter
def office_time(value: time | datetime | None, zone_name: str) -> str:
    """{{ hours.opens_at|office_time:office.timezone }} → '08:00 WIB'."""
    if value is None:
        return ""
    return format_local_time(value, zone_name)
