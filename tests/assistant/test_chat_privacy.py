"""What a chat keeps and what it proves: a secret shown once on every channel, citizens'
proofs and complaints kept out of the transcript staff read, limits that a new
conversation does not reset, wrong keys counted, and lapsed flows forgotten."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from assistant.conversation import Inbound, message_receive
from assistant.masking import mask_personal
from assistant.models import Conversation, Handoff, Turn
from complaints.models import Complaint
from notifications.models import Message, MessageChannel, MessageStatus
from notifications.services.outbox import _finish

NOW = datetime(2026, 12, 9, 3, 0, tzinfo=UTC)  # Wednesday, 10:00 WIB
KEY = re.compile(r"[A-HJKMNP-Z2-9]{5}-[A-HJKMNP-Z2-9]{5}")
HTMX = {"HX-Request": "true"}


def _file_complaint_on_the_web(client: Client, headers: dict[str, str]) -> str:
    """A complaint filed through the web chat; the page's words after the last step."""
    url = reverse("assistant-chat")
    for text in (
        "saya mau mengadu soal pelayanan",
        "petugas",
        "Disdukcapil Bandung",
        "Petugas loket dua membentak saya dan menolak menjelaskan syaratnya",
        "tidak",
        "ya",
    ):
        response = client.post(url, {"text": text}, follow=not headers, headers=headers)
    return response.content.decode()


@pytest.mark.usefixtures("demo_country")
@pytest.mark.parametrize("headers", [HTMX, {}], ids=["htmx", "no-js"])
def test_the_web_chat_shows_a_complaints_access_key_once(client: Client, headers: Any) -> None:
    shown = _file_complaint_on_the_web(client, headers)
    key = KEY.search(shown)
    assert key is not None, "the access key is on the page that answers the filing"
    complaint = Complaint.objects.get()
    stored = " ".join(Turn.objects.values_list("text", flat=True))
    assert key.group(0) not in stored
    assert complaint.text not in stored  # the complaint itself is in its record only
    again = client.get(reverse("assistant-chat")).content.decode()
    assert key.group(0) not in again  # once


@pytest.mark.usefixtures("demo_country")
def test_wrong_access_keys_by_chat_count_towards_the_numbers_lock(settings: Any) -> None:
    settings.GILIRAN_COMPLAINT_LOOKUP_ATTEMPTS = 3
    send = _chat("whatsapp", "+6281234567890")
    for text in (
        "saya mau mengadu soal pelayanan",
        "fasilitas",
        "kanim jakarta pusat",
        "AC di ruang tunggu mati sejak pagi dan tidak ada kursi yang cukup",
        "ya",
    ):
        send(text)
    complaint = Complaint.objects.get()
    for _attempt in range(3):
        send(f"status pengaduan {complaint.number} AAAAA-BBBBB")
    complaint.refresh_from_db()
    assert complaint.lookup_failures >= 3


@pytest.mark.usefixtures("demo_country")
def test_a_new_conversation_on_the_api_does_not_reset_the_look_up_limit(
    client: Client, settings: Any
) -> None:
    settings.GILIRAN_RATE_LOOKUP_PER_IP = "2/h"
    url = reverse("api-assistant-messages")
    answers = [
        client.post(
            url,
            {"text": "status pengaduan ADU-2026-00001 AAAAA-BBBBB"},
            content_type="application/json",
        ).json()["reply"]
        for _ in range(3)
    ]
    assert "Terlalu banyak percobaan" in answers[2]
    assert "Terlalu banyak percobaan" not in answers[0]


@pytest.mark.usefixtures("demo_country")
def test_a_citizen_may_take_back_a_handoff_nobody_has_taken() -> None:
    send = _chat("telegram", "4242")
    send("saya mau bicara dengan petugas kanim jakarta pusat")
    conversation = Conversation.objects.get()
    assert conversation.handoff == Handoff.WAITING
    send("batal")
    conversation.refresh_from_db()
    assert conversation.handoff == Handoff.CLOSED
    assert send("syarat paspor baru apa aja?").intent == "requirements"


@pytest.mark.usefixtures("demo_country")
def test_a_lapsed_flow_forgets_what_it_collected() -> None:
    send = _chat("telegram", "5151")
    send("saya mau booking paspor baru di kanim jakarta pusat")
    first = Conversation.objects.get()
    first.secrets_encrypted = "stand-in for what the flow collected"
    first.save(update_fields=["secrets_encrypted"])
    send("halo", now=NOW + timedelta(hours=2))
    first.refresh_from_db()
    assert first.secrets_encrypted == "" and first.state == {}
    assert Conversation.objects.count() == 2


@pytest.mark.usefixtures("demo_country")
def test_control_characters_never_reach_a_query() -> None:
    send = _chat("telegram", "6161")
    reply = send("status booking K7Q\x002MZ9D\x00 0001")
    assert reply.text
    assert "\x00" not in "".join(Turn.objects.values_list("text", flat=True))


def test_access_keys_are_masked_with_or_without_their_dash() -> None:
    assert KEY.search(mask_personal("kunci saya K7QMX-2PA9D")) is None
    assert "k7qmx2pa9d" not in mask_personal("ADU-2026-00012 k7qmx2pa9d")
    assert mask_personal("pembayaran lewat bank") == "pembayaran lewat bank"


@pytest.mark.django_db
def test_a_secret_leaves_an_outbox_row_that_failed_or_was_skipped() -> None:
    for status in (MessageStatus.DEAD, MessageStatus.SKIPPED):
        message = Message.objects.create(
            dedup_key=f"test:{status}",
            kind="complaint_received",
            channel=MessageChannel.TELEGRAM,
            recipient="123456789",
            context={"code": "K7QMX-2PA9D", "number": "ADU-2026-00001"},
            due_at=NOW,
            status=MessageStatus.SENDING,
            claim_token="claim",
        )
        assert _finish(message, attempted=True, status=status)
        message.refresh_from_db()
        assert message.context == {"code": "••••••", "number": "ADU-2026-00001"}
        assert message.masked_recipient == "••••••789"


def _chat(channel: str, user: str):  # type: ignore[no-untyped-def]
    def send(text: str, now: datetime = NOW):  # type: ignore[no-untyped-def]
        reply = message_receive(Inbound(channel=channel, text=text, user=user), now=now)
        assert reply is not None
        return reply

    return send
