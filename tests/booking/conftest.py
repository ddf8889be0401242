from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine

from booking.models import Slot
from booking.services.booking import CitizenDetails, details_clean
from offices.models import OfficeService
from scheduling.services import default_plan_extend

# Tuesday 1 December 2026, 10:00 WIB. December holds Christmas (25th) and a cuti bersama
# (24th), so calendars have closed days with names.
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
FIRST_BOOKABLE = date(2026, 12, 2)


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def passport_here(jakarta_office: Any, clock: Any) -> OfficeService:
    """Passport service at the Jakarta office, planned for December (1 counter, 15-minute
    service, 30-minute slots, 20% kept for walk-ins)."""
    office_service = OfficeService.objects.get(office=jakarta_office)
    default_plan_extend(office=jakarta_office, first=date(2026, 12, 1), last=date(2026, 12, 31))
    return office_service


@pytest.fixture
def slot(passport_here: OfficeService) -> Slot:
    """The first bookable slot with room: Wednesday 2 December."""
    return Slot.objects.filter(
        office_service=passport_here, local_date=FIRST_BOOKABLE, capacity__gt=0
    ).order_by("starts_at")[0]


def citizen_details(nik: str = "3171014501900001", **overrides: str) -> CitizenDetails:
    """Siti, born 5 January 1990 in Jakarta (day + 40: a woman), on WhatsApp."""
    fields: dict[str, Any] = {
        "full_name": "Siti Rahmawati",
        "nik": nik,
        "phone": "0812-3456-7890",
        "email": "siti@example.id",
        "channel": "email",
        "priority_group": "",
        "language": "id",
        **overrides,
    }
    return details_clean(**fields)


@pytest.fixture
def citizen() -> CitizenDetails:
    return citizen_details()
