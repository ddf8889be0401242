"""Erasing one citizen's personal fields for a deletion request, with the same erase
functions the retention job uses (each app's privacy.py), so "erased" means one thing
everywhere: the rows stay for the office's figures (counts, times, services, statuses,
scores), and a second run changes nothing. Call inside a transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from booking.privacy import bookings_erase, waitlist_entries_erase
from notifications.privacy import messages_erase
from queueing.privacy import tickets_erase

BATCH = 500


def _erase_all(erase: Callable[..., int], due: QuerySet[Any], now: datetime) -> int:
    # Each call erases at most BATCH rows not yet erased, so this ends.
    total = 0
    while done := erase(due=due, now=now, batch_size=BATCH):
        total += done
    return total


def bookings_anonymise(*, bookings: QuerySet[Any], now: datetime) -> int:
    return _erase_all(bookings_erase, bookings, now)


def waitlist_entries_anonymise(*, entries: QuerySet[Any], now: datetime) -> int:
    return _erase_all(waitlist_entries_erase, entries, now)


def tickets_anonymise(*, tickets: QuerySet[Any], now: datetime) -> int:
    """Contacts, live-page tokens and survey comments (the scores stay)."""
    return _erase_all(tickets_erase, tickets, now)


def messages_anonymise(*, messages: QuerySet[Any], now: datetime) -> int:
    """The address and the words of messages; kind, channel, status and times stay."""
    return _erase_all(messages_erase, messages, now)
