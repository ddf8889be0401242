"""The WhatsApp Cloud API webhook and transport: Meta's handshake, only signed
notifications get in, each message is answered once, and the reply reaches the Graph API
as text and buttons inside the 24-hour window and as the approved template outside it."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from assistant.models import Author, Conversation, Turn
from notifications.channels import Outgoing, WhatsAppCloudTransport
from notifications.models import Message, MessageStatus
from notifications.rendering import Rendered
from notifications.services.outbox import outbox_dispatch_due
from tests.assistant.channel_helpers import payload, stored
from tests.assistant.fake_platform import FakePlatform

URL = "/webhooks/whatsapp/"
APP_SECRET = "meta-app-secret-0123456789abcdef"
VERIFY = "giliran-verify-token"
PHONE_ID = "106540352242922"
ACCESS = "EAAG-fake-access-token"


@pytest.fixture
def graph(settings: Any) -> Iterator[FakePlatform]:
    answer = {
        "messaging_product": "whatsapp",
        "contacts": [{"input": "6281234567890", "wa_id": "6281234567890"}],
        "messages": [{"id": "wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABEYEjQ1RjdBOEIyQzNEMEFBMUU2AA=="}],
    }
    with FakePlatform(answer) as platform:
        settings.GILIRAN_WHATSAPP_APP_SECRET = APP_SECRET
        settings.GILIRAN_WHATSAPP_VERIFY_TOKEN = VERIFY
        settings.GILIRAN_WHATSAPP_CLOUD_API_URL = platform.url
        settings.GILIRAN_WHATSAPP_PHONE_NUMBER_ID = PHONE_ID
        settings.GILIRAN_WHATSAPP_CLOUD_TOKEN = ACCESS
        settings.GILIRAN_WHATSAPP_REPLY_TEMPLATE = "giliran_reply"
        settings.GILIRAN_CONSOLE_MESSAGES = False
        yield platform


def fresh(name: str, **message: Any) -> dict[str, Any]:
    """A recorded notification whose messages were sent just now."""
    notification = payload(name)
    for item in notification["entry"][0]["changes"][0]["value"].get("messages", []):
        item["timestamp"] = str(int(time.time()))
        item.update(message)
    return notification


def signature(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post(client: Client, notification: Any, *, sign: str | None = "") -> Any:
    body = notification if isinstance(notification, bytes) else json.dumps(notification).encode()
    headers: dict[str, str] = {}
    if sign is not None:
        headers["X-Hub-Signature-256"] = sign or signature(body)
    return client.post(URL, data=body, content_type="application/json", headers=headers)


# --- the handshake ----------------------------------------------------------------------


def test_the_handshake_echoes_the_challenge(client: Client, graph: FakePlatform) -> None:
    response = client.get(
        URL, {"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"}
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response.content == b"1158201444"


@pytest.mark.parametrize(
    "query",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY, "hub.challenge": "1"},
        {"hub.challenge": "1"},
    ],
)
def test_a_wrong_handshake_is_refused(
    client: Client, graph: FakePlatform, query: dict[str, str]
) -> None:
    assert client.get(URL, query).status_code == 403


def test_no_handshake_passes_while_the_verify_token_is_unset(
    client: Client, graph: FakePlatform, settings: Any
) -> None:
    settings.GILIRAN_WHATSAPP_VERIFY_TOKEN = ""
    query = {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"}

    assert client.get(URL, query).status_code == 403


# --- messages in -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("sign", [None, "sha256=" + "0" * 64, "wrong", "other secret"])
def test_without_the_signature_nothing_is_done(
    client: Client, graph: FakePlatform, sign: str | None
) -> None:
    notification = fresh("whatsapp_text")
    if sign == "other secret":
        sign = signature(json.dumps(notification).encode(), "another-app-secret")

    assert post(client, notification, sign=sign).status_code == 403
    assert stored() == (0, 0, 0)


@pytest.mark.django_db
def test_the_signature_covers_the_raw_body(client: Client, graph: FakePlatform) -> None:
    notification = fresh("whatsapp_text")
    signed = json.dumps(notification).encode()
    reformatted = json.dumps(notification, indent=2).encode()  # the same JSON, other bytes

    assert post(client, reformatted, sign=signature(signed)).status_code == 403
    assert stored() == (0, 0, 0)


@pytest.mark.django_db
def test_a_message_is_answered_with_buttons_inside_the_window(
    client: Client, graph: FakePlatform
) -> None:
    assert post(client, fresh("whatsapp_text")).status_code == 200

    conversation = Conversation.objects.get()
    assert conversation.channel == "whatsapp"
    message = Message.objects.get()
    assert (message.channel, message.recipient) == ("whatsapp", "+6281234567890")
    reply = Turn.objects.get(author=Author.ASSISTANT)

    assert outbox_dispatch_due() == 1

    [sent] = graph.requests
    assert sent.path == f"/{PHONE_ID}/messages"
    assert sent.headers["Authorization"] == f"Bearer {ACCESS}"
    assert sent.body["messaging_product"] == "whatsapp"
    assert sent.body["to"] == "6281234567890"
    # The greeting offers four suggestions: more than three buttons make a list.
    assert sent.body["type"] == "interactive"
    interactive = sent.body["interactive"]
    assert interactive["type"] == "list"
    assert interactive["body"]["text"] == reply.text
    rows = interactive["action"]["sections"][0]["rows"]
    assert [(row["title"], row["id"]) for row in rows] == [
        (s["label"], s["text"]) for s in reply.suggestions
    ]
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.provider_ref.startswith("wamid.")


@pytest.mark.django_db
def test_outside_the_24_hour_window_the_template_carries_the_reply(
    client: Client, graph: FakePlatform
) -> None:
    post(client, fresh("whatsapp_text"))
    # A day and more later (a staff answer given late): the window has closed.
    Conversation.objects.update(last_inbound_at=timezone.now() - timedelta(hours=25))
    reply = Turn.objects.get(author=Author.ASSISTANT)

    outbox_dispatch_due()

    [sent] = graph.requests
    assert sent.body["type"] == "template"
    template = sent.body["template"]
    assert template["name"] == "giliran_reply"
    assert template["language"] == {"code": "id"}
    [parameter] = template["components"][0]["parameters"]
    assert parameter == {"type": "text", "text": " ".join(reply.text.split())}
    assert "\n" not in parameter["text"]


@pytest.mark.django_db
def test_outside_the_window_without_a_template_the_reply_is_a_dead_letter(
    client: Client, graph: FakePlatform, settings: Any
) -> None:
    settings.GILIRAN_WHATSAPP_REPLY_TEMPLATE = ""
    post(client, fresh("whatsapp_text"))
    Conversation.objects.update(last_inbound_at=timezone.now() - timedelta(hours=25))

    outbox_dispatch_due()

    message = Message.objects.get()
    assert message.status == MessageStatus.DEAD
    assert "GILIRAN_WHATSAPP_REPLY_TEMPLATE" in message.last_error
    assert graph.requests == []


def outgoing(
    text: str, buttons: tuple[tuple[str, str], ...], *, window_open: bool | None = True
) -> Outgoing:
    return Outgoing(
        idempotency_key="giliran-1",
        channel="whatsapp",
        kind="assistant_reply",
        recipient="+6281234567890",
        language="en",
        reference="",
        rendered=Rendered(subject="", text=text, html=""),
        buttons=buttons,
        window_open=window_open,
    )


def transport() -> WhatsAppCloudTransport:
    return WhatsAppCloudTransport(
        api_url="http://127.0.0.1:9",
        phone_number_id=PHONE_ID,
        token=ACCESS,
        template="giliran_reply",
        timeout=1,
    )


def test_up_to_three_short_suggestions_are_reply_buttons() -> None:
    body = transport().payload(
        outgoing("Which day?", (("Tomorrow", "tomorrow"), ("Friday", "friday")))
    )

    assert body["type"] == "interactive"
    assert body["interactive"]["type"] == "button"
    assert body["interactive"]["action"]["buttons"] == [
        {"type": "reply", "reply": {"id": "tomorrow", "title": "Tomorrow"}},
        {"type": "reply", "reply": {"id": "friday", "title": "Friday"}},
    ]


def test_a_reply_without_suggestions_is_plain_text_and_an_unknown_window_a_template() -> None:
    assert transport().payload(outgoing("Done.", ())) == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "6281234567890",
        "type": "text",
        "text": {"body": "Done.", "preview_url": False},
    }
    # A notice nobody asked for (a reminder) does not know the window: a template.
    assert transport().payload(outgoing("Done.", (), window_open=None))["type"] == "template"


def test_a_long_reply_is_cut_to_the_templates_limit() -> None:
    body = transport().payload(outgoing("word " * 500, (), window_open=False))

    text = body["template"]["components"][0]["parameters"][0]["text"]
    assert len(text) <= 700 and text.endswith("…")


@pytest.mark.django_db
def test_a_repeated_notification_is_answered_once(client: Client, graph: FakePlatform) -> None:
    notification = fresh("whatsapp_text")

    assert post(client, notification).status_code == 200
    assert post(client, notification).status_code == 200

    assert stored() == (1, 2, 1)
    outbox_dispatch_due()
    outbox_dispatch_due()
    assert len(graph.requests) == 1


@pytest.mark.django_db
def test_a_button_press_sends_the_suggestions_words(client: Client, graph: FakePlatform) -> None:
    post(client, fresh("whatsapp_button_reply"))

    assert Turn.objects.get(author=Author.CITIZEN).intent == "thanks"


@pytest.mark.django_db
def test_an_image_gets_a_request_for_words(client: Client, graph: FakePlatform) -> None:
    post(client, fresh("whatsapp_image"))

    assert Turn.objects.get(author=Author.ASSISTANT).text == (
        "Silakan tulis pertanyaan Anda dengan kata-kata."
    )


@pytest.mark.django_db
def test_status_notifications_and_old_messages_are_acknowledged_unanswered(
    client: Client, graph: FakePlatform
) -> None:
    old = fresh("whatsapp_text", timestamp=str(int(time.time()) - 2 * 24 * 3600))

    assert post(client, payload("whatsapp_statuses")).status_code == 200
    assert post(client, old).status_code == 200

    assert stored() == (0, 0, 0)


@pytest.mark.django_db
def test_a_number_from_abroad_keeps_its_country(client: Client, graph: FakePlatform) -> None:
    post(client, fresh("whatsapp_text", **{"from": "447700900123"}))

    assert Message.objects.get().recipient == "+447700900123"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"\xff\xfe\x00binary",
        json.dumps({"object": "whatsapp_business_account"}).encode(),
        json.dumps(
            {"entry": [{"changes": [{"field": "messages", "value": {"messages": [{"id": "x"}]}}]}]}
        ).encode(),
        json.dumps({"entry": [], "padding": "x" * 70_000}).encode(),
    ],
)
def test_what_is_no_notification_is_refused_without_a_trace(
    client: Client, graph: FakePlatform, body: bytes
) -> None:
    assert post(client, body).status_code == 400
    assert stored() == (0, 0, 0)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "code", "outcome"),
    [
        (400, 131047, MessageStatus.DEAD),  # re-engagement: outside the window
        (401, 190, MessageStatus.DEAD),  # the access token expired
        (400, 130429, MessageStatus.PENDING),  # throughput reached
        (503, 131016, MessageStatus.PENDING),  # Meta's service unavailable
    ],
)
def test_graph_api_errors_are_mapped(
    client: Client, graph: FakePlatform, status: int, code: int, outcome: str
) -> None:
    post(client, fresh("whatsapp_text"))
    graph.fail(
        status,
        {"error": {"message": f"(#{code}) refused", "type": "OAuthException", "code": code}},
    )

    outbox_dispatch_due()

    message = Message.objects.get()
    assert message.status == outcome
    assert ACCESS not in message.last_error
