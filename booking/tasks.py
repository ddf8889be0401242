"""Celery edges of booking: periodic jobs, each a service call that is safe to repeat."""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from booking.models import ACTIVE_STATUSES, BookingStatus
from booking.services.capacity import bookings_release
from booking.services.no_show import bookings_release_no_shows
from booking.services.waitlist import waitlist_offer_places
from booking.services.waitlist import waitlist_sweep as waitlist_sweep_service
from offices.models import OfficeService


@shared_task(name="booking.tasks.release_expired_holds", ignore_result=True)
def release_expired_holds() -> int:
    """Expired holds (and cancellations past their release delay) stop occupying their
    slots. Their capacity is already free to the next claimer; this keeps `taken` and
    the statuses tidy for the calendar and the reports."""
    with transaction.atomic():
        return bookings_release(
            Q(status__in=[*ACTIVE_STATUSES, BookingStatus.CANCELLED]), now=timezone.now()
        )


@shared_task(name="booking.tasks.release_no_shows", ignore_result=True)
def release_no_shows() -> int:
    """Missed appointments become no-shows and their places go to today's walk-ins."""
    return bookings_release_no_shows(Q(), now=timezone.now())


@shared_task(name="booking.tasks.waitlist_offer", ignore_result=True)
def waitlist_offer(office_service_id: int, day: str) -> int:
    """Right after a place of this day was freed: offer it to the waiting list."""
    office_service = OfficeService.objects.select_related("office", "service").get(
        pk=office_service_id
    )
    return waitlist_offer_places(office_service=office_service, day=date.fromisoformat(day))


@shared_task(name="booking.tasks.waitlist_sweep", ignore_result=True)
def waitlist_sweep() -> int:
    """Periodic: lapsed offers pass on, places freed quietly are offered, old lines close."""
    return waitlist_sweep_service()
