"""The data map of the assistant's records and their retention (core/data_map.py
explains the mechanism).

A conversation is known by a keyed hash of the channel's user id; the address replies
go to and the personal details a flow collects (name, NIK, contact, until the flow
ends) are encrypted; the stored turns have NIK, phone and email masked, but remain the
citizen's own words. Conversations with all their turns are deleted
GILIRAN_RETENTION_ASSISTANT_DAYS (90) after their last message: long enough for staff
to follow up a handoff and for a complaint or booking made by chat to be traced, far
shorter than either record, which keeps what it needs itself. Review items are masked
messages without any link to their conversation, kept until a training run could use
them (GILIRAN_RETENTION_ASSISTANT_REVIEW_DAYS, 365). Webhook receipts hold only the
platform's delivery id and go after a week."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils.translation import gettext_lazy as _

from assistant.models import Conversation, InboundReceipt, ReviewItem, Turn
from core.data_map import (
    STAFF_ACTION,
    AtEnd,
    Category,
    LegalBasis,
    Personal,
    RetentionPolicy,
    personal_data,
    register_anonymiser,
)
from core.retention import delete_batch

CONVERSATIONS = RetentionPolicy(
    key="assistant_conversations",
    label=_("Assistant conversations"),
    after=_("the conversation's last message"),
    setting="GILIRAN_RETENTION_ASSISTANT_DAYS",
    default_days=90,
)
REVIEW = RetentionPolicy(
    key="assistant_review",
    label=_("Assistant messages to review"),
    after=_("the message was received"),
    setting="GILIRAN_RETENTION_ASSISTANT_REVIEW_DAYS",
    default_days=365,
)
# A platform resends an update for at most a day (Telegram), a few days (WhatsApp).
RECEIPT_DAYS = 7

_ANSWER = _("answer a citizen's question and carry out what they ask by chat")


def _tag(category: Category, *, at_end: AtEnd = AtEnd.ROW_DELETED) -> Personal:
    return Personal(
        category=category,
        purpose=_ANSWER,
        basis=LegalBasis.PUBLIC_TASK,
        retention=CONVERSATIONS,
        at_end=at_end,
    )


personal_data(
    Conversation,
    fields={
        "user_hash": _tag(Category.TECHNICAL),
        "address_encrypted": _tag(Category.CONTACT),
        "secrets_encrypted": _tag(Category.IDENTITY),
        "assigned_to": STAFF_ACTION,
    },
    not_personal={
        "token": _("a random handle of the conversation, not of the citizen"),
        "last_message_at": _("when the conversation was last active, for its expiry"),
        "state": _("the step of a flow in progress; what it collects is in secrets_encrypted"),
    },
)
personal_data(
    Turn,
    fields={"text": _tag(Category.FREE_TEXT), "staff": STAFF_ACTION},
    not_personal={"suggestions": _("the assistant's buttons, written by Giliran")},
)
personal_data(
    ReviewItem,
    fields={
        "text": Personal(
            category=Category.FREE_TEXT,
            purpose=_("improve the assistant's understanding from messages it was unsure of"),
            basis=LegalBasis.LEGITIMATE_INTEREST,
            retention=REVIEW,
            at_end=AtEnd.ROW_DELETED,
        ),
        "labelled_by": STAFF_ACTION,
    },
)
personal_data(
    InboundReceipt,
    fields={},
    not_personal={"external_id": _("the platform's id of a delivery, not of the citizen")},
)


def delete_old_conversations(*, now: datetime, batch_size: int) -> int:
    """Delete conversations (and their turns) silent for the retention period, handed
    to a person or not: a handoff nobody answered in that time is abandoned."""
    cutoff = now - timedelta(days=CONVERSATIONS.days or 0)
    due = Conversation.objects.filter(last_message_at__lte=cutoff)
    deleted = delete_batch(due=due, batch_size=batch_size)
    InboundReceipt.objects.filter(received_at__lte=now - timedelta(days=RECEIPT_DAYS)).delete()
    return deleted


def delete_old_review_items(*, now: datetime, batch_size: int) -> int:
    cutoff = now - timedelta(days=REVIEW.days or 0)
    return delete_batch(
        due=ReviewItem.objects.filter(created_at__lte=cutoff), batch_size=batch_size
    )


register_anonymiser("assistant.Conversation", policy=CONVERSATIONS, run=delete_old_conversations)
register_anonymiser("assistant.ReviewItem", policy=REVIEW, run=delete_old_review_items)
