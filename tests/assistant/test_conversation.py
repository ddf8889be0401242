"""The conversation service: one message in, the reply out, the conversation stored."""

from __future__ import annotations

from assistant.models import Author, Conversation, Turn


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
