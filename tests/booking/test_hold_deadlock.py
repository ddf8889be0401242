"""A deadlock while holding a place and sending its code (real PostgreSQL, real
threads) runs the whole hold-and-send again instead of refusing the citizen."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection, transaction

from booking.models import Booking, BookingStatus, Slot, Source
from booking.services import booking as booking_services
from booking.services.booking import booking_hold_and_send_code
from offices.models import OfficeService
from tests.booking.conftest import FIRST_BOOKABLE, citizen_details

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_deadlock_in_hold_and_send_code_is_retried_and_the_citizen_gets_the_hold(
    passport_here: OfficeService, monkeypatch: Any
) -> None:
    wanted, other = Slot.objects.filter(
        office_service=passport_here, local_date__gte=FIRST_BOOKABLE, capacity__gt=0
    ).order_by("starts_at")[:2]
    a_holds_wanted = threading.Event()
    b_holds_other = threading.Event()
    # The hold's first code is issued by _code_issue, in the hold's transaction.
    real_code_issue = booking_services._code_issue
    sends: list[int] = []

    def code_issue_crossing_another_transaction(**kwargs: Any) -> Any:
        sends.append(1)
        if len(sends) == 1:  # the hold has the wanted slot's row; now wait for B's row
            a_holds_wanted.set()
            assert b_holds_other.wait(10)
            list(Slot.objects.select_for_update().filter(pk=other.pk))
        return real_code_issue(**kwargs)

    def crossing() -> None:
        try:
            assert a_holds_wanted.wait(10)
            with transaction.atomic():
                with connection.cursor() as cursor:  # let PostgreSQL abort the citizen
                    cursor.execute("SET LOCAL deadlock_timeout = '10s'")
                list(Slot.objects.select_for_update().filter(pk=other.pk))
                b_holds_other.set()
                time.sleep(0.3)
                list(Slot.objects.select_for_update().filter(pk=wanted.pk))
        finally:
            connection.close()

    monkeypatch.setattr(booking_services, "_code_issue", code_issue_crossing_another_transaction)
    thread = threading.Thread(target=crossing)
    thread.start()
    booking = booking_hold_and_send_code(
        slot_id=wanted.pk, details=citizen_details(), source=Source.WEB
    )
    thread.join(30)

    assert len(sends) == 2  # the first try was aborted by the deadlock, the second held
    booking.refresh_from_db()
    assert booking.status == BookingStatus.HELD and booking.codes.count() == 1
    assert Booking.objects.count() == 1
