"""Claiming and releasing slot capacity: the only code that changes Slot.taken.

Every function here must run inside a transaction (the callers' `transaction.atomic`).
Lock order, everywhere: slot rows first, in ascending id order (`slots_lock`), then
booking rows. A transaction that touches two slots (moving a hold or a booking) locks
both up front, so two citizens swapping times cannot deadlock.

Each change of a slot's free places bumps its office-service's availability version
when the transaction commits (booking.availability_cache), so no calendar shows the
place as it was."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.db.models import Case, F, Q, Value, When

from booking.availability_cache import availability_changed
from booking.models import Booking, BookingStatus, Slot


def slots_lock(slot_ids: set[int]) -> None:
    """Lock these slot rows in ascending id order (call first in the transaction)."""
    list(
        Slot.objects.select_for_update()
        .filter(pk__in=slot_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def slot_claim(*, slot: Slot, now: datetime) -> bool:
    """Take one unit of the slot's capacity. False when it is full.

    One conditional UPDATE: PostgreSQL re-checks `taken < capacity` on the locked row,
    so concurrent claims can never push `taken` past `capacity` (and the slot's CHECK
    constraint would refuse it if they did). When the slot looks full, expired holds in
    it are released first: capacity comes back without any worker having run."""
    if _increment(slot):
        return True
    if bookings_release(Q(slot_id=slot.pk), now=now) == 0:
        return False
    return _increment(slot)


def _increment(slot: Slot) -> bool:
    claimed = (
        Slot.objects.filter(pk=slot.pk, taken__lt=F("capacity")).update(taken=F("taken") + 1) == 1
    )
    if claimed:
        availability_changed([slot.office_service_id])
    return claimed


def bookings_release(where: Q, *, now: datetime) -> int:
    """Stop counting the matching bookings whose `releases_at` has passed (expired holds,
    cancellations past their release delay), and give their capacity back.

    Each booking row is released by exactly one caller: the UPDATE is conditional on
    `occupies_slot`, and each slot is decremented by the number of rows this call
    actually changed. Returns that number."""
    candidates = Booking.objects.filter(where, occupies_slot=True, releases_at__lte=now)
    by_slot: dict[int, list[int]] = defaultdict(list)
    offered_by: dict[int, int] = {}
    for pk, slot_id, office_service_id in candidates.values_list(
        "pk", "slot_id", "slot__office_service_id"
    ):
        by_slot[slot_id].append(pk)
        offered_by[slot_id] = office_service_id
    slots_lock(set(by_slot))
    released = 0
    for slot_id in sorted(by_slot):
        count = Booking.objects.filter(
            pk__in=by_slot[slot_id], occupies_slot=True, releases_at__lte=now
        ).update(
            occupies_slot=False,
            status=Case(
                When(status=BookingStatus.HELD, then=Value(BookingStatus.EXPIRED)),
                default=F("status"),
            ),
        )
        if count:
            Slot.objects.filter(pk=slot_id).update(taken=F("taken") - count)
            availability_changed([offered_by[slot_id]])
            released += count
    return released


def slot_give_back(*, slot: Slot) -> None:
    """Return one unit of capacity held by a booking that just left the slot."""
    Slot.objects.filter(pk=slot.pk).update(taken=F("taken") - 1)
    availability_changed([slot.office_service_id])
