from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core import mail
from django.core.cache import caches

from booking.models import Booking, Slot, Source
from booking.services.booking import booking_confirm, booking_hold
from core import personal_data
from offices.models import Office
from scheduling.services import default_plan_extend
from tests.booking.conftest import (
    FIRST_BOOKABLE,
    citizen_details,
    clock,
    passport_here,
    slot,
)
from tests.factories import CounterFactory

__all__ = ["clock", "passport_here", "slot"]


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    # The frozen clock keeps every test in one rate-limit window.
    caches["ratelimit"].clear()


SITI_NIK = "3171014501900001"
BUDI_NIK = "3171010203850002"


def book(slot: Slot, nik: str = SITI_NIK, **overrides: str) -> Booking:
    booking = booking_hold(
        slot_id=slot.pk, details=citizen_details(nik, **overrides), source=Source.WEB
    )
    return booking_confirm(booking=booking)


@pytest.fixture
def siti_booking(slot: Slot, django_capture_on_commit_callbacks: Any) -> Booking:
    """Siti's confirmed booking for Wednesday 2 December, made with siti@example.id."""
    with django_capture_on_commit_callbacks(execute=True):
        return book(slot)


@pytest.fixture
def denpasar_slot(denpasar_office: Office, passport_service: Any, clock: Any) -> Slot:
    CounterFactory.create(office=denpasar_office, number=1, services=[passport_service])
    default_plan_extend(office=denpasar_office, first=date(2026, 12, 1), last=date(2026, 12, 31))
    return Slot.objects.filter(
        office_service__office=denpasar_office, local_date=FIRST_BOOKABLE, capacity__gt=0
    ).order_by("starts_at")[0]


@pytest.fixture
def budi_booking(denpasar_slot: Slot, django_capture_on_commit_callbacks: Any) -> Booking:
    """Budi, another citizen, booked at the Denpasar office (WITA) with his own contact."""
    with django_capture_on_commit_callbacks(execute=True):
        return book(
            denpasar_slot,
            BUDI_NIK,
            full_name="Budi Santoso",
            phone="0813-1111-2222",
            email="budi@example.id",
        )


@pytest.fixture
def siti_hash() -> str:
    return personal_data.keyed_hash(SITI_NIK)


def code_from_mail() -> str:
    body = mail.outbox[-1].body
    return next(
        word.strip(".")
        for word in body.split()
        if word.strip(".").isdigit() and len(word.strip(".")) == 6
    )
