"""Every day a citizen may book has a plan: the night job covers the whole booking window
(re-planning the next GILIRAN_PLAN_DAYS, planning the later days once), and a day a
supervisor opens before any plan exists is planned on that first view, once, however
many look at it at the same time."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse

from offices.models import OfficeService
from scheduling.horizon import day_plan_ensure
from scheduling.models import DayPlan, PlanStatus
from scheduling.services import default_plan_extend
from scheduling.tasks import plan_office_days

# Tuesday 1 December 2026, 10:00 WIB.
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
TODAY = date(2026, 12, 1)
WINDOW = 3  # days ahead a citizen may book here


@pytest.fixture
def office(jakarta_office: Any, settings: Any) -> Iterator[Any]:
    settings.GILIRAN_PLAN_DAYS = 1
    OfficeService.objects.filter(office=jakarta_office).update(booking_window_days=WINDOW)
    with time_machine.travel(NOW, tick=False):
        yield jakarta_office


def _plans(office: Any) -> dict[date, DayPlan]:
    return {plan.local_date: plan for plan in DayPlan.objects.filter(office=office)}


@pytest.mark.django_db
def test_the_night_job_plans_every_day_of_the_booking_window(office: Any) -> None:
    plan_office_days(office.pk)
    plans = _plans(office)
    last = TODAY + timedelta(days=WINDOW)  # beyond GILIRAN_PLAN_DAYS, still bookable
    assert plans[last].status == PlanStatus.PLANNED and plans[last].solution
    assert all(
        plans[TODAY + timedelta(days=n)].status == PlanStatus.PLANNED for n in range(WINDOW + 1)
    )
    assert last + timedelta(days=1) not in plans  # not bookable yet: planned when it opens


@pytest.mark.django_db
def test_the_next_night_re_plans_the_near_days_and_keeps_the_later_ones(office: Any) -> None:
    plan_office_days(office.pk)
    first = _plans(office)
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        plan_office_days(office.pk)
    second = _plans(office)
    tomorrow, later = TODAY + timedelta(days=1), TODAY + timedelta(days=3)
    assert second[tomorrow].planned_at > first[tomorrow].planned_at  # type: ignore[operator]
    assert second[later].planned_at == first[later].planned_at


@pytest.mark.django_db
def test_a_day_opened_before_any_plan_is_planned_on_that_view(
    office: Any, supervisor: Any, client: Client
) -> None:
    day = TODAY + timedelta(days=3)
    default_plan_extend(office=office, first=day, last=day)
    client.force_login(supervisor)
    page = client.get(reverse("staff:plan-day", args=[office.code, day.isoformat()]))
    plan = DayPlan.objects.get(office=office, local_date=day)
    assert plan.status == PlanStatus.PLANNED and plan.solver_status in ("OPTIMAL", "FEASIBLE")
    content = page.content.decode()
    assert 'data-status="planned"' in content and "Perkiraan waktu tunggu" in content
    assert 'class="plan-grid"' in content and "svc-0" in content  # the counters have a service


@pytest.mark.django_db
def test_a_day_being_planned_shows_its_progress_and_is_not_planned_twice(
    office: Any, supervisor: Any, client: Client
) -> None:
    day = TODAY + timedelta(days=2)
    DayPlan.objects.create(office=office, local_date=day, status=PlanStatus.PLANNING)
    client.force_login(supervisor)
    content = client.get(reverse("staff:plan-day", args=[office.code, day.isoformat()])).content
    assert b'data-status="planning"' in content and b'hx-trigger="every 1s"' in content
    assert DayPlan.objects.get(office=office, local_date=day).solution is None
    assert day_plan_ensure(office=office, day=day) is False


@pytest.mark.django_db
def test_days_outside_the_booking_window_are_not_planned_on_view(
    office: Any, supervisor: Any, client: Client
) -> None:
    client.force_login(supervisor)
    for day in (TODAY - timedelta(days=1), TODAY + timedelta(days=WINDOW + 1)):
        page = client.get(reverse("staff:plan-day", args=[office.code, day.isoformat()]))
        assert page.status_code == 200
    assert not DayPlan.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_first_views_at_once_plan_the_day_once(office: Any) -> None:
    day = TODAY + timedelta(days=2)
    barrier = threading.Barrier(2)
    results: list[bool] = []
    errors: list[BaseException] = []

    def view() -> None:
        try:
            barrier.wait(timeout=30)
            results.append(day_plan_ensure(office=office, day=day))
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=view) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(results) == [False, True]
    plan = DayPlan.objects.get(office=office, local_date=day)
    assert plan.status == PlanStatus.PLANNED and plan.previous is None  # solved once
