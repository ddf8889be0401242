"""Holds given to a citizen by another app's decision (a ballot's draw and its waiting
list): not asked for through a slot, so `slot_refusal` is not consulted (a ballot
office-service refuses every ordinary hold as ballot_only), but claimed exactly like any
hold and confirmed through the usual one-time code flow."""

from __future__ import annotations

import dataclasses
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction

from booking.models import ACTIVE_STATUSES, Booking, BookingStatus, Slot
from booking.services.booking import new_booking_code
from booking.services.capacity import slot_claim, slots_lock


@dataclass(frozen=True)
class Holder:
    """Who the hold is for, with the NIK already encrypted and hashed (core.personal_data)
    by the app that collected it, so it is never decrypted to be copied."""

    full_name: str
    nik_encrypted: str
    nik_hash: str
    nik_last4: str
    phone: str
    email: str
    channel: str
    language: str
    priority_group: str

    @classmethod
    def of(cls, row: object) -> Holder:
        """The holder a stored row names (a waiting-list entry, a ballot entry)."""
        return cls(**{field.name: getattr(row, field.name) for field in dataclasses.fields(cls)})


def booking_hold_assigned(
    *, slot_ids: list[int], holder: Holder, releases_at: datetime, source: str, now: datetime
) -> Booking | None:
    """Hold the first of `slot_ids` (in the caller's order) that has room, until
    `releases_at`. None when none has room or the NIK already has an active booking for
    the service (the one-active-booking index refuses it whatever happens meanwhile).

    Locks the candidate slots in ascending id order first (as every claim does), then
    claims with the conditional UPDATE of `slot_claim`; runs in its own savepoint, so a
    refusal leaves the caller's transaction as it was."""
    if not slot_ids:
        return None
    slots = {s.pk: s for s in Slot.objects.select_related("office_service").filter(pk__in=slot_ids)}
    service_ids = {s.office_service.service_id for s in slots.values()}
    if Booking.objects.filter(
        nik_hash=holder.nik_hash, service_id__in=service_ids, status__in=ACTIVE_STATUSES
    ).exists():
        return None
    try:
        with transaction.atomic():
            slots_lock(set(slots))
            for slot_id in slot_ids:
                if slot_id in slots and slot_claim(slot=slots[slot_id], now=now):
                    slot = slots[slot_id]
                    return Booking.objects.create(
                        code=new_booking_code(),
                        slot=slot,
                        service_id=slot.office_service.service_id,
                        status=BookingStatus.HELD,
                        releases_at=releases_at,
                        hold_token=secrets.token_urlsafe(32),
                        **dataclasses.asdict(holder),
                        source=source,
                    )
    except IntegrityError:  # a parallel booking for the NIK won the unique index
        return None
    return None
