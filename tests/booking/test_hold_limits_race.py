"""The concurrent-hold limits hold under a race: on real PostgreSQL with real threads, a
calo firing many holds at once with one phone (or one NIK) gets exactly the allowed
number of places."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from booking.models import Booking, BookingStatus, Slot
from core import personal_data
from offices.models import OfficeService
from scheduling.services import default_plan_extend
from tests.booking.conftest import FIRST_BOOKABLE
from tests.booking.test_capacity_race import (
    Attempt,
    _no_rate_limits,  # noqa: F401  (autouse: every thread comes from one address)
    citizen,
    empty_outbox,  # noqa: F401
    hold,
    nik,
    open_slots,  # noqa: F401
    run_together,
    server_errors,
    statuses,
)
from tests.factories import CounterFactory, OfficeServiceFactory, ServiceFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ATTEMPTS = 24


def _hold_only(attempt: Attempt, post: Callable[..., Any]) -> None:
    hold(attempt, post)


def test_parallel_holds_with_one_phone_get_exactly_three_places(
    open_slots: Callable[[int, int], list[int]],  # noqa: F811
    empty_outbox: None,  # noqa: F811
) -> None:
    slot_ids = open_slots(ATTEMPTS, 1)
    attempts = [
        Attempt({**citizen(n), "phone": "081211112222"}, slot_id)
        for n, slot_id in enumerate(slot_ids)
    ]
    run_together(attempts, _hold_only)
    assert not server_errors(attempts)
    assert statuses(attempts, "hold") == {201: 3, 409: ATTEMPTS - 3}
    held = Booking.objects.filter(status=BookingStatus.HELD, phone="+6281211112222")
    assert held.count() == 3


def test_parallel_holds_with_one_nik_get_exactly_two_places(
    passport_here: OfficeService,
    empty_outbox: None,  # noqa: F811
) -> None:
    office = passport_here.office
    services = [ServiceFactory.create(code=f"layanan-{i}") for i in range(8)]
    for service, letter in zip(services, "BCDEFGHJ", strict=True):
        OfficeServiceFactory.create(office=office, service=service, ticket_letter=letter)
    CounterFactory.create(office=office, number=2, services=services)
    default_plan_extend(office=office, first=FIRST_BOOKABLE, last=FIRST_BOOKABLE)
    slot_ids = [
        Slot.objects.filter(
            office_service__service=service, local_date=FIRST_BOOKABLE, capacity__gt=0
        )
        .order_by("starts_at")
        .values_list("pk", flat=True)[0]
        for service in services
    ]
    attempts = [Attempt(citizen(n, nik_of=5), slot_id) for n, slot_id in enumerate(slot_ids)]
    run_together(attempts, _hold_only)
    assert not server_errors(attempts)
    assert statuses(attempts, "hold") == {201: 2, 409: len(services) - 2}
    held = Booking.objects.filter(
        status=BookingStatus.HELD, nik_hash=personal_data.keyed_hash(nik(5))
    )
    assert held.count() == 2
