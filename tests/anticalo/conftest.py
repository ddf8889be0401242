"""Bookings of the Jakarta and Denpasar offices made as the anti-calo rules see them:
rows with the moment they were made, where from, and how they ended."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

import pytest

from booking.models import Booking, BookingStatus, Slot, Source
from core import personal_data
from offices.models import OfficeService
from tests.booking.conftest import FIRST_BOOKABLE, NOW, clock, passport_here, slot

__all__ = ["NOW", "clock", "passport_here", "slot"]

_numbers = itertools.count(1)

MakeBooking = Callable[..., Booking]


def make_booking(
    slot: Slot,
    *,
    at: datetime,
    network: str = "",
    device: str = "",
    phone: str = "",
    email: str = "",
    nik: str = "",
    status: str = BookingStatus.HELD,
    confirmed: bool = False,
    cancelled_at: datetime | None = None,
    source: str = Source.WEB,
) -> Booking:
    """One booking row made at `at` (its own NIK and email unless given)."""
    n = next(_numbers)
    nik = nik or f"317101010190{n:04d}"
    booking = Booking.objects.create(
        code=f"CALO{n:04d}",
        slot=slot,
        service=slot.office_service.service,
        status=status,
        occupies_slot=False,
        releases_at=at + timedelta(minutes=10),
        full_name="Warga",
        nik_encrypted=personal_data.encrypt(nik),
        nik_hash=personal_data.keyed_hash(nik),
        nik_last4=nik[-4:],
        phone=phone,
        email=email or (f"warga{n}@example.id" if not phone else ""),
        channel="email" if (email or not phone) else "sms",
        source=source,
        client_network=network,
        device_hash=device,
    )
    Booking.objects.filter(pk=booking.pk).update(
        created_at=at,
        confirmed_at=at + timedelta(minutes=5) if confirmed else None,
        cancelled_at=cancelled_at,
    )
    booking.refresh_from_db()
    return booking


@pytest.fixture
def booking_at(slot: Slot) -> MakeBooking:
    def make(**fields: Any) -> Booking:
        return make_booking(slot, **fields)

    return make


@pytest.fixture
def denpasar_slot(denpasar_office: Any, clock: Any) -> Slot:
    """A time at the Denpasar office (08:00 WITA on the first bookable day)."""
    starts = datetime.combine(FIRST_BOOKABLE, time(8), tzinfo=denpasar_office.zone)
    return Slot.objects.create(
        office_service=OfficeService.objects.get(office=denpasar_office),
        starts_at=starts,
        ends_at=starts + timedelta(minutes=30),
        local_date=FIRST_BOOKABLE,
        capacity=2,
    )
