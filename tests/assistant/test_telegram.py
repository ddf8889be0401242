"""The Telegram Bot webhook and the Telegram transport: only Telegram (the secret token)
gets in, each update is answered once, and the reply reaches the Bot API through the
outbox with its buttons."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from assistant.models import Author, Conversation, Turn
from notifications.models import Message, MessageStatus
from notifications.services.outbox import outbox_dispatch_due
from tests.assistant.channel_helpers import payload, stored
from tests.assistant.fake_platform import FakePlatform

URL = "/webhooks/telegram/"
SECRET = "telegram-webhook-secret-0123456789"
TOKEN = "7000000001:AAH-fake-bot-token"


@pytest.fixture
def bot_api(settings: Any) -> Iterator[FakePlatform]:
    with FakePlatform({"ok": True, "result": {"message_id": 4242}}) as platform:
        settings.GILIRAN_TELEGRAM_WEBHOOK_SECRET = SECRET
        settings.GILIRAN_TELEGRAM_BOT_TOKEN = TOKEN
        settings.GILIRAN_TELEGRAM_API_URL = platform.url
        settings.GILIRAN_CONSOLE_MESSAGES = False
        yield platform


def post(client: Client, body: Any, *, secret: str | None = SECRET) -> Any:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    data = body if isinstance(body, bytes) else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json", headers=headers)


@pytest.mark.django_db
@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET + "x"])
def test_without_the_secret_token_nothing_is_done(
    client: Client, bot_api: FakePlatform, secret: str | None
) -> None:
    response = post(client, payload("telegram_message"), secret=secret)

    assert response.status_code == 403
    assert stored() == (0, 0, 0)


@pytest.mark.django_db
def test_an_unconfigured_secret_lets_nobody_in(
    client: Client, bot_api: FakePlatform, settings: Any
) -> None:
    settings.GILIRAN_TELEGRAM_WEBHOOK_SECRET = ""

    assert post(client, payload("telegram_message"), secret="").status_code == 403
    assert stored() == (0, 0, 0)


@pytest.mark.django_db
def test_a_message_is_answered_through_the_bot_api_with_its_suggestions(
    client: Client, bot_api: FakePlatform
) -> None:
    response = post(client, payload("telegram_message"))

    assert response.status_code == 200
    conversation = Conversation.objects.get()
    assert conversation.channel == "telegram"
    reply = Turn.objects.get(author=Author.ASSISTANT)
    message = Message.objects.get()
    assert (message.channel, message.recipient) == ("telegram", "520000001")
    assert "520000001" not in json.dumps(message.context)  # the chat id is the address only

    assert outbox_dispatch_due() == 1

    [sent] = bot_api.requests
    assert sent.path == f"/bot{TOKEN}/sendMessage"
    assert sent.body["chat_id"] == 520000001
    assert sent.body["text"] == reply.text
    keyboard = sent.body["reply_markup"]["keyboard"]
    assert [row[0]["text"] for row in keyboard] == [s["text"] for s in reply.suggestions]
    assert len(keyboard) == 4 and sent.body["reply_markup"]["one_time_keyboard"] is True
    message.refresh_from_db()
    assert (message.status, message.provider_ref) == (MessageStatus.SENT, "telegram:4242")


@pytest.mark.django_db
def test_a_repeated_update_is_answered_once(client: Client, bot_api: FakePlatform) -> None:
    update = payload("telegram_message")

    assert post(client, update).status_code == 200
    assert post(client, update).status_code == 200

    assert stored() == (1, 2, 1)


@pytest.mark.django_db
def test_the_outbox_sends_a_reply_exactly_once_when_dispatch_runs_twice(
    client: Client, bot_api: FakePlatform
) -> None:
    post(client, payload("telegram_message"))
    message = Message.objects.get()

    from notifications.services.outbox import outbox_dispatch_message

    assert outbox_dispatch_message(message_id=message.pk) == MessageStatus.SENT
    assert outbox_dispatch_message(message_id=message.pk) is None
    assert outbox_dispatch_due() == 0

    assert len(bot_api.requests) == 1


@pytest.mark.django_db
def test_edited_messages_and_button_presses_are_questions_too(
    client: Client, bot_api: FakePlatform
) -> None:
    assert post(client, payload("telegram_edited_message")).status_code == 200
    response = post(client, payload("telegram_callback_query"))

    # The button's spinner is stopped in the webhook's own answer.
    assert response.json() == {
        "method": "answerCallbackQuery",
        "callback_query_id": "4382bfdwdsb323b2d9",
    }
    intents = list(
        Turn.objects.filter(author=Author.CITIZEN).order_by("pk").values_list("intent", flat=True)
    )
    assert intents == ["greet", "thanks"]
    assert Conversation.objects.get().language == "en"  # the edited message was English
    assert Message.objects.count() == 2


@pytest.mark.django_db
def test_start_greets(client: Client, bot_api: FakePlatform) -> None:
    update = payload("telegram_message")
    update["message"]["text"] = "/start"

    post(client, update)

    assert Turn.objects.get(author=Author.CITIZEN).intent == "greet"


@pytest.mark.django_db
def test_a_photo_is_answered_with_a_request_for_words(
    client: Client, bot_api: FakePlatform
) -> None:
    assert post(client, payload("telegram_photo")).status_code == 200

    reply = Turn.objects.get(author=Author.ASSISTANT)
    assert reply.text == "Silakan tulis pertanyaan Anda dengan kata-kata."
    assert Message.objects.count() == 1


@pytest.mark.django_db
def test_group_chats_and_other_updates_are_ignored(client: Client, bot_api: FakePlatform) -> None:
    member_update = {
        "update_id": 815360099,
        "my_chat_member": {"chat": {"id": 520000001, "type": "private"}, "date": 1764750000},
    }

    assert post(client, payload("telegram_group_message")).status_code == 200
    assert post(client, member_update).status_code == 200

    assert stored() == (0, 0, 0)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"\xff\xfe\x00binary\x00",
        b"[1, 2, 3]",
        json.dumps({"update_id": "1", "message": {}}).encode(),
        json.dumps({"update_id": 1, "message": {"text": "halo"}}).encode(),
        json.dumps({"update_id": 1, "message": {"chat": {"id": "x"}, "text": "halo"}}).encode(),
        json.dumps({"update_id": 1, "message": {"chat": {}, "text": "x" * 70_000}}).encode(),
        b"[" * 100_000,
    ],
)
def test_what_is_no_update_is_refused_without_a_trace(
    client: Client, bot_api: FakePlatform, body: bytes
) -> None:
    response = post(client, body)

    assert response.status_code == 400
    assert stored() == (0, 0, 0)


@pytest.mark.django_db
def test_a_citizen_over_the_limit_is_not_retried_forever(
    client: Client, bot_api: FakePlatform, settings: Any
) -> None:
    settings.GILIRAN_RATE_ASSISTANT_PER_USER = "1/m"
    second = payload("telegram_message")
    second["update_id"] += 1

    assert post(client, payload("telegram_message")).status_code == 200
    assert post(client, second).status_code == 200  # Telegram must not redeliver it

    assert stored() == (1, 2, 1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "answer", "outcome"),
    [
        (
            403,
            {
                "ok": False,
                "error_code": 403,
                "description": "Forbidden: bot was blocked by the user",
            },
            MessageStatus.DEAD,
        ),
        (
            400,
            {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"},
            MessageStatus.DEAD,
        ),
        (
            429,
            {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 5",
                "parameters": {"retry_after": 5},
            },
            MessageStatus.PENDING,
        ),
        (
            502,
            {"ok": False, "error_code": 502, "description": "Bad Gateway"},
            MessageStatus.PENDING,
        ),
    ],
)
def test_telegram_refusals_are_permanent_and_its_troubles_temporary(
    client: Client, bot_api: FakePlatform, status: int, answer: dict[str, Any], outcome: str
) -> None:
    post(client, payload("telegram_message"))
    bot_api.fail(status, answer)

    outbox_dispatch_due()

    message = Message.objects.get()
    assert message.status == outcome
    assert answer["description"] in message.last_error
    assert TOKEN not in message.last_error
