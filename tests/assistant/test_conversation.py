"""The conversation service: one message in, the reply out, the conversation stored."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from assistant.conversation import Inbound, message_receive
from assistant.models import Author, Conversation, Handoff, ReviewItem, Turn
from core.errors import ApplicationError


def test_a_greeting_is_answered_in_its_language_and_stored_masked(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("halo min, selamat pagi")
    assert reply.intent == "greet"
    assert reply.language == "id"
    assert "Tanya Giliran" in reply.text
    assert reply.suggestions
    english = chat("hello, good morning to you")
    assert english.conversation == reply.conversation
    assert english.language == "en"
    assert "Hello" in english.text
    conversation = Conversation.objects.get(token=reply.conversation)
    assert [t.author for t in Turn.objects.filter(conversation=conversation)] == [
        Author.CITIZEN,
        Author.ASSISTANT,
        Author.CITIZEN,
        Author.ASSISTANT,
    ]


def test_a_nik_phone_and_email_are_never_stored(chat) -> None:  # type: ignore[no-untyped-def]
    chat("nik saya 3171 0101 0190 0001, hp 0812-3456-7890, email budi@contoh.id")
    stored = " ".join(Turn.objects.values_list("text", flat=True))
    assert "3171" not in stored and "0101" not in stored
    assert "3456" not in stored and "budi@" not in stored
    assert "0001" in stored  # the last four digits, as on every page


WIB = ZoneInfo("Asia/Jakarta")
TUESDAY_MORNING = datetime(2026, 12, 22, 10, 0, tzinfo=WIB)


def test_asking_for_a_person_hands_over_to_the_named_office(chat) -> None:  # type: ignore[no-untyped-def]
    asked = chat("saya mau bicara dengan petugas", now=TUESDAY_MORNING)
    assert asked.intent == "human"
    assert "kantor" in asked.text.lower()  # which office?
    handed = chat("kanim jakarta pusat", now=TUESDAY_MORNING)
    assert [a.kind for a in handed.actions] == ["handoff"]
    assert "30 menit" in handed.text
    conversation = Conversation.objects.get(token=handed.conversation)
    assert conversation.handoff == Handoff.WAITING
    assert conversation.office is not None and conversation.office.code == "kanim-jakarta-pusat"
    assert conversation.handoff_due_at == TUESDAY_MORNING + timedelta(minutes=30)
    # While a person has it, the assistant only acknowledges.
    later = chat("halo? ada orang?", now=TUESDAY_MORNING + timedelta(minutes=1))
    assert "diteruskan" in later.text


def test_a_closed_office_says_when_a_person_will_answer(chat) -> None:  # type: ignore[no-untyped-def]
    sunday = datetime(2026, 12, 20, 9, 0, tzinfo=WIB)
    reply = chat("saya mau ngobrol sama petugas kanim jakarta pusat", now=sunday)
    assert "Senin, 21 Desember 2026, 08:00 WIB" in reply.text
    conversation = Conversation.objects.get(token=reply.conversation)
    assert conversation.handoff_due_at == datetime(2026, 12, 21, 8, 30, tzinfo=WIB)


def test_two_messages_not_understood_hand_over_and_are_kept_masked_for_review(
    chat: Any, settings: Any
) -> None:
    # Whatever the model makes of them, these two count as not understood.
    settings.GILIRAN_ASSISTANT_MIN_CONFIDENCE = 0.999
    first = chat("terus gimana 0812-9999-1234", now=TUESDAY_MORNING)
    assert not first.actions
    assert first.suggestions
    second = chat("itu loh yang kemarin", now=TUESDAY_MORNING)
    assert "petugas" in second.text and "kantor" in second.text
    handed = chat("kanim jakarta pusat", now=TUESDAY_MORNING)
    assert [a.kind for a in handed.actions] == ["handoff"]
    reviewed = list(ReviewItem.objects.values_list("text", flat=True))
    assert len(reviewed) == 2
    assert not any("9999" in text for text in reviewed)
    assert any("*" in text and text.endswith("234") for text in reviewed)


def test_a_flow_ends_on_batal_and_forgets_what_it_collected(chat) -> None:  # type: ignore[no-untyped-def]
    asked = chat("syaratnya apa aja ya min?")
    conversation = Conversation.objects.get(token=asked.conversation)
    assert conversation.state["flow"] == "need"
    stopped = chat("batal")
    conversation.refresh_from_db()
    assert "flow" not in conversation.state
    assert conversation.secrets_encrypted == ""
    assert "hentikan" in stopped.text


def test_a_silent_conversation_starts_afresh(chat) -> None:  # type: ignore[no-untyped-def]
    first = chat("syaratnya apa aja ya min?", now=TUESDAY_MORNING)
    later = chat("paspor baru", now=TUESDAY_MORNING + timedelta(minutes=31))
    assert later.conversation != first.conversation
    assert later.intent == "requirements"  # understood on its own, not as the old step


@pytest.mark.usefixtures("demo_country")
def test_a_delivery_seen_before_is_not_answered_twice() -> None:
    inbound = Inbound(channel="telegram", text="halo", user="777", external_id="update-1")
    assert message_receive(inbound) is not None
    assert message_receive(inbound) is None
    assert Turn.objects.count() == 2


@pytest.mark.usefixtures("demo_country")
def test_one_citizen_is_limited_per_minute(settings) -> None:  # type: ignore[no-untyped-def]
    settings.GILIRAN_RATE_ASSISTANT_PER_USER = "3/m"
    for number in range(3):
        message_receive(Inbound(channel="telegram", text=f"halo {number}", user="555"))
    with pytest.raises(ApplicationError) as refused:
        message_receive(Inbound(channel="telegram", text="halo lagi", user="555"))
    assert refused.value.status_code == 429
    # Another chat is not held back by the first.
    assert message_receive(Inbound(channel="telegram", text="halo", user="556")) is not None
    assert Turn.objects.filter(author=Author.CITIZEN).count() == 4


@pytest.mark.parametrize(
    "text",
    ["", "   ", "😀😀😀", "\x00\x01\x02binary\xff", "<script>alert(1)</script>", "x" * 100_000],
)
def test_bad_input_gets_a_clear_answer_and_is_stored_safely(chat, text: str) -> None:  # type: ignore[no-untyped-def]
    reply = chat(text)
    assert reply.text
    stored = Turn.objects.filter(author=Author.CITIZEN).get()
    assert "\x00" not in stored.text
    assert len(stored.text) <= 1000
