"""Celery edges of planning: each task takes ids and calls a service; safe to repeat
(a plan is recomputed from the same rows, and written by conditional UPDATEs)."""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.utils import timezone
from django.utils.translation import gettext as _

from offices.models import Office
from scheduling.horizon import office_days_plan
from scheduling.models import DayPlan
from scheduling.planning import day_plan_solve
from scheduling.services import default_plan_extend_window


@shared_task(name="scheduling.tasks.extend_all_plans", ignore_result=True)
def extend_all_plans() -> None:
    """Hourly: make sure every office has slots for its whole booking window. Fans out
    one task per office so more workers finish sooner."""
    for office_id in Office.objects.filter(is_active=True).values_list("pk", flat=True):
        extend_office_plan.delay(office_id)


@shared_task(name="scheduling.tasks.extend_office_plan", ignore_result=True)
def extend_office_plan(office_id: int) -> int:
    office = Office.objects.get(pk=office_id)
    return default_plan_extend_window(office=office, now=timezone.now())


@shared_task(name="scheduling.tasks.plan_all_offices", ignore_result=True)
def plan_all_offices() -> int:
    """Nightly: plan every bookable day of every office (scheduling/horizon.py), one task
    per office, so the night scales with the number of workers and machines."""
    offices = list(Office.objects.filter(is_active=True).values_list("pk", flat=True))
    for office_id in offices:
        plan_office_days.delay(office_id)
    return len(offices)


@shared_task(name="scheduling.tasks.plan_office_days", ignore_result=True)
def plan_office_days(office_id: int) -> int:
    office = Office.objects.get(pk=office_id)
    now = timezone.now()
    default_plan_extend_window(office=office, now=now)  # the days to plan have their slots
    return office_days_plan(office=office, now=now)


@shared_task(name="scheduling.tasks.replan_day", ignore_result=True)
def replan_day(office_id: int, day: str) -> str:
    """After a supervisor's change or click: re-plan one day, reporting progress."""
    office = Office.objects.get(pk=office_id)
    DayPlan.objects.filter(office=office, local_date=day).update(progress=_("Solving…"))
    return day_plan_solve(office=office, day=date.fromisoformat(day)).status
