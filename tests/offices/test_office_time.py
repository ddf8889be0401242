"""Office time in one place: Office.zone, Office.local_date and the one formatter,
which always names the zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from core.timezones import format_local_time, local_date, zone_info
from tests.factories import OfficeFactory

pytestmark = pytest.mark.django_db

# 23:30 UTC on Tuesday 1 December: already Wednesday 2 December in every Indonesian zone.
LATE_UTC = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)
# 16:30 UTC on 1 December: 23:30 in Jakarta (still the 1st), 01:30 in Jayapura (the 2nd).
BETWEEN = datetime(2026, 12, 1, 16, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "now", "today"),
    [
        ("Asia/Jakarta", BETWEEN, date(2026, 12, 1)),
        ("Asia/Jayapura", BETWEEN, date(2026, 12, 2)),
        ("Asia/Jakarta", LATE_UTC, date(2026, 12, 2)),
        ("Asia/Jayapura", LATE_UTC, date(2026, 12, 2)),
    ],
)
def test_an_office_today_is_its_own_date_not_utcs(zone: str, now: datetime, today: date) -> None:
    office = OfficeFactory.create(timezone=zone)
    assert office.local_date(now) == today
    assert local_date(zone, now) == today


def test_office_zone_is_the_cached_zoneinfo_of_its_time_zone() -> None:
    jayapura = OfficeFactory.create(timezone="Asia/Jayapura")
    assert jayapura.zone == ZoneInfo("Asia/Jayapura")
    assert jayapura.zone is zone_info("Asia/Jayapura")
    jayapura.timezone = "Asia/Makassar"
    assert jayapura.zone.key == "Asia/Makassar"


@pytest.mark.parametrize(
    ("zone", "clock"),
    [
        ("Asia/Jakarta", "23:30 WIB"),
        ("Asia/Makassar", "00:30 WITA"),
        ("Asia/Jayapura", "01:30 WIT"),
    ],
)
def test_the_formatter_always_names_the_zone(zone: str, clock: str) -> None:
    assert format_local_time(BETWEEN, zone) == clock
    assert format_local_time(BETWEEN, zone_info(zone)) == clock
    assert format_local_time(time(8, 0), zone).endswith(clock.split()[1])


def test_the_formatter_with_the_date_uses_the_office_day_and_language() -> None:
    with translation.override("id"):
        assert format_local_time(BETWEEN, "Asia/Jayapura", with_date=True) == (
            "Rabu, 2 Desember 2026, 01:30 WIT"
        )
    with translation.override("en"):
        assert format_local_time(BETWEEN, "Asia/Jakarta", with_date=True) == (
            "Tuesday, 1 December 2026, 23:30 WIB"
        )
