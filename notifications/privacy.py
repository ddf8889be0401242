"""The data map of the outbox, and the anonymiser of old messages (core/data_map.py).

A message is due GILIRAN_RETENTION_MESSAGE_DAYS after it was sent (or created, if it
never was), once it is no longer pending or being sent. Kept: kind, channel, language,
office, subject (the booking or ticket it was about, an id), status, times, attempts
(delivery statistics). Erased: the address, the context (names, codes, links), the
gateway's reference and error text. A citizen's deletion request finds their messages
through the subjects (privacy/selectors.py) and erases them with `messages_erase`."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from core.data_map import (
    MESSAGES,
    STAFF_ACTION,
    Category,
    LegalBasis,
    Personal,
    personal_data,
    register_anonymiser,
)
from core.retention import anonymise_batch
from notifications.models import OPEN_STATUSES, Message

_SEND = _("deliver the message the citizen asked for, once, and show staff what happened")


def _tag(category: Category) -> Personal:
    return Personal(
        category=category, purpose=_SEND, basis=LegalBasis.PUBLIC_TASK, retention=MESSAGES
    )


personal_data(
    Message,
    fields={
        "recipient": _tag(Category.CONTACT),
        "context": _tag(Category.IDENTITY),
        "last_error": _tag(Category.TECHNICAL),
        "provider_ref": _tag(Category.TECHNICAL),
        "resent_by": STAFF_ACTION,
    },
    not_personal={"claim_token": _("a random mark of the worker sending the message")},
)


def messages_erase(*, due: QuerySet[Message], now: datetime, batch_size: int) -> int:
    """Erase the address and words of at most `batch_size` messages of `due`; kind,
    channel, status and times stay. Used by retention and by deletion requests."""
    return anonymise_batch(
        due=due,
        values={"recipient": "", "context": {}, "last_error": "", "provider_ref": ""},
        now=now,
        batch_size=batch_size,
    )


def anonymise_old_messages(*, now: datetime, batch_size: int) -> int:
    cutoff = now - timedelta(days=MESSAGES.days or 0)
    due = Message.objects.exclude(status__in=OPEN_STATUSES).filter(
        Q(sent_at__lte=cutoff) | Q(sent_at__isnull=True, created_at__lte=cutoff)
    )
    return messages_erase(due=due, now=now, batch_size=batch_size)


register_anonymiser("notifications.Message", policy=MESSAGES, run=anonymise_old_messages)
