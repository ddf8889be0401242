from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from booking.models import Office
from scheduling.services import default_plan_extend_window


@shared_task(name="scheduling.tasks.extend_all_plans", ignore_result=True)
def extend_all_plans() -> None:
    """Nightly: make sure every office has slots for its whole booking window. Fans out
    one task per office so more workers finish sooner."""
    for office_id in Office.objects.filter(is_active=True).values_list("pk", flat=True):
        extend_office_plan.delay(office_id)


@shared_task(name="scheduling.tasks.extend_office_plan", ignore_result=True)
def extend_office_plan(office_id: int) -> int:
    office = Office.objects.get(pk=office_id)
    return default_plan_extend_window(office=office, now=timezone.now())
