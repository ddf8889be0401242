"""Reads of conversations for the channels and staff pages: a conversation by its token,
its transcript, and the turns after the last one a client has shown (the web chat's
polling while a person answers; the staff inbox)."""

from __future__ import annotations

from django.db.models import QuerySet

from assistant.models import OPEN_HANDOFFS, Conversation, Turn

# At most this many turns in a transcript or one poll's answer: a page stays small.
TURNS_SHOWN = 50


def conversation_by_token(token: str, *, channel: str) -> Conversation | None:
    """The conversation of `channel` this token names, or None (an unknown, garbled or
    deleted token; never another channel's conversation)."""
    if not token or not isinstance(token, str):
        return None
    return Conversation.objects.filter(channel=channel, token=token[:64]).first()


def turns_after(conversation: Conversation, after_id: int) -> list[Turn]:
    """The conversation's turns written after the turn `after_id` (0 for all), oldest
    first, at most TURNS_SHOWN. Ids grow with every turn written, so "after the last id
    shown" never skips or repeats one however close together turns come."""
    return list(
        conversation.turns.filter(pk__gt=max(after_id, 0))
        .select_related(None)
        .order_by("pk")[:TURNS_SHOWN]
    )


def history(conversation: Conversation) -> QuerySet[Turn]:
    """Every turn of the conversation, oldest first, with who answered: what staff read
    before replying to a handoff."""
    return conversation.turns.select_related("staff").order_by("pk")


def transcript(conversation: Conversation | None) -> list[Turn]:
    """The conversation's last TURNS_SHOWN turns, oldest first; [] without one."""
    if conversation is None:
        return []
    latest = list(conversation.turns.order_by("-pk")[:TURNS_SHOWN])
    return latest[::-1]


def handed_off(conversation: Conversation | None) -> bool:
    """Whether a person is (or will be) answering: the web chat then polls for replies."""
    return conversation is not None and conversation.handoff in OPEN_HANDOFFS
