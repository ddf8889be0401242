"""Erasing one citizen's personal fields for a deletion request, with the same erase
functions the retention job uses (each app's privacy.py), so "erased" means one thing
everywhere: the rows stay for the office's figures (counts, times, services, statuses,
scores), and a second run changes nothing. Call inside a transaction (the row locks
are held until it ends)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from booking.privacy import bookings_erase, waitlist_entries_erase
from core.errors import ApplicationError
from notifications.models import OPEN_STATUSES
from notifications.privacy import messages_erase
from queueing.privacy import tickets_erase

BATCH = 500


def _erase_all(erase: Callable[..., int], due: QuerySet[Any], now: datetime) -> int:
    """Erase every row of `due`, waiting for rows another worker holds (the outbox
    sending a message, a counter calling a ticket) instead of skipping them as the
    retention job does, then check none is left: a deletion request is only done when
    everything is erased. Raises ApplicationError (rolling the request back) otherwise."""
    model = due.model
    # The ids first (`due` may be DISTINCT, which cannot be locked), then lock them all,
    # waiting. Rows this transaction has locked are not skipped by `anonymise_batch`.
    ids = list(due.filter(anonymised_at__isnull=True).values_list("pk", flat=True))
    if not ids:
        return 0
    mine = model._default_manager.filter(pk__in=ids)
    list(mine.select_for_update().order_by("pk").values_list("pk", flat=True))
    total = 0
    # Each call erases at most BATCH rows not yet erased, so this ends.
    while done := erase(due=mine, now=now, batch_size=BATCH):
        total += done
    if mine.filter(anonymised_at__isnull=True).exists():
        raise ApplicationError(
            "erase_incomplete",
            _("Some of the data could not be erased just now. Please try again."),
            status_code=409,
        )
    return total


def bookings_anonymise(*, bookings: QuerySet[Any], now: datetime) -> int:
    return _erase_all(bookings_erase, bookings, now)


def waitlist_entries_anonymise(*, entries: QuerySet[Any], now: datetime) -> int:
    return _erase_all(waitlist_entries_erase, entries, now)


def tickets_anonymise(*, tickets: QuerySet[Any], now: datetime) -> int:
    """Contacts, live-page tokens and survey comments (the scores stay)."""
    return _erase_all(tickets_erase, tickets, now)


def messages_anonymise(*, messages: QuerySet[Any], now: datetime) -> int:
    """The address and the words of messages; kind, channel, status and times stay.
    Messages still waiting to be sent or being sent (the cancellation notices the
    deletion itself queued, the answer to the request) are left to be delivered; the
    retention job erases them GILIRAN_RETENTION_MESSAGE_DAYS after sending."""
    return _erase_all(messages_erase, messages.exclude(status__in=OPEN_STATUSES), now)
