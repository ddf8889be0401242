"""Plans made before the queue kept its own copy of the walk-in capacity keep their
walk-in limit through the upgrade: the migration copies each planned day's walk-in
capacity to the queue, and days not planned by the optimiser keep the fixed quota."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from offices.models import OfficeService
from queueing.models import TicketSource, WalkInCapacity
from tests.factories import OfficeServiceFactory, ServiceFactory
from tests.queueing.test_walk_in_capacity import walk_ins_taken

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("scheduling", "0001_day_plans"), ("queueing", "0004_kiosk_devices")]
PLANNED = date(2026, 12, 2)  # a Wednesday: the optimiser planned it
FAILED = date(2026, 12, 3)  # its last re-plan failed: the fixed quota applied
NO_ROOM = date(2026, 12, 4)  # planned with no walk-in room: one number all the same
CLOSED = date(2026, 12, 5)  # planned, but closed that day: no solution, the fixed quota


def _solution(walk_ins: dict[str, list[float]]) -> dict[str, Any]:
    return {
        "status": "OPTIMAL",
        "services": {code: {"walk_in_capacity": per_block} for code, per_block in walk_ins.items()},
    }


def test_planned_days_keep_their_walk_in_limit_through_the_upgrade(jakarta_office: Any) -> None:
    passport = OfficeService.objects.get(office=jakarta_office)
    renewal = OfficeServiceFactory.create(
        office=jakarta_office,
        ticket_letter="B",
        walk_in_daily_quota=2,
        service=ServiceFactory.create(code="paspor-ganti", ticket_letter="B"),
    )
    OfficeService.objects.filter(pk=passport.pk).update(walk_in_daily_quota=3)
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    DayPlan = old.get_model("scheduling", "DayPlan")
    DayPlan.objects.create(
        office_id=jakarta_office.pk,
        local_date=PLANNED,
        status="planned",
        solution=_solution({"paspor-baru": [1.5, 2.5, 0.0]}),
    )
    DayPlan.objects.create(
        office_id=jakarta_office.pk,
        local_date=FAILED,
        status="failed",
        solution=_solution({"paspor-baru": [9.0]}),
    )
    DayPlan.objects.create(
        office_id=jakarta_office.pk,
        local_date=NO_ROOM,
        status="planned",
        solution=_solution({"paspor-baru": [0.0, 0.0], "paspor-ganti": [4.0]}),
    )
    DayPlan.objects.create(
        office_id=jakarta_office.pk, local_date=CLOSED, status="planned", solver_status="CLOSED"
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # the whole project, as deployed

    assert set(
        WalkInCapacity.objects.values_list("office_service_id", "local_date", "capacity")
    ) == {
        (passport.pk, PLANNED, 4),
        (passport.pk, NO_ROOM, 0),
        (renewal.pk, NO_ROOM, 4),
    }
    passport.refresh_from_db()
    renewal.refresh_from_db()
    expected = {
        PLANNED: (4, 2),  # the plan's 1.5 + 2.5 + 0; renewal is not in the plan: its quota
        FAILED: (3, 2),  # both fixed quotas
        NO_ROOM: (1, 4),  # at least one number; renewal's planned 4
        CLOSED: (3, 2),
    }
    # A clerk's numbers: they count against the same limit on any day, the Saturday too
    # (the kiosk gives none while the office is closed, tests/queueing/test_walk_in_hours.py).
    for day, (passport_limit, renewal_limit) in expected.items():
        with time_machine.travel(
            datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC), tick=False
        ):
            assert walk_ins_taken(passport, source=TicketSource.STAFF) == passport_limit, day
            assert walk_ins_taken(renewal, source=TicketSource.STAFF) == renewal_limit, day
