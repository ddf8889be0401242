"""WhatsApp Cloud API webhook: `GET` and `POST /webhooks/whatsapp/`.

GET is Meta's verification handshake: hub.mode=subscribe and hub.verify_token equal to
GILIRAN_WHATSAPP_VERIFY_TOKEN echo hub.challenge as plain text; anything else is 403.
POST carries `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body under
GILIRAN_WHATSAPP_APP_SECRET>`; a missing or wrong signature is refused with 403 before
the body is parsed. Each message in entry[].changes[].value.messages[] is handed to the
assistant with its id (wamid) as the replay key: Meta redelivers a notification for days
until it gets a 200, so a repeat is acknowledged with nothing done, and a message older
than GILIRAN_WHATSAPP_MAX_AGE_SECONDS when it finally arrives is not answered (a day-old
answer to a question the citizen has moved on from, outside the free-reply window).
Text gives its body; a reply button or list row gives its id (the words the suggestion
sends) or title; any other type (image, audio, location…) gets the assistant's "please
write in words". Status notifications (sent, delivered, read) are acknowledged and
ignored. The sender (wa_id, digits) becomes E.164: +62… as `normalize_phone` writes an
Indonesian mobile, otherwise '+' and the digits."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from assistant.channels.common import (
    assistant_receive,
    body_of,
    json_of,
    phone_of,
    secret_matches,
)
from assistant.conversation import Inbound

SIGNATURE_HEADER = "X-Hub-Signature-256"


@dataclass(frozen=True)
class WhatsAppMessage:
    id: str
    phone: str
    text: str
    sent_at: datetime


def _text(message: dict[str, Any]) -> str:
    kind = message.get("type")
    if kind == "text" and isinstance(message.get("text"), dict):
        body = message["text"].get("body")
        return body if isinstance(body, str) else ""
    if kind == "interactive" and isinstance(message.get("interactive"), dict):
        interactive = message["interactive"]
        chosen = interactive.get(interactive.get("type", ""))  # button_reply | list_reply
        if isinstance(chosen, dict):
            for key in ("id", "title"):
                if isinstance(chosen.get(key), str) and chosen[key]:
                    return str(chosen[key])
    if kind == "button" and isinstance(message.get("button"), dict):  # a template's button
        said = message["button"].get("text") or message["button"].get("payload")
        return said if isinstance(said, str) else ""
    return ""  # no words: image, audio, sticker, location, contacts…


def _message(raw: Any) -> WhatsAppMessage:
    if not isinstance(raw, dict):
        raise ValueError("a message that is no object")
    wamid, sender, stamp = raw.get("id"), raw.get("from"), raw.get("timestamp")
    if not isinstance(wamid, str) or not wamid or not isinstance(sender, str):
        raise ValueError("a message without its id or sender")
    if not isinstance(stamp, str) or not stamp.isascii() or not stamp.isdigit():
        raise ValueError("a message without its time")
    phone = phone_of(sender)
    if phone is None:
        raise ValueError("a sender that is no phone number")
    sent_at = datetime.fromtimestamp(min(int(stamp), 2**32), tz=UTC)
    return WhatsAppMessage(wamid, phone, _text(raw), sent_at)


def whatsapp_messages_parse(payload: Any) -> list[WhatsAppMessage]:
    """The citizens' messages in a webhook notification, in order. Raises ValueError for
    something that is not one."""
    if not isinstance(payload, dict) or not isinstance(payload.get("entry"), list):
        raise ValueError("not a WhatsApp notification")
    messages: list[WhatsAppMessage] = []
    for entry in payload["entry"]:
        changes = entry.get("changes") if isinstance(entry, dict) else None
        if not isinstance(changes, list):
            raise ValueError("an entry without its changes")
        for change in changes:
            if not isinstance(change, dict) or change.get("field") != "messages":
                continue
            value = change.get("value")
            raw = value.get("messages", []) if isinstance(value, dict) else None
            if not isinstance(raw, list):
                raise ValueError("a change without its value")
            messages += [_message(item) for item in raw]
    return messages


def _signed(request: HttpRequest, body: bytes) -> bool:
    secret = settings.GILIRAN_WHATSAPP_APP_SECRET
    if not secret:
        return False
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return secret_matches(request.headers.get(SIGNATURE_HEADER, "").lower(), expected)


def _handshake(request: HttpRequest) -> HttpResponse:
    token = request.GET.get("hub.verify_token", "")
    if request.GET.get("hub.mode") != "subscribe" or not secret_matches(
        token, settings.GILIRAN_WHATSAPP_VERIFY_TOKEN
    ):
        return HttpResponse(status=403)
    challenge = request.GET.get("hub.challenge", "")[:200]
    return HttpResponse(challenge, content_type="text/plain")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def whatsapp_webhook(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _handshake(request)
    body = body_of(request)
    if body is None:
        return HttpResponse("The notification is too large.", status=400, content_type="text/plain")
    if not _signed(request, body):
        return HttpResponse(status=403)
    try:
        messages = whatsapp_messages_parse(json_of(body))
    except ValueError:
        return HttpResponse("Not a WhatsApp notification.", status=400, content_type="text/plain")
    oldest = timezone.now() - timedelta(seconds=settings.GILIRAN_WHATSAPP_MAX_AGE_SECONDS)
    for message in messages:
        if message.sent_at < oldest:
            continue
        assistant_receive(
            Inbound(
                channel="whatsapp", text=message.text, user=message.phone, external_id=message.id
            )
        )
    return HttpResponse(status=200)
