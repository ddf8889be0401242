"""No-shows: a confirmed booking whose check-in has closed without the citizen becomes a
no-show, once, and its place goes back to the same day's walk-ins. Repeated no-shows
of one NIK pause that NIK's new bookings (GILIRAN_NO_SHOW_* settings).

Runs periodically for everyone (booking.tasks.release_no_shows) and lazily for one
citizen when they book again, so a worker that was down changes nothing but timing."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from booking.availability_cache import availability_changed
from booking.messages import BookingMessageKind, booking_message_send
from booking.models import Booking, BookingStatus, Slot
from booking.services.capacity import slots_lock
from core.errors import ApplicationError


def no_show_candidates(where: Q, *, now: datetime) -> list[tuple[int, int]]:
    """(booking id, slot id) of confirmed bookings whose check-in window has closed.
    The window's end depends on each office-service, so the last step is in Python;
    the query only looks at slots that have started."""
    rows = Booking.objects.filter(
        where, status=BookingStatus.CONFIRMED, slot__starts_at__lt=now
    ).values_list(
        "pk", "slot_id", "slot__starts_at", "slot__office_service__checkin_closes_minutes"
    )
    return [
        (pk, slot_id)
        for pk, slot_id, starts_at, grace in rows
        if starts_at + timedelta(minutes=grace) < now
    ]


def bookings_release_no_shows(where: Q, *, now: datetime | None = None) -> int:
    """Mark the matching missed bookings as no-shows and give their places back.

    Each booking changes by a conditional UPDATE from CONFIRMED, under its slot's row
    lock: a booking becomes a no-show, releases its place and is told about it exactly
    once, however many runs overlap. Call inside or outside a transaction; a caller that
    already holds slot locks must have locked these slots too (see booking_hold)."""
    now = now or timezone.now()
    by_slot: dict[int, list[int]] = {}
    for pk, slot_id in no_show_candidates(where, now=now):
        by_slot.setdefault(slot_id, []).append(pk)
    released = 0
    for slot_id in sorted(by_slot):
        with transaction.atomic():
            slots_lock({slot_id})
            for pk in by_slot[slot_id]:
                if not Booking.objects.filter(pk=pk, status=BookingStatus.CONFIRMED).update(
                    status=BookingStatus.NO_SHOW, occupies_slot=False
                ):
                    continue  # checked in or released by someone else meanwhile
                Slot.objects.filter(pk=slot_id).update(taken=F("taken") - 1)
                availability_changed(
                    Slot.objects.filter(pk=slot_id).values_list("office_service_id", flat=True)
                )
                released += 1
                _tell(pk, now)
    return released


def _tell(booking_id: int, now: datetime) -> None:
    booking = Booking.objects.select_related(
        "slot__office_service__office", "slot__office_service__service"
    ).get(pk=booking_id)
    booking_message_send(
        booking=booking,
        kind=BookingMessageKind.NO_SHOW,
        context={
            "missed": no_shows_counted(nik_hash=booking.nik_hash, now=now),
            "window_days": settings.GILIRAN_NO_SHOW_WINDOW_DAYS,
            "limit": settings.GILIRAN_NO_SHOW_LIMIT,
            "block_days": settings.GILIRAN_NO_SHOW_BLOCK_DAYS,
        },
    )


def no_shows_counted(*, nik_hash: str, now: datetime) -> int:
    since = now - timedelta(days=settings.GILIRAN_NO_SHOW_WINDOW_DAYS)
    return Booking.objects.filter(
        nik_hash=nik_hash, status=BookingStatus.NO_SHOW, slot__starts_at__gte=since
    ).count()


def bookings_paused_until(*, nik_hash: str, now: datetime) -> datetime | None:
    """When this NIK may book again, if its no-shows have paused it; None otherwise.

    GILIRAN_NO_SHOW_LIMIT missed appointments within the window pause new bookings
    until GILIRAN_NO_SHOW_BLOCK_DAYS after the latest of them."""
    limit = settings.GILIRAN_NO_SHOW_LIMIT
    if not limit:
        return None
    since = now - timedelta(days=settings.GILIRAN_NO_SHOW_WINDOW_DAYS)
    missed = list(
        Booking.objects.filter(
            nik_hash=nik_hash, status=BookingStatus.NO_SHOW, slot__starts_at__gte=since
        )
        .order_by("-slot__starts_at")
        .values_list("slot__starts_at", flat=True)[:limit]
    )
    if len(missed) < limit:
        return None
    until = missed[0] + timedelta(days=settings.GILIRAN_NO_SHOW_BLOCK_DAYS)
    return until if until > now else None


def refuse_if_paused(*, nik_hash: str, now: datetime) -> None:
    until = bookings_paused_until(nik_hash=nik_hash, now=now)
    if until is None:
        return
    raise ApplicationError(
        "no_show_pause",
        _(
            "This NIK missed %(count)d appointments in the last %(days)d days without "
            "cancelling, so new bookings are paused until %(date)s. The office can still "
            "help you in person."
        )
        % {
            "count": settings.GILIRAN_NO_SHOW_LIMIT,
            "days": settings.GILIRAN_NO_SHOW_WINDOW_DAYS,
            "date": date_format(until, "j F Y"),
        },
        fields={"nik": [_("New bookings for this NIK are paused for now.")]},
        status_code=409,
    )
