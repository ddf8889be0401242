"""When an office-service's days open for booking: its release moments.

Offices release scarce quota at a known moment, and citizens plan around it, so the
moment is a catalog fact with one rule here, read by booking's window, the waiting room
(releases/), the ballot and every page, API and chat answer that says when booking opens.

- **Day by day** (`rolling`, the default): day D opens at `release_time` on D −
  `booking_window_days` (a passport office opening each day 14 days ahead at 08:00).
- **Month by month** (`monthly`): on `release_day` of each month at `release_time`, the
  whole next month opens (a Dukcapil office opening December on 1 November at 10:00).
  `booking_window_days` plays no part.

Every moment is in the office's own zone (WIB, WITA, WIT); nothing here reads the
database beyond the office-service and its office, so callers on a hot path pay nothing.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from offices.models import OfficeService
from offices.models.catalog import ReleasePattern


@dataclass(frozen=True)
class Release:
    """One release moment and the days it opens."""

    opens_at: datetime  # aware, in the office's zone
    first_day: date
    last_day: date


def _month_start(day: date, months: int = 0) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _month_end(day: date) -> date:
    return day.replace(day=monthrange(day.year, day.month)[1])


def _monthly_moment(office_service: OfficeService, month_start: date) -> datetime:
    """The moment `month_start`'s month opens: release_day of the month before."""
    before = _month_start(month_start, -1).replace(day=office_service.release_day)
    return datetime.combine(before, office_service.release_time, tzinfo=office_service.office.zone)


def day_opens_at(office_service: OfficeService, day: date) -> datetime:
    """When booking for `day` opens (aware, office zone)."""
    if office_service.release_pattern == ReleasePattern.MONTHLY:
        return _monthly_moment(office_service, _month_start(day))
    return datetime.combine(
        day - timedelta(days=office_service.booking_window_days),
        office_service.release_time,
        tzinfo=office_service.office.zone,
    )


def last_open_day(office_service: OfficeService, now: datetime) -> date:
    """The latest day open for booking at `now`: every day up to it has been released."""
    today = now.astimezone(office_service.office.zone).date()
    if office_service.release_pattern == ReleasePattern.MONTHLY:
        next_month = _month_start(today, 1)
        if now >= _monthly_moment(office_service, next_month):
            return _month_end(next_month)
        return _month_end(today)
    reach = office_service.booking_window_days
    if now < day_opens_at(office_service, today + timedelta(days=reach)):
        reach -= 1
    return today + timedelta(days=reach)


def release_of_day(office_service: OfficeService, day: date) -> Release:
    """The release that opens `day`, with every day it opens together."""
    opens_at = day_opens_at(office_service, day)
    if office_service.release_pattern == ReleasePattern.MONTHLY:
        return Release(opens_at, _month_start(day), _month_end(day))
    return Release(opens_at, day, day)


def next_release(office_service: OfficeService, now: datetime) -> Release:
    """The first release moment after `now`."""
    return release_of_day(office_service, last_open_day(office_service, now) + timedelta(days=1))


def latest_release(office_service: OfficeService, now: datetime) -> Release:
    """The last release moment at or before `now`."""
    last = last_open_day(office_service, now)
    if office_service.release_pattern == ReleasePattern.MONTHLY:
        return release_of_day(office_service, last.replace(day=1))
    return release_of_day(office_service, last)
