"""The edge of the two channels whose citizen waits on the HTTP answer, the web chat and
the REST API: the per-client limit, the page's language as the hint for short messages,
then the one entry point every channel uses (assistant/conversation.py)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from assistant.conversation import Inbound, Reply, message_receive
from assistant.models import Channel, Conversation, Turn
from assistant.selectors import conversation_by_token, turns_after
from core import personal_data
from core.errors import ApplicationError
from core.ratelimit import client_ip, rate_limit


def message_from_client(
    request: HttpRequest, *, channel: str, text: str, conversation: str = ""
) -> Reply:
    """Answer a message sent over HTTP. Counts the client's address
    (GILIRAN_RATE_ASSISTANT_PER_IP, shared by the web chat and the API) before the
    conversation's own limit; both raise ApplicationError 429. The request's active
    language (Accept-Language, the page's prefix) is the reply's language until the
    citizen writes enough for the model to tell. The skills count holds, codes, look-ups
    and complaints by the client's address, as the pages do: leaving out the
    conversation token starts a new conversation, never fresh limits."""
    rate_limit(
        request,
        group="assistant-ip",
        key=client_ip(request),
        rate=settings.GILIRAN_RATE_ASSISTANT_PER_IP,
    )
    reply = message_receive(
        Inbound(
            channel=channel,
            text=text,
            conversation=conversation,
            language=(get_language() or "id")[:2],
            client_key=personal_data.keyed_hash(f"client:{client_ip(request)}"),
        )
    )
    # Only a delivery with a platform's external id can be a duplicate; HTTP has none.
    assert reply is not None
    return reply


def updates_for_client(
    request: HttpRequest, *, conversation: str, after: int
) -> tuple[Conversation, list[Turn]]:
    """The turns of an API conversation after `after`, counted against the client's
    address like a message; ApplicationError 404 when the token names no conversation."""
    rate_limit(
        request,
        group="assistant-ip",
        key=client_ip(request),
        rate=settings.GILIRAN_RATE_ASSISTANT_PER_IP,
    )
    found = conversation_by_token(conversation, channel=Channel.API)
    if found is None:
        raise ApplicationError(
            "conversation_not_found",
            _("This conversation has ended or does not exist. Send a new message."),
            status_code=404,
        )
    return found, turns_after(found, after)
