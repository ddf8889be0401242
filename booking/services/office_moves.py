"""Moving bookings for the office: when a supervisor takes capacity away (a counter
short, a day closed), the citizens booked into it are moved to the nearest free time
of the same service and told. The office's move does not use up the citizen's own
reschedule."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booking.messages import BookingMessageKind, booking_message_send, booking_reminders_queue
from booking.models import Booking, BookingStatus, Slot
from booking.selectors.availability import booking_window
from booking.services.capacity import slot_claim, slot_give_back, slots_lock
from core.errors import ApplicationError


def _nearest_free_slot(
    booking: Booking, away_from: date, taken: set[int], now: datetime
) -> Slot | None:
    """The free slot of the same office-service closest in time to the booking's, on
    another day inside the booking window (the day being cut is re-planned, so its own
    free places are not reliable)."""
    office_service = booking.slot.office_service
    window = booking_window(office_service, now)
    candidates = (
        Slot.objects.filter(
            office_service=office_service,
            local_date__range=(window.first_day, window.last_day),
            starts_at__gt=now,
            taken__lt=F("capacity"),
        )
        .exclude(local_date=away_from)
        .exclude(pk__in=taken)
    )
    return min(candidates, key=lambda s: abs(s.starts_at - booking.slot.starts_at), default=None)


def bookings_move_elsewhere(*, bookings: list[Booking], away_from: date) -> list[Booking]:
    """Move each booking to the nearest free slot on another day, all or nothing.
    Locks old and new slot rows in ascending id order (booking.services.capacity) and
    moves each booking by a conditional UPDATE; refuses, changing nothing, when some
    booking has nowhere to go."""
    now = timezone.now()
    moved = []
    with transaction.atomic():
        chosen: set[int] = set()
        for booking in bookings:
            target = _nearest_free_slot(booking, away_from, chosen, now)
            if target is None:
                raise ApplicationError(
                    "nowhere_to_move",
                    _(
                        "There is no free time left to move booking %(code)s to. "
                        "Nothing was changed."
                    )
                    % {"code": booking.code},
                    status_code=409,
                )
            old_slot = booking.slot
            old_slot_id = old_slot.pk
            slots_lock({old_slot_id, target.pk})
            if not slot_claim(slot=target, now=now):
                raise ApplicationError(
                    "nowhere_to_move",
                    _("The free times changed meanwhile. Please try again."),
                    status_code=409,
                )
            if Booking.objects.filter(
                pk=booking.pk,
                slot_id=old_slot_id,
                status__in=[BookingStatus.CONFIRMED, BookingStatus.HELD],
            ).update(slot=target):
                slot_give_back(slot=old_slot)
                booking.refresh_from_db()
                booking_message_send(
                    booking=booking, kind=BookingMessageKind.MOVED, occasion=str(target.pk)
                )
                if booking.status == BookingStatus.CONFIRMED:
                    booking_reminders_queue(booking=booking, now=now)
                moved.append(booking)
            else:
                slot_give_back(slot=target)  # it changed meanwhile: leave it be
            chosen.add(target.pk)
    return moved
