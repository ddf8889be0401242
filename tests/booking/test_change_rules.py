"""Limits on changing a booking: H-1 deadline, one reschedule, the anti-trading delay,
and rate limits on holds."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from booking.models import Booking, BookingStatus, Slot, Source
from booking.services.booking import (
    booking_cancel,
    booking_confirm,
    booking_hold,
    booking_reschedule,
)
from core.errors import ApplicationError
from offices.models import OfficeService
from tests.booking.conftest import citizen_details

pytestmark = pytest.mark.django_db


def _confirmed(slot: Slot, nik: str = "3171014501900001") -> Booking:
    booking = booking_hold(slot_id=slot.pk, details=citizen_details(nik), source=Source.WEB)
    return booking_confirm(booking=booking)


def test_changes_stop_after_the_day_before(slot: Slot, clock: Any) -> None:
    booking = _confirmed(slot)  # slot on 2 December; today is 1 December (H-1)
    clock.shift(timedelta(days=1))  # 2 December, the day itself
    with pytest.raises(ApplicationError) as refused:
        booking_cancel(booking=Booking.objects.get(pk=booking.pk))
    assert refused.value.code == "too_late"
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED


def test_cancelled_place_returns_only_after_the_anti_trading_delay(
    slot: Slot, passport_here: OfficeService, clock: Any
) -> None:
    OfficeService.objects.filter(pk=passport_here.pk).update(cancel_release_minutes=30)
    Slot.objects.filter(pk=slot.pk).update(capacity=1)
    booking = _confirmed(slot)
    booking_cancel(booking=Booking.objects.get(pk=booking.pk))
    other = citizen_details("3171010101900002", email="budi@example.id")
    with pytest.raises(ApplicationError) as full:
        booking_hold(slot_id=slot.pk, details=other, source=Source.WEB)
    assert full.value.code == "slot_full"  # a broker cannot hand the place over at once
    clock.shift(timedelta(minutes=31))
    assert (
        booking_hold(slot_id=slot.pk, details=other, source=Source.WEB).status == BookingStatus.HELD
    )


def test_reschedule_moves_the_place_and_only_once(slot: Slot) -> None:
    booking = _confirmed(slot)
    later = Slot.objects.filter(
        office_service=slot.office_service, local_date="2026-12-03", capacity__gt=0
    )
    first, second = later[0], later[1]
    moved = booking_reschedule(booking=booking, slot_id=first.pk)
    slot.refresh_from_db()
    first.refresh_from_db()
    assert moved.slot_id == first.pk and slot.taken == 0 and first.taken == 1
    with pytest.raises(ApplicationError) as refused:
        booking_reschedule(booking=moved, slot_id=second.pk)
    assert refused.value.code == "reschedule_limit"


def test_holds_are_rate_limited_per_nik(client: Client, slot: Slot, settings: Any) -> None:
    settings.GILIRAN_RATE_HOLD_PER_NIK = "2/h"
    settings.GILIRAN_RATE_HOLD_PER_IP = "100/h"
    body = {
        "full_name": "Siti",
        "nik": "3171014501900001",
        "email": "siti@example.id",
        "channel": "email",
    }
    statuses = [
        client.post(
            "/api/v1/holds/", {**body, "slot": slot.pk}, content_type="application/json"
        ).status_code
        for _ in range(3)
    ]
    assert statuses == [201, 201, 429]
