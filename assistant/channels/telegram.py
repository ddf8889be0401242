"""Telegram Bot webhook: `POST /webhooks/telegram/`.

Telegram posts each Update with the `X-Telegram-Bot-Api-Secret-Token` header given to
setWebhook (GILIRAN_TELEGRAM_WEBHOOK_SECRET); a missing or wrong one is refused with 403
before the body is read. Only private chats are answered (a bot added to a group would
talk about a citizen's booking in front of others): text messages, edited messages (a new
question) and the data of inline buttons; a photo, voice note or sticker gets the
assistant's "please write in words". Anything else (a group, a member update) is
acknowledged and ignored. The update_id is the replay key: Telegram redelivers an update
until it gets a 2xx, and a repeat is answered 200 with nothing done. The reply goes out
through the outbox (notifications/channels.py, TelegramTransport)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from assistant.channels.common import assistant_receive, body_of, json_of, secret_matches
from assistant.conversation import Inbound

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
# Messages that carry no words: answered with the assistant's request to write instead.
WORDLESS = (
    "photo",
    "document",
    "voice",
    "audio",
    "video",
    "video_note",
    "sticker",
    "location",
    "contact",
)
# Commands a Telegram user sends by habit: /start opens every bot.
COMMANDS = {"/start": "halo", "/help": "halo"}


@dataclass(frozen=True)
class TelegramMessage:
    update_id: int
    chat_id: str
    text: str
    callback_id: str = ""


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _private_chat(message: Any) -> str | None:
    if not isinstance(message, dict) or not isinstance(message.get("chat"), dict):
        raise ValueError("a message without its chat")
    chat = message["chat"]
    if not _integer(chat.get("id")):
        raise ValueError("a chat without an id")
    return str(chat["id"]) if chat.get("type") == "private" else None


def _words(text: str) -> str:
    command = text.split(maxsplit=1)[0].split("@")[0].lower() if text.strip() else ""
    return COMMANDS.get(command, text)


def telegram_update_parse(update: Any) -> TelegramMessage | None:
    """The citizen's message in an Update; None for an update the assistant ignores.
    Raises ValueError for something that is no Update."""
    if not isinstance(update, dict) or not _integer(update.get("update_id")):
        raise ValueError("not a Telegram update")
    update_id = update["update_id"]
    for key in ("message", "edited_message"):
        if key in update:
            message = update[key]
            chat = _private_chat(message)
            if chat is None:
                return None
            if isinstance(message.get("text"), str):
                return TelegramMessage(update_id, chat, _words(message["text"]))
            if any(kind in message for kind in WORDLESS):
                return TelegramMessage(update_id, chat, "")
            return None
    callback = update.get("callback_query")
    if isinstance(callback, dict) and "message" in callback:
        chat = _private_chat(callback["message"])
        data = callback.get("data")
        if chat is None or not isinstance(data, str):
            return None
        return TelegramMessage(update_id, chat, data, callback_id=str(callback.get("id", "")))
    return None


@csrf_exempt
@require_POST
def telegram_webhook(request: HttpRequest) -> HttpResponse:
    given = request.headers.get(SECRET_HEADER, "")
    if not secret_matches(given, settings.GILIRAN_TELEGRAM_WEBHOOK_SECRET):
        return HttpResponse(status=403)
    body = body_of(request)
    if body is None:
        return HttpResponse("The update is too large.", status=400, content_type="text/plain")
    try:
        message = telegram_update_parse(json_of(body))
    except ValueError:
        return HttpResponse("Not a Telegram update.", status=400, content_type="text/plain")
    if message is None:
        return HttpResponse(status=200)
    assistant_receive(
        Inbound(
            channel="telegram",
            text=message.text,
            user=message.chat_id,
            external_id=str(message.update_id),
        )
    )
    if message.callback_id:
        # The answer to a webhook may be one Bot API call: this one stops the button's
        # spinner. The reply itself comes through the outbox.
        return JsonResponse(
            {"method": "answerCallbackQuery", "callback_query_id": message.callback_id}
        )
    return HttpResponse(status=200)
