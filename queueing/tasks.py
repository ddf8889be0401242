"""Celery edges of the queue: each task takes ids and calls a service; safe to repeat."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from offices.models import Office, OfficeService
from queueing.services.calling import turn_near_notify
from queueing.services.day_close import tickets_close_past_days


@shared_task(name="queueing.tasks.notify_turn_near", ignore_result=True)
def notify_turn_near(office_service_id: int) -> int:
    office_service = OfficeService.objects.select_related("office").get(pk=office_service_id)
    return turn_near_notify(office_service=office_service)


@shared_task(name="queueing.tasks.close_past_days", ignore_result=True)
def close_past_days() -> int:
    """Periodic: tickets of days that have ended (office time) close as not served."""
    now = timezone.now()
    return sum(
        tickets_close_past_days(office=office, now=now)
        for office in Office.objects.filter(is_active=True)
    )
