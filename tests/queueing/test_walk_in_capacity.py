"""The walk-in capacity the planner hands down: it bounds the day's walk-in numbers (at
least 1), replaces what the day had, and a service it leaves out goes back to its fixed
quota."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from core.errors import ApplicationError
from offices.models import OfficeService
from queueing.models import TicketSource, WalkInCapacity
from queueing.services.issue import ticket_issue, walk_in_capacities_set

pytestmark = pytest.mark.django_db

DAY = date(2026, 12, 2)  # the clock's day


def walk_ins_taken(
    office_service: OfficeService, most: int = 50, *, source: str = TicketSource.KIOSK
) -> int:
    """Walk-in numbers the queue gives for the service today before it says "all taken"."""
    for taken in range(most):
        try:
            ticket_issue(office_service=office_service, source=source)
        except ApplicationError as refused:
            assert refused.code == "walk_in_quota_reached"
            return taken
    return most


def test_the_planned_walk_in_capacity_bounds_the_days_walk_in_numbers(
    passport: OfficeService, clock: Any
) -> None:
    OfficeService.objects.filter(pk=passport.pk).update(walk_in_daily_quota=9)
    passport.refresh_from_db()
    walk_in_capacities_set(office=passport.office, day=DAY, capacities={passport.pk: 3})
    assert walk_ins_taken(passport) == 3


def test_a_plan_with_no_walk_in_room_still_gives_one_number(
    passport: OfficeService, clock: Any
) -> None:
    walk_in_capacities_set(office=passport.office, day=DAY, capacities={passport.pk: 0})
    assert walk_ins_taken(passport) == 1


def test_a_new_capacity_replaces_the_day_and_a_service_left_out_has_its_fixed_quota(
    passport: OfficeService, renewal: OfficeService, clock: Any
) -> None:
    OfficeService.objects.filter(pk=renewal.pk).update(walk_in_daily_quota=2)
    office = passport.office
    walk_in_capacities_set(office=office, day=DAY, capacities={passport.pk: 5, renewal.pk: 7})
    walk_in_capacities_set(office=office, day=DAY, capacities={passport.pk: 4})
    assert dict(WalkInCapacity.objects.values_list("office_service_id", "capacity")) == {
        passport.pk: 4
    }
    assert walk_ins_taken(passport) == 4
    renewal.refresh_from_db()
    assert walk_ins_taken(renewal) == 2


def test_no_plan_for_the_day_leaves_the_fixed_quota_and_other_days_alone(
    passport: OfficeService, clock: Any
) -> None:
    office = passport.office
    walk_in_capacities_set(office=office, day=DAY, capacities={passport.pk: 6})
    walk_in_capacities_set(office=office, day=date(2026, 12, 3), capacities={passport.pk: 8})
    walk_in_capacities_set(office=office, day=DAY, capacities={})
    assert list(WalkInCapacity.objects.values_list("local_date", "capacity")) == [
        (date(2026, 12, 3), 8)
    ]
    assert walk_ins_taken(passport, most=12) == 12  # a fixed quota of 0: no limit
