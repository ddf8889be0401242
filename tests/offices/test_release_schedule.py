"""When days open for booking: day by day or month by month, in the office's own zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import pytest

from offices.models import OfficeService
from offices.models.catalog import ReleasePattern
from offices.release_schedule import day_opens_at, last_open_day, latest_release, next_release

pytestmark = pytest.mark.django_db


@pytest.fixture
def passport(jakarta_office: Any) -> OfficeService:
    office_service = OfficeService.objects.select_related("office").get(office=jakarta_office)
    office_service.release_time = time(8, 0)
    office_service.booking_window_days = 14
    return office_service


def wib(day: int, hour: int, minute: int = 0, month: int = 12) -> datetime:
    return datetime(2026, month, day, hour - 7, minute, tzinfo=UTC)


def test_day_by_day_each_day_opens_at_the_release_time_window_days_before(
    passport: OfficeService,
) -> None:
    assert day_opens_at(passport, date(2026, 12, 15)) == wib(1, 8)
    assert last_open_day(passport, wib(1, 7, 59)) == date(2026, 12, 14)
    assert last_open_day(passport, wib(1, 8)) == date(2026, 12, 15)
    upcoming = next_release(passport, wib(1, 7, 59))
    assert (upcoming.opens_at, upcoming.first_day, upcoming.last_day) == (
        wib(1, 8),
        date(2026, 12, 15),
        date(2026, 12, 15),
    )
    assert next_release(passport, wib(1, 8)).opens_at == wib(2, 8)
    assert latest_release(passport, wib(1, 8)).opens_at == wib(1, 8)


def test_month_by_month_the_whole_next_month_opens_on_the_release_day(
    passport: OfficeService,
) -> None:
    passport.release_pattern = ReleasePattern.MONTHLY
    passport.release_day = 10
    passport.release_time = time(10, 0)
    before = wib(10, 9, 59)
    assert last_open_day(passport, before) == date(2026, 12, 31)
    upcoming = next_release(passport, before)
    assert (upcoming.opens_at, upcoming.first_day, upcoming.last_day) == (
        wib(10, 10),
        date(2027, 1, 1),
        date(2027, 1, 31),
    )
    assert last_open_day(passport, wib(10, 10)) == date(2027, 1, 31)
    assert day_opens_at(passport, date(2027, 1, 20)) == wib(10, 10)
    assert latest_release(passport, wib(10, 10)).first_day == date(2027, 1, 1)
    # Across a year's end: December opens on 10 November.
    assert day_opens_at(passport, date(2026, 12, 5)) == wib(10, 10, month=11)


def test_the_moment_is_in_the_office_zone(denpasar_office: Any) -> None:
    office_service = OfficeService.objects.select_related("office").get(office=denpasar_office)
    office_service.release_time = time(8, 0)
    office_service.booking_window_days = 14
    # 08:00 WITA is 00:00 UTC.
    assert day_opens_at(office_service, date(2026, 12, 15)) == datetime(
        2026, 12, 1, 0, 0, tzinfo=UTC
    )
