"""Complaints by chat: filed end to end through complaint_file, routed (pungli to the
integrity officer only), answered by staff, the citizen told on their channel, and the
status shown only with the access key."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User

from assistant.conversation import Inbound, Reply, message_receive
from assistant.models import Turn
from complaints.models import Complaint, ComplaintCategory, ContactChannel
from complaints.selectors import complaints_for_staff
from complaints.services import complaint_answer, complaint_find, contact_of
from notifications.models import Message

NOW = datetime(2026, 12, 9, 3, 0, tzinfo=UTC)
NUMBER = re.compile(r"^ADU-2026-\d{5}$")

Send = Callable[..., Reply]


@pytest.fixture
def talk(demo_country: None) -> Callable[..., Send]:
    def start(channel: str = "web", user: str = "") -> Send:
        token = {"value": ""}

        def send(text: str) -> Reply:
            inbound = Inbound(channel=channel, text=text, user=user, conversation=token["value"])
            reply = message_receive(inbound, now=NOW)
            assert reply is not None
            token["value"] = reply.conversation
            return reply

        return send

    return start


def test_a_complaint_is_filed_on_the_web_chat_in_indonesian(talk) -> None:  # type: ignore[no-untyped-def]
    send = talk()
    asked = send("saya mau mengadu")
    assert asked.intent == "complaint" and "kategori" in asked.text.lower()
    assert str(ComplaintCategory.PUNGLI.label) in [s.label for s in asked.suggestions] or any(
        "ungli" in s.label for s in asked.suggestions
    )
    assert "kantor" in send("petugas").text.lower()  # staff conduct, by its word
    assert "20 karakter" in send("Disdukcapil Bandung").text
    assert "20" in send("kasar").text  # too short: the service's own refusal
    contact = send("petugas loket kasar sekali dan membentak saya waktu antre tadi pagi")
    assert "nomor HP" in contact.text
    confirm = send("tidak")
    assert "Kirim sekarang" in confirm.text
    filed = send("ya")
    [action] = filed.actions
    assert action.kind == "complaint_filed" and NUMBER.match(action.reference)
    complaint = Complaint.objects.get(number=action.reference)
    assert complaint.office.code == "disdukcapil-bandung"
    assert complaint.category == ComplaintCategory.STAFF_CONDUCT and not complaint.pungli
    assert complaint.channel == ContactChannel.NONE and complaint.language == "id"
    assert action.reference in filed.text
    # The access key is shown once, in this reply, and stored nowhere in the chat.
    key = re.search(r"[A-HJKMNP-Z2-9]{5}-[A-HJKMNP-Z2-9]{5}", filed.text)
    assert key is not None
    assert complaint_find(number=complaint.number, access_key=key.group(0)) == complaint
    stored = " ".join(Turn.objects.values_list("text", flat=True))
    assert key.group(0) not in stored and "••••" in stored
    # Routed to the office's supervisors.
    supervisor = User.objects.get(username="supervisor.bandung")
    assert complaint in complaints_for_staff(supervisor)


def test_pungli_on_whatsapp_end_to_end_in_english(talk) -> None:  # type: ignore[no-untyped-def]
    send = talk("whatsapp", "6281234567890")
    asked = send("I want to report a bribe")
    assert "office" in asked.text.lower()  # pungli: no need to ask the category
    send("Jakarta Pusat immigration office")
    confirm = send("the clerk at counter 2 asked me for money to speed up my passport")
    assert "integrity officers" in confirm.text and "in this chat" in confirm.text
    filed = send("yes")
    [action] = filed.actions
    complaint = Complaint.objects.get(number=action.reference)
    assert complaint.pungli and complaint.category == ComplaintCategory.PUNGLI
    assert complaint.channel == ContactChannel.WHATSAPP
    assert contact_of(complaint) == "+6281234567890"
    # The key: in the confirmation message on WhatsApp, never in the stored turns.
    received = Message.objects.get(kind="complaint_received")
    assert received.channel == "whatsapp" and received.recipient == "+6281234567890"
    key = received.context["code"]
    # The chat reply carries it too, in the context the outbox erases once it is sent.
    reply = Message.objects.filter(kind="assistant_reply", context__code=key).get()
    assert reply.channel == "whatsapp"
    stored = " ".join(Turn.objects.values_list("text", flat=True))
    assert key not in stored and key.replace("-", "") not in stored
    # Hidden from the office's supervisors; the integrity officer has it.
    assert complaint not in complaints_for_staff(User.objects.get(username="supervisor.jakarta"))
    officer = User.objects.get(username="integritas.jakarta")
    assert complaint in complaints_for_staff(officer)
    complaint_answer(complaint=complaint, by=officer, answer="We are investigating the clerk.")
    answered = Message.objects.get(kind="complaint_answered")
    assert answered.channel == "whatsapp" and answered.recipient == "+6281234567890"

    # The status: nothing with a wrong key, everything with the right one.
    wrong = send(f"what is the status of my complaint {complaint.number} AAAAA-BBBBB")
    assert "No complaint matches" in wrong.text
    assert "Answered" not in wrong.text and "investigating" not in wrong.text
    right = send(f"what is the status of my complaint {complaint.number} {key}")
    assert "Answered" in right.text and "We are investigating the clerk." in right.text


def test_pungli_words_flag_a_report_of_another_category(talk) -> None:  # type: ignore[no-untyped-def]
    send = talk("telegram", "123456789")
    send("saya mau mengadu soal fasilitas di Kantor Imigrasi Jakarta Pusat")
    send("Fasilitas")
    confirm = send("petugas di loket meminta uang tambahan supaya paspor cepat jadi")
    assert "pungli" in confirm.text
    filed = send("ya")
    complaint = Complaint.objects.get(number=filed.actions[0].reference)
    assert complaint.pungli and complaint.category == ComplaintCategory.FACILITIES
    assert complaint.channel == ContactChannel.TELEGRAM


def test_the_status_flow_asks_for_both_and_reveals_nothing_without_the_key(talk) -> None:  # type: ignore[no-untyped-def]
    send = talk()
    asked = send("what is the status of my complaint?")
    assert "access key" in asked.text
    refused = send("ADU-2026-00001 AAAAA-BBBBB")
    assert "No complaint matches" in refused.text


def test_a_telegram_complaint_is_told_in_the_same_chat() -> None:
    from complaints.services import contact_clean
    from core.errors import ApplicationError

    assert contact_clean("987654321", channel="telegram") == (ContactChannel.TELEGRAM, "987654321")
    assert contact_clean("6281234567890", channel="whatsapp") == (
        ContactChannel.WHATSAPP,
        "+6281234567890",
    )
    with pytest.raises(ApplicationError):
        contact_clean("not-a-chat", channel="telegram")


def test_filing_by_chat_is_limited_per_chat_user(talk, settings) -> None:  # type: ignore[no-untyped-def]
    settings.GILIRAN_RATE_COMPLAINT_PER_IP = "1/h"
    send = talk("whatsapp", "6281234567890")
    for expected in ("complaint_filed", None):
        send("I want to report a bribe")
        send("Jakarta Pusat immigration office")
        send("the clerk at counter 2 asked me for money to speed up my passport")
        filed = send("yes")
        if expected:
            assert [a.kind for a in filed.actions] == [expected]
        else:
            assert not filed.actions and "Too many attempts" in filed.text
    assert Complaint.objects.count() == 1
