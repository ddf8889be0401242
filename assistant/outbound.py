"""The assistant's replies on the channels where the citizen is not waiting on an HTTP
answer (Telegram, WhatsApp, SMS): one outbox row per reply turn, queued in the
transaction that stored the turn, so a reply exists exactly when its turn does and is
sent once (notifications/services/outbox.py). The row names the turn; the words are
read from it at delivery (`_words`) and never copied into the row's context, so a
reply that quotes what a citizen gave lives only in the transcript, under its
retention.

At delivery the reply also says whether WhatsApp's customer-service window is open
("window_open": the citizen wrote within the last 24 hours), so the transport sends free
text inside it and the approved template outside it (a staff reply given late)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assistant.models import Turn
from assistant.turns import SECRET_MASK
from notifications.models import Message
from notifications.registry import message_kind_register, message_subject_register
from notifications.services.outbox import Recipient, message_queue

# WhatsApp's customer-service window: free text within this long of the citizen's last message.
SERVICE_WINDOW = timedelta(hours=24)


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
    last_inbound = turn.conversation.last_inbound_at
    window_open = last_inbound is not None and last_inbound > timezone.now() - SERVICE_WINDOW
    return {"text": text, "suggestions": turn.suggestions, "window_open": window_open}


def _gone(message: Message, turn: Turn | None) -> str | None:
    return "the conversation was erased" if turn is None else None


# Not resendable from the staff's message log: a reply belongs to its moment in the
# conversation, and one that carried a secret has lost it once sent.
message_kind_register(
    AssistantMessageKind.REPLY,
    subject=Turn,
    relevance=_gone,
    at_delivery=_words,
    resendable=False,
)
message_subject_register(
    Turn.objects.select_related("conversation").only(
        "pk", "text", "suggestions", "conversation__last_inbound_at"
    ),
    search=None,
)


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
