"""The assistant's replies on the channels where the citizen is not waiting on an HTTP
answer (Telegram, WhatsApp, SMS): one outbox row per reply turn, queued in the
transaction that stored the turn, so a reply exists exactly when its turn does and is
sent once (notifications/services/outbox.py). The row names the turn; the words are
read from it at delivery (`_words`) and never copied into the row's context, so a
reply that quotes what a citizen gave lives only in the transcript, under its
retention."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from assistant.models import Turn
from assistant.turns import SECRET_MASK
from notifications.models import Message
from notifications.registry import message_kind_register, message_subject_register
from notifications.services.outbox import Recipient, message_queue


class AssistantMessageKind(models.TextChoices):
    REPLY = "assistant_reply", _("Assistant's reply")


def _words(message: Message, turn: Turn | None) -> dict[str, Any]:
    if turn is None:
        return {"text": ""}
    text = turn.text
    # The secret shown once (a complaint's access key) is in the row's context under
    # "code", which the outbox erases once the message is sent (SENSITIVE_KEYS).
    if message.context.get("code"):
        text = text.replace(SECRET_MASK, message.context["code"])
    return {"text": text, "suggestions": turn.suggestions}


def _gone(message: Message, turn: Turn | None) -> str | None:
    return "the conversation was erased" if turn is None else None


message_kind_register(AssistantMessageKind.REPLY, subject=Turn, relevance=_gone, at_delivery=_words)
message_subject_register(Turn.objects.only("pk", "text", "suggestions"), search=None)


def reply_queue(*, turn: Turn, address: str, secret: str = "") -> Message | None:
    """Queue `turn` (the assistant's or a person's reply) to the citizen at `address` on
    the conversation's channel; `secret` is what the turn shows masked (SECRET_MASK)
    and the message must carry this once."""
    conversation = turn.conversation
    return message_queue(
        kind=AssistantMessageKind.REPLY,
        dedup_key=f"assistant-turn:{turn.pk}",
        recipient=Recipient(
            channel=conversation.channel, address=address, language=conversation.language
        ),
        context={"code": secret} if secret else {},
        office=conversation.office,
        subject=turn,
    )
