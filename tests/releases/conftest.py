from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
import time_machine

from offices.models import OfficeService
from releases import store as room_stores
from scheduling.services import default_plan_extend

# Tuesday 1 December 2026, 10:00 WIB; the passport office releases day D at 10:20 on
# D − 14 (15 December opens today at 10:20), and its waiting room opens 30 minutes before.
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
RELEASE = datetime(2026, 12, 1, 3, 20, tzinfo=UTC)


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(params=["local", pytest.param("redis", marks=pytest.mark.redis)])
def store(request: pytest.FixtureRequest, settings: Any, clock: Any) -> Iterator[Any]:
    """Each rule runs on both stores: this process's and Redis (emptied first)."""
    if request.param == "redis":
        url = os.environ["REDIS_URL"]
        settings.REDIS_URL = url
        room_stores._redis(url).flushdb()
        yield room_stores.room_store()
        room_stores._redis(url).flushdb()
    else:
        settings.REDIS_URL = ""
        room_stores._local.forget()
        yield room_stores._local
        room_stores._local.forget()


@pytest.fixture
def released(jakarta_office: Any, clock: Any) -> OfficeService:
    office_service = OfficeService.objects.select_related("office", "service").get(
        office=jakarta_office
    )
    office_service.release_time = time(10, 20)
    office_service.booking_window_days = 14
    office_service.waiting_room_minutes = 30
    office_service.save()
    default_plan_extend(
        office=jakarta_office, first=NOW.date(), last=NOW.date() + timedelta(days=20)
    )
    return office_service
