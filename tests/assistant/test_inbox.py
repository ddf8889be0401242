"""The handoff inbox through the staff pages: who sees which conversations, the answer
timers, and take / reply / close, with a person's replies sent on the citizen's
channel (Telegram through the outbox, the web chat by polling `turns_after`)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation

from assistant.conversation import Inbound, message_receive
from assistant.inbox import (
    REPLY_MAX_LENGTH,
    handoff_reply,
    handoff_take,
    handoff_timer,
)
from assistant.models import Author, Conversation, Handoff, Turn
from assistant.selectors import turns_after
from assistant.understanding.classifier import intent_of
from core.errors import ApplicationError
from notifications.models import Message
from offices.models import Office

pytestmark = pytest.mark.django_db

# Monday 7 December 2026, 10:00 WIB: the demo offices are open.
NOW = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
ASK_JAKARTA = "saya mau bicara dengan petugas kanim jakarta pusat"
ASK_MPP = "saya mau bicara dengan petugas mpp jakarta"


def _staff(username: str) -> Any:
    return get_user_model().objects.get(username=username)


def _handed_over(text: str = ASK_JAKARTA, *, user: str = "12345", now: datetime = NOW) -> Any:
    """A Telegram conversation handed to the office it names."""
    reply = message_receive(Inbound(channel="telegram", text=text, user=user), now=now)
    assert reply is not None and reply.intent == "human"
    return Conversation.objects.get(token=reply.conversation)


# Durations are written with a no-break space between number and unit (Django's timesince).


def _url(name: str, *args: object, language: str = "id") -> str:
    with translation.override(language):
        return reverse(name, args=args)


def _signed_in(username: str) -> Client:
    client = Client()
    client.force_login(_staff(username))
    return client


def test_the_texts_used_here_ask_for_a_person() -> None:
    assert intent_of(ASK_JAKARTA).intent == "human"
    assert intent_of(ASK_MPP).intent == "human"


def test_the_inbox_lists_the_office_s_conversation_with_its_timer_in_both_languages(
    demo_country: None,
) -> None:
    conversation = _handed_over()
    assert conversation.handoff == Handoff.WAITING
    assert conversation.office.code == "kanim-jakarta-pusat"
    assert conversation.handoff_due_at == NOW + timedelta(minutes=30)
    with time_machine.travel(NOW + timedelta(minutes=12), tick=False):
        clerk = _signed_in("petugas.jakarta")
        page = clerk.get(_url("staff:assistant-inbox")).content.decode()
        english = clerk.get(_url("staff:assistant-inbox", language="en")).content.decode()
    assert f'data-conversation="{conversation.pk}"' in page
    assert "Telegram" in page and conversation.office.name in page
    assert "tenggat dalam 18\xa0menit" in page and "10:30 WIB" in page
    assert "due in 18\xa0minutes" in english and "12\xa0minutes" in english
    # The citizen's chat id is nowhere on the page.
    assert "12345" not in page


def test_an_overdue_conversation_comes_first_and_says_so(demo_country: None) -> None:
    recent = _handed_over(user="111")
    late = _handed_over(ASK_MPP, user="222", now=NOW - timedelta(minutes=40))
    with time_machine.travel(NOW, tick=False):
        supervisor = _signed_in("supervisor.jakarta")  # both Jakarta offices
        page = supervisor.get(_url("staff:assistant-inbox")).content.decode()
        english = supervisor.get(_url("staff:assistant-inbox", language="en")).content.decode()
    first = page.index(f'data-conversation="{late.pk}"')
    assert first < page.index(f'data-conversation="{recent.pk}"')
    assert "lewat tenggat 10\xa0menit" in page
    assert "overdue by 10\xa0minutes" in english
    timer = handoff_timer(late, NOW)
    assert timer.overdue and not handoff_timer(recent, NOW).overdue


def test_the_htmx_refresh_answers_the_rows_only(demo_country: None) -> None:
    conversation = _handed_over()
    page = _signed_in("petugas.jakarta").get(_url("staff:assistant-inbox"), HTTP_HX_REQUEST="true")
    body = page.content.decode()
    assert body.lstrip().startswith('<div id="handoffs"')
    assert 'hx-trigger="every 15s"' in body and f"#{conversation.pk}" in body


def test_other_offices_staff_and_strangers_cannot_reach_the_conversation(
    demo_country: None,
) -> None:
    conversation = _handed_over()
    detail = _url("staff:assistant-conversation", conversation.pk)
    bandung = _signed_in("petugas.bandung")
    assert f'data-conversation="{conversation.pk}"' not in (
        bandung.get(_url("staff:assistant-inbox")).content.decode()
    )
    assert bandung.get(detail).status_code == 404
    assert bandung.post(detail, {"action": "take"}).status_code == 404
    # The integrity officer reads pungli reports only.
    assert _signed_in("integritas.jakarta").get(_url("staff:assistant-inbox")).status_code == 403
    anonymous = Client().get(detail)
    assert anonymous.status_code == 302 and "/staf/masuk/" in anonymous["Location"]
    assert Conversation.objects.get(pk=conversation.pk).assigned_to is None
    with pytest.raises(ApplicationError) as refused:
        handoff_take(conversation=conversation, by=_staff("petugas.bandung"))
    assert refused.value.code == "not_your_office"


def test_take_reply_and_close_reach_the_citizen_on_telegram(demo_country: None) -> None:
    conversation = _handed_over()
    clerk = _signed_in("petugas.jakarta")
    detail = _url("staff:assistant-conversation", conversation.pk)
    page = clerk.get(detail).content.decode()
    assert ASK_JAKARTA in page  # the history, as the citizen wrote it

    assert clerk.post(detail, {"action": "take"}).status_code == 302
    conversation.refresh_from_db()
    assert conversation.handoff == Handoff.WITH_STAFF
    assert conversation.assigned_to == _staff("petugas.jakarta")

    words = "Selamat siang, permohonan paspor Anda sedang kami periksa."
    assert clerk.post(detail, {"action": "reply", "text": words}).status_code == 302
    turn = Turn.objects.get(conversation=conversation, author=Author.STAFF)
    assert turn.text == words and turn.staff == _staff("petugas.jakarta")
    sent = Message.objects.get(subject_id=turn.pk, kind="assistant_reply")
    assert (sent.channel, sent.recipient) == ("telegram", "12345")
    assert "sedang kami periksa" not in str(sent.context)  # read from the turn at delivery

    # The citizen writes again: the person has it, the assistant stays quiet.
    reply = message_receive(
        Inbound(channel="telegram", text="baik terima kasih", user="12345"),
        now=NOW + timedelta(minutes=5),
    )
    assert reply is not None and "diteruskan" in reply.text

    assert clerk.post(detail, {"action": "close"}).status_code == 302
    conversation.refresh_from_db()
    assert conversation.handoff == Handoff.CLOSED
    told = Turn.objects.filter(conversation=conversation).order_by("pk").last()
    assert told is not None and told.author == Author.ASSISTANT
    assert "Petugas telah menutup percakapan ini" in told.text
    assert Message.objects.filter(subject_id=told.pk, recipient="12345").exists()
    # Closed: no more steps, the page says so.
    refused = clerk.post(detail, {"action": "reply", "text": "halo lagi"})
    assert refused.status_code == 409 and "sudah ditutup" in refused.content.decode()
    assert Turn.objects.filter(conversation=conversation, author=Author.STAFF).count() == 1


def test_the_second_taker_is_told_who_has_it(demo_country: None) -> None:
    conversation = _handed_over()
    detail = _url("staff:assistant-conversation", conversation.pk)
    assert _signed_in("petugas.jakarta").post(detail, {"action": "take"}).status_code == 302
    supervisor = _signed_in("supervisor.jakarta")
    taken = supervisor.post(detail, {"action": "take"})
    assert taken.status_code == 409
    assert "sedang menjawab percakapan ini" in taken.content.decode()
    assert _staff("petugas.jakarta").get_full_name() in taken.content.decode()
    replied = supervisor.post(detail, {"action": "reply", "text": "Saya bantu ya."})
    assert replied.status_code == 409
    assert not Turn.objects.filter(conversation=conversation, author=Author.STAFF).exists()
    conversation.refresh_from_db()
    assert conversation.assigned_to == _staff("petugas.jakarta")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_staff_taking_at_once_one_wins_and_the_other_is_told(demo_country: None) -> None:
    """Real PostgreSQL, real threads: both read the conversation as waiting, both try
    to take it; the row lock lets one through and the other finds it taken. (The
    conversation is made directly: message_receive's own lock is another test's.)"""
    conversation = Conversation.objects.create(
        token="race",
        channel="web",
        office=Office.objects.get(code="kanim-jakarta-pusat"),
        handoff=Handoff.WAITING,
        handoff_at=NOW,
        handoff_due_at=NOW + timedelta(minutes=30),
        started_at=NOW,
        last_message_at=NOW,
    )
    takers = [_staff("petugas.jakarta"), _staff("supervisor.jakarta")]
    start = threading.Barrier(len(takers))
    won: list[int] = []
    refused: list[str] = []
    errors: list[BaseException] = []

    def take(user: Any) -> None:
        try:
            start.wait()
            handoff_take(conversation=conversation, by=user)
            won.append(user.pk)
        except ApplicationError as refusal:
            refused.append(refusal.code)
        except BaseException as error:  # reported by the test, not swallowed
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(user,)) for user in takers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(won) == 1 and refused == ["handoff_taken"]
    conversation.refresh_from_db()
    assert conversation.assigned_to_id == won[0]
    assert conversation.handoff == Handoff.WITH_STAFF


@pytest.mark.parametrize(
    ("text", "message"),
    [("   ", "Tulis balasan"), ("x" * (REPLY_MAX_LENGTH + 1), "2000")],
)
def test_an_empty_or_huge_reply_is_refused_and_nothing_is_sent(
    demo_country: None, text: str, message: str
) -> None:
    conversation = _handed_over()
    detail = _url("staff:assistant-conversation", conversation.pk)
    queued = Message.objects.count()
    response = _signed_in("petugas.jakarta").post(detail, {"action": "reply", "text": text})
    assert response.status_code == 400 and message in response.content.decode()
    assert not Turn.objects.filter(conversation=conversation, author=Author.STAFF).exists()
    assert Message.objects.count() == queued


def test_the_web_chat_finds_a_person_s_reply_with_turns_after(chat: Any) -> None:
    asked = chat(ASK_JAKARTA)
    conversation = Conversation.objects.get(token=asked.conversation)
    last = Turn.objects.filter(conversation=conversation).order_by("pk").last()
    assert last is not None
    assert turns_after(conversation, last.pk) == []
    turn = handoff_reply(
        conversation=conversation, by=_staff("petugas.jakarta"), text="Halo, ada yang bisa dibantu?"
    )
    assert turns_after(conversation, last.pk) == [turn]
    assert len(turns_after(conversation, 0)) == 3
    assert not Message.objects.filter(kind="assistant_reply").exists()  # no outbox on web


def test_the_start_page_links_the_inbox_with_the_count_waiting(demo_country: None) -> None:
    _handed_over()
    _handed_over(ASK_MPP, user="222")
    page = _signed_in("petugas.jakarta").get(_url("staff:home")).content.decode()
    assert _url("staff:assistant-inbox") in page and "2 menunggu" in page
    page = _signed_in("integritas.jakarta").get(_url("staff:home")).content.decode()
    assert _url("staff:assistant-inbox") not in page


def test_the_admin_shows_conversations_read_only_within_the_office(demo_country: None) -> None:
    jakarta = _handed_over()
    bandung = _handed_over("saya mau bicara dengan petugas disdukcapil bandung", user="333")
    admin = _signed_in("admin.jakarta")  # administrator of the Jakarta offices
    listing = admin.get(_url("admin:assistant_conversation_changelist"))
    assert listing.status_code == 200
    page = listing.content.decode()
    assert _url("admin:assistant_conversation_change", jakarta.pk) in page
    assert _url("admin:assistant_conversation_change", bandung.pk) not in page
    detail = admin.get(_url("admin:assistant_conversation_change", jakarta.pk)).content.decode()
    assert ASK_JAKARTA in detail and 'name="_save"' not in detail
    assert admin.get(_url("admin:assistant_conversation_add")).status_code == 403
    assert admin.get(_url("admin:assistant_reviewitem_changelist")).status_code == 403
