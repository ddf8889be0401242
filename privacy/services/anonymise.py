"""Erasing a citizen's personal fields while keeping the rows the office's figures are
built from (counts, times, services, statuses, scores).

One function per model family, so the retention job (issue 10, item 13) can later use
the same functions. Each is idempotent: erased rows are left alone, a second run changes
nothing. Call inside a transaction."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet

from booking.models import Booking, WaitlistEntry
from core import personal_data
from notifications.models import Message
from queueing.models import ServiceRating, Ticket


def _erased_hash(kind: str, pk: int) -> str:
    # Still unique per row (the one-active-booking index), but linked to nobody.
    return personal_data.keyed_hash(f"erased:{kind}:{pk}")


def bookings_anonymise(*, bookings: QuerySet[Booking], now: datetime) -> list[int]:
    """Erase name, NIK, phone and email of these bookings; returns their ids."""
    ids = list(bookings.values_list("pk", flat=True))
    for booking_id in ids:
        Booking.objects.filter(pk=booking_id, anonymised_at__isnull=True).update(
            full_name="",
            nik_encrypted="",
            nik_hash=_erased_hash("booking", booking_id),
            nik_last4="",
            phone="",
            email="",
            hold_token=None,
            anonymised_at=now,
        )
    return ids


def waitlist_entries_anonymise(*, entries: QuerySet[WaitlistEntry]) -> int:
    ids = list(entries.values_list("pk", flat=True))
    for entry_id in ids:
        WaitlistEntry.objects.filter(pk=entry_id).exclude(full_name="", phone="", email="").update(
            full_name="",
            nik_encrypted="",
            nik_hash=_erased_hash("waitlist", entry_id),
            nik_last4="",
            phone="",
            email="",
        )
    return len(ids)


def tickets_anonymise(*, tickets: QuerySet[Ticket]) -> int:
    """Contact details on tickets and the free-text comment of their survey answer
    (the score stays: it is an aggregate)."""
    ticket_ids = list(tickets.values_list("pk", flat=True))
    Ticket.objects.filter(pk__in=ticket_ids).update(contact_phone="", contact_email="")
    ServiceRating.objects.filter(ticket_id__in=ticket_ids).exclude(comment="").update(comment="")
    return len(ticket_ids)


def messages_anonymise(*, messages: QuerySet[Message]) -> int:
    """The address and the words of messages; kind, channel, status and times stay."""
    return messages.exclude(Q(recipient="") & Q(context={})).update(recipient="", context={})
