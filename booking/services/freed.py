"""A place has been freed: if its day has a waiting list, offer it right after commit.

The waiting-list sweeper (every minute) would offer it anyway; this makes it seconds."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from booking.models import Slot
from booking.models.waitlist import WaitlistEntry, WaitlistStatus


def waitlist_nudge(office_service_id: int, day: date) -> None:
    from booking.tasks import waitlist_offer

    transaction.on_commit(
        lambda: waitlist_offer.delay(office_service_id, day.isoformat()), robust=True
    )


def waitlist_nudge_for_slot(slot: Slot) -> None:
    if WaitlistEntry.objects.filter(
        office_service_id=slot.office_service_id,
        local_date=slot.local_date,
        status=WaitlistStatus.WAITING,
    ).exists():
        waitlist_nudge(slot.office_service_id, slot.local_date)
