"""POST /api/v1/assistant/messages/: the assistant over the REST API, in the project's
error shape, with its limits, never a 500 whatever the text."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from assistant.models import Channel, Conversation, Turn

URL = "/api/v1/assistant/messages/"

pytestmark = pytest.mark.django_db


def send(client: Client, body: Any, *, language: str = "id", raw: bool = False) -> Any:
    data = body if raw else json.dumps(body)
    return client.post(URL, data, content_type="application/json", HTTP_ACCEPT_LANGUAGE=language)


def test_a_question_gets_the_documented_shape(demo_country: None, client: Client) -> None:
    response = send(client, {"text": "jam buka kanim jakarta pusat"})

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "conversation",
        "turn",
        "intent",
        "confidence",
        "language",
        "reply",
        "suggestions",
        "actions",
    }
    assert body["intent"] == "hours"
    assert body["language"] == "id"
    assert 0 <= body["confidence"] <= 1 and body["reply"]
    assert all(set(s) == {"label", "text"} for s in body["suggestions"])
    conversation = Conversation.objects.get(token=body["conversation"])
    assert conversation.channel == Channel.API


def test_the_reply_follows_the_citizens_language_not_the_header(
    demo_country: None, client: Client
) -> None:
    english = send(client, {"text": "what time does the office open on monday"}, language="id")
    indonesian = send(client, {"text": "kantor imigrasi buka jam berapa"}, language="en")

    assert english.json()["language"] == "en"
    assert indonesian.json()["language"] == "id"


def test_a_one_word_message_answers_in_the_requests_language(
    demo_country: None, client: Client
) -> None:
    assert send(client, {"text": "halo"}, language="en").json()["language"] == "en"
    assert send(client, {"text": "halo"}, language="id").json()["language"] == "id"


def test_the_conversation_token_continues_the_conversation(
    demo_country: None, client: Client
) -> None:
    first = send(client, {"text": "halo"}).json()
    second = send(client, {"text": "terima kasih", "conversation": first["conversation"]}).json()

    assert second["conversation"] == first["conversation"]
    conversation = Conversation.objects.get(token=first["conversation"])
    assert conversation.turns.count() == 4


def test_an_unknown_token_starts_a_new_conversation(demo_country: None, client: Client) -> None:
    body = send(client, {"text": "halo", "conversation": "bukan-token-yang-ada"}).json()

    assert body["conversation"] != "bukan-token-yang-ada"
    assert Conversation.objects.filter(token=body["conversation"]).exists()


def test_a_web_chat_token_does_not_open_that_conversation_over_the_api(
    demo_country: None, client: Client
) -> None:
    client.post("/tanya/", {"text": "halo"})
    web = Conversation.objects.get(channel=Channel.WEB)

    body = send(client, {"text": "halo", "conversation": web.token}).json()

    assert body["conversation"] != web.token
    assert web.turns.count() == 2


@pytest.mark.parametrize(
    ("language", "message", "field_message"),
    [
        ("en", "Some of the data sent is not valid.", "Write at most 1000 characters."),
        ("id", "Sebagian data yang dikirim tidak valid.", "Tulis paling banyak 1000 karakter."),
    ],
)
def test_a_text_over_1000_characters_is_refused_in_the_requests_language(
    demo_country: None, client: Client, language: str, message: str, field_message: str
) -> None:
    response = send(client, {"text": "a" * 1001}, language=language)

    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": message,
        "fields": {"text": [field_message]},
    }
    assert not Conversation.objects.exists()


def test_spaces_around_the_text_do_not_count_against_its_length(
    demo_country: None, client: Client
) -> None:
    assert send(client, {"text": "  " + "a" * 1000 + "  "}).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "text"),
        ({"text": None}, "text"),
        ({"text": ["halo"]}, "text"),
        ({"text": {"a": 1}}, "text"),
        ({"text": "halo", "conversation": "x" * 65}, "conversation"),
        ({"text": 12}, "text"),
        ({"text": True}, "text"),
        ({"text": "halo", "conversation": 5.5e300}, "conversation"),
        ({"text": "halo", "conversation": "ab\x00cd"}, "conversation"),
        ({"text": "halo\x00"}, "text"),
    ],
)
def test_malformed_fields_are_refused_with_the_field_named(
    demo_country: None, client: Client, body: dict[str, Any], field: str | None
) -> None:
    response = send(client, body, language="en")

    if field is None:  # a number is read as its text: an unknown token, a new conversation
        assert response.status_code == 200
        return
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["fields"]
    assert not Turn.objects.exists()


def test_unknown_fields_are_ignored(demo_country: None, client: Client) -> None:
    response = send(client, {"text": "halo", "channel": "telegram", "user": "62812"})

    assert response.status_code == 200
    assert Conversation.objects.get().channel == Channel.API


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[" * 100_000,
        b'"just a string"',
        b"\xff\xfe\x00binary",
    ],
)
def test_a_body_that_is_not_an_object_is_a_4xx_never_a_500(
    demo_country: None, client: Client, body: bytes
) -> None:
    response = send(client, body, raw=True)

    assert 400 <= response.status_code < 500
    assert set(response.json()) >= {"code", "message", "fields"}


def test_a_body_past_the_size_limit_is_refused(demo_country: None, client: Client) -> None:
    response = send(client, {"text": "a" * 70_000})

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "😀😀😀",
        "<script>alert('x')</script>",
        "halo\x01\x07\x1b kantor",
        "𝕙𝕒𝕝𝕠 ﷽ \u202e terbalik",
        "a" * 1000,
    ],
)
def test_odd_text_gets_a_clear_answer_or_a_4xx(
    demo_country: None, client: Client, text: str
) -> None:
    response = send(client, {"text": text})

    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert response.json()["reply"]
    else:
        assert response.json()["code"] == "invalid"


def test_markup_is_answered_as_text_and_stored_as_typed(demo_country: None, client: Client) -> None:
    body = send(client, {"text": "<b>halo</b>"}).json()

    stored = Turn.objects.filter(conversation__token=body["conversation"]).first()
    assert stored is not None and stored.text == "<b>halo</b>"


def test_an_empty_message_asks_for_words(demo_country: None, client: Client) -> None:
    body = send(client, {"text": ""}, language="en").json()

    assert body["reply"] == "Please write your question in words."


def test_too_many_messages_from_one_address_are_refused_with_429(
    demo_country: None, client: Client, settings: Any
) -> None:
    settings.GILIRAN_RATE_ASSISTANT_PER_IP = "3/m"
    for _ in range(3):  # three conversations: the per-conversation limit is not reached
        assert send(client, {"text": "halo"}).status_code == 200

    refused = send(client, {"text": "halo"}, language="en")

    assert refused.status_code == 429
    assert refused.json() == {
        "code": "rate_limited",
        "message": "Too many attempts. Please wait a while and try again.",
        "fields": {},
    }
    assert Conversation.objects.count() == 3
    # Another address is not counted with it.
    other = send(client.__class__(REMOTE_ADDR="10.9.8.7"), {"text": "halo"})
    assert other.status_code == 200


def test_too_many_messages_in_one_conversation_are_refused_with_429(
    demo_country: None, client: Client, settings: Any
) -> None:
    settings.GILIRAN_RATE_ASSISTANT_PER_USER = "2/m"
    token = send(client, {"text": "halo"}).json()["conversation"]
    assert send(client, {"text": "halo", "conversation": token}).status_code == 200

    refused = send(client, {"text": "halo", "conversation": token})

    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert Conversation.objects.get(token=token).turns.count() == 4


def test_the_openapi_schema_documents_the_endpoint(client: Client) -> None:
    schema = client.get("/api/schema/?format=json").json()

    operation = schema["paths"][URL]["post"]
    assert {"200", "400", "413", "429"} <= set(operation["responses"])
    request = operation["requestBody"]["content"]["application/json"]
    assert request["examples"]
    reference = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    reply = schema["components"]["schemas"][reference.rsplit("/", 1)[-1]]
    assert set(reply["properties"]) == {
        "conversation",
        "turn",
        "intent",
        "confidence",
        "language",
        "reply",
        "suggestions",
        "actions",
    }
    text = schema["components"]["schemas"]["MessageRequest"]["properties"]["text"]
    # A string of at most 1000 characters without NUL, or the empty string.
    assert text["oneOf"] == [
        {"type": "string", "maxLength": 1000, "pattern": "^[^\\u0000]+$"},
        {"type": "string", "maxLength": 0},
    ]


def test_a_rest_client_reads_a_persons_reply_after_a_handoff(
    demo_country: None, client: Client
) -> None:
    from django.contrib.auth.models import User

    from assistant.inbox import handoff_reply

    handed = client.post(
        URL,
        {"text": "saya mau bicara dengan petugas kanim jakarta pusat"},
        content_type="application/json",
    ).json()
    assert [a["kind"] for a in handed["actions"]] == ["handoff"]
    updates = reverse("api-assistant-updates")
    body = {"conversation": handed["conversation"], "after": handed["turn"]}
    waiting = client.post(updates, body, content_type="application/json").json()
    assert waiting == {"conversation": handed["conversation"], "handoff": "waiting", "turns": []}
    conversation = Conversation.objects.get(token=handed["conversation"])
    clerk = User.objects.get(username="petugas.jakarta")
    handoff_reply(conversation=conversation, by=clerk, text="Selamat siang, ada yang bisa dibantu?")
    answered = client.post(updates, body, content_type="application/json").json()
    assert answered["handoff"] == "with_staff"
    [turn] = answered["turns"]
    assert (turn["author"], turn["text"]) == ("staff", "Selamat siang, ada yang bisa dibantu?")


def test_updates_of_an_unknown_conversation_are_a_translated_404(
    demo_country: None, client: Client
) -> None:
    answer = client.post(
        reverse("api-assistant-updates"),
        {"conversation": "no-such-token", "after": 0},
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )
    assert answer.status_code == 404
    assert answer.json()["code"] == "conversation_not_found"
    assert "Send a new message" in answer.json()["message"]
    refused = client.post(
        reverse("api-assistant-updates"),
        {"conversation": "x", "after": -1},
        content_type="application/json",
    )
    assert refused.status_code == 400 and "after" in refused.json()["fields"]
