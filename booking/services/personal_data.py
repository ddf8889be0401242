"""Keeping stored personal data under the current keys."""

from __future__ import annotations

from django.db import transaction

from booking.models import Booking
from core import personal_data


def nik_encryption_rotate(*, batch_size: int = 500) -> int:
    """Re-encrypt every stored NIK under the first key of GILIRAN_DATA_KEYS, so an old
    key can then be removed. Safe to run again or to interrupt. Returns rows rewritten."""
    rewritten = 0
    last_pk = 0
    while True:
        with transaction.atomic():
            batch = list(
                Booking.objects.select_for_update()
                .filter(pk__gt=last_pk)
                .order_by("pk")
                .only("pk", "nik_encrypted")[:batch_size]
            )
            if not batch:
                return rewritten
            for booking in batch:
                booking.nik_encrypted = personal_data.rotate(booking.nik_encrypted)
            Booking.objects.bulk_update(batch, ["nik_encrypted"])
        rewritten += len(batch)
        last_pk = batch[-1].pk
