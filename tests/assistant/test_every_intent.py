"""Every one of the 18 intents, in Indonesian and in English, gets its own skill's answer
in the citizen's language: a message of each kind opens a fresh conversation and the
reply names the intent, keeps the language and is not the "not understood" fallback.
tests/assistant/test_journeys.py runs whole conversations on each channel."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.understanding.classifier import INTENTS

MESSAGES: dict[str, tuple[str, str]] = {
    "greet": ("selamat pagi min", "good morning"),
    "thanks": ("terima kasih banyak ya", "thank you so much"),
    "requirements": (
        "apa saja syarat membuat paspor baru?",
        "what documents do I need for a new passport?",
    ),
    "hours": (
        "jam buka kanim jakarta pusat?",
        "what time does the jakarta pusat immigration office open?",
    ),
    "location": ("alamat mpp denpasar di mana?", "where is mpp denpasar located?"),
    "fees": ("berapa biaya paspor baru?", "how much does a new passport cost?"),
    "book": ("saya mau booking jadwal bikin paspor", "I want to book an appointment"),
    "reschedule": ("saya mau ganti jadwal booking saya", "I need to reschedule my appointment"),
    "cancel": ("saya mau membatalkan booking saya", "I want to cancel my booking"),
    "book_status": ("cek status booking saya", "check the status of my booking"),
    "take_number": ("saya mau ambil nomor antrean", "I want to take a queue number"),
    "queue_position": (
        "nomor antrean saya sudah sampai mana?",
        "how many people are ahead of me in the queue?",
    ),
    "complaint": ("saya mau mengadu soal pelayanan", "I want to file a complaint"),
    "complaint_status": ("bagaimana status pengaduan saya?", "what is the status of my complaint?"),
    "survey": ("saya mau kasih nilai pelayanan", "I want to rate the service"),
    "document_check": ("KK saya yang lama masih berlaku ga?", "is my old family card still valid?"),
    "human": ("saya mau bicara dengan petugas", "I want to talk to a human"),
    "out_of_scope": ("cara bikin SIM gimana?", "what's the weather today?"),
}
NOT_UNDERSTOOD = ("Maaf, saya belum paham", "Sorry, I did not understand")


def test_every_intent_has_a_message_in_each_language() -> None:
    assert sorted(MESSAGES) == sorted(INTENTS)


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("intent", INTENTS)
def test_each_intent_is_answered_by_its_skill_in_the_citizens_language(
    web_chat: Any, intent: str, language: str
) -> None:
    text = MESSAGES[intent][0 if language == "id" else 1]
    reply = web_chat(text)
    assert (reply.intent, reply.language) == (intent, language)
    assert reply.text and not reply.text.startswith(NOT_UNDERSTOOD)
    words = f" {reply.text.lower()} "
    if language == "en":
        assert " anda " not in words and " silakan " not in words, reply.text
    else:
        assert " you " not in words and " your " not in words, reply.text
