"""Parallel waiting-list runs on real PostgreSQL: the nudge after a cancellation, the
minute sweeper and a second beat's sweeper may all offer the same day's places at
once. Each freed place must go to exactly one citizen, first in line first."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from booking.models import Booking, BookingStatus, Slot, Source, WaitlistEntry, WaitlistStatus
from booking.services.waitlist import waitlist_join, waitlist_offer_places
from core import personal_data
from offices.models import OfficeService
from tests.booking.conftest import FIRST_BOOKABLE, citizen_details

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RUNS = 8


def test_parallel_offer_runs_give_each_freed_place_to_one_citizen(
    passport_here: OfficeService,
) -> None:
    slots = list(
        Slot.objects.filter(office_service=passport_here, local_date=FIRST_BOOKABLE).order_by(
            "starts_at"
        )
    )
    Slot.objects.filter(pk__in=[s.pk for s in slots]).update(capacity=0)
    full = slots[0]
    Slot.objects.filter(pk=full.pk).update(capacity=1, taken=1)  # full: the day has a line
    waiting = [
        waitlist_join(
            office_service=passport_here,
            day=FIRST_BOOKABLE,
            details=citizen_details(f"317101450190{n:04d}", email=f"w{n}@example.id"),
        )
        for n in range(1, 11)
    ]
    Slot.objects.filter(pk=full.pk).update(capacity=4)  # three places freed at once
    barrier = threading.Barrier(RUNS)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(timeout=30)
            waitlist_offer_places(office_service=passport_here, day=FIRST_BOOKABLE)
        except BaseException as error:  # reported below, with the thread's own failure
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(RUNS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    offered = WaitlistEntry.objects.filter(status=WaitlistStatus.OFFERED).order_by(
        "created_at", "pk"
    )
    assert [e.pk for e in offered] == [e.pk for e in waiting[:3]]  # first in line first
    holds = Booking.objects.filter(source=Source.WAITLIST, status=BookingStatus.HELD)
    assert holds.count() == 3
    assert {personal_data.keyed_hash(f"317101450190{n:04d}") for n in (1, 2, 3)} == set(
        holds.values_list("nik_hash", flat=True)
    )
    full.refresh_from_db()
    assert full.taken == full.capacity == 4
