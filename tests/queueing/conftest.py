from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine

from offices.models import Counter, OfficeService
from queueing.models import CounterStatus
from queueing.services.counters import counter_set_status
from tests.factories import CounterFactory, OfficeServiceFactory, ServiceFactory

# Wednesday 2 December 2026, 09:00 WIB.
MORNING = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(MORNING, tick=False) as traveller:
        yield traveller


@pytest.fixture
def passport(jakarta_office: Any) -> OfficeService:
    return OfficeService.objects.get(office=jakarta_office)


@pytest.fixture
def renewal(jakarta_office: Any) -> OfficeService:
    service = ServiceFactory.create(
        code="paspor-ganti", name_id="Penggantian paspor", ticket_letter="B"
    )
    return OfficeServiceFactory.create(office=jakarta_office, service=service, ticket_letter="B")


@pytest.fixture
def counter_one(jakarta_office: Any, counter_clerk: Any) -> Counter:
    counter = Counter.objects.get(office=jakarta_office, number=1)
    counter_set_status(counter=counter, status=CounterStatus.OPEN, staff=counter_clerk)
    return counter


@pytest.fixture
def counter_two(
    jakarta_office: Any, passport: OfficeService, renewal: OfficeService, counter_clerk: Any
) -> Counter:
    counter = CounterFactory.create(
        office=jakarta_office, number=2, services=[passport.service, renewal.service]
    )
    counter_set_status(counter=counter, status=CounterStatus.OPEN, staff=counter_clerk)
    return counter


@pytest.fixture
def slot_for(clock: Any) -> Any:
    """A confirmed booking whose slot starts `minutes_from_now` from the frozen clock."""
    from datetime import timedelta

    from django.utils import timezone

    from booking.models import Booking, BookingStatus, Slot, Source
    from core import personal_data

    def make(office_service: OfficeService, *, minutes_from_now: int, nik_seq: int = 1) -> Booking:
        starts = timezone.now() + timedelta(minutes=minutes_from_now)
        slot, _ = Slot.objects.get_or_create(
            office_service=office_service,
            starts_at=starts,
            defaults={
                "ends_at": starts + timedelta(minutes=30),
                "local_date": starts.date(),
                "capacity": 5,
                "taken": 1,
            },
        )
        nik = f"317101010190{nik_seq:04d}"
        return Booking.objects.create(
            code=f"TEST{nik_seq:04d}",
            slot=slot,
            service=office_service.service,
            status=BookingStatus.CONFIRMED,
            full_name="Warga",
            nik_encrypted=personal_data.encrypt(nik),
            nik_hash=personal_data.keyed_hash(nik),
            nik_last4=nik[-4:],
            email=f"warga{nik_seq}@example.id",
            channel="email",
            source=Source.WEB,
        )

    return make


@pytest.fixture
def kiosk_token(jakarta_office: Any) -> str:
    """The token of the Jakarta office's registered kiosk tablet."""
    from queueing.kiosks import kiosk_device_create

    _device, token = kiosk_device_create(office=jakarta_office, name="Pintu masuk", by=None)
    return token


@pytest.fixture
def kiosk_client(client: Any, jakarta_office: Any, kiosk_token: str) -> Any:
    """A browser enrolled as the Jakarta office's kiosk (through the enrolment page)."""
    from django.urls import reverse

    response = client.post(
        reverse("kiosk-enrol", args=[jakarta_office.code]), {"token": kiosk_token}
    )
    assert response.status_code == 302
    return client
