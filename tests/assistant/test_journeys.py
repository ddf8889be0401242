"""End-to-end chat journeys through the real edges: the web chat page (htmx partials),
the Telegram webhook and the signed WhatsApp webhook. Each journey is written once, as
plain steps, and runs on the three channels, in Indonesian on some and English on the
others. What is asserted is what the citizen RECEIVES: on the web the turns the page
shows, on Telegram and WhatsApp what the outbox delivered to the local fake platform.

The clock is fixed (time-machine) at 10:00 in Jakarta the day before a day with free
places, since the webhooks call the assistant with the real clock."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from datetime import time as clock_time
from html import unescape
from typing import Any

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assistant.models import Author, Conversation, Handoff, Turn
from booking.models import Booking, BookingStatus
from booking.selectors import availability
from complaints.models import Complaint
from complaints.services import complaint_answer
from notifications.models import Message, MessageStatus
from notifications.services.outbox import outbox_dispatch_message
from offices.models import OfficeService
from tests.assistant.channel_helpers import chat_bookings, payload
from tests.assistant.fake_platform import FakePlatform
from tests.assistant.test_every_intent import MESSAGES, NOT_UNDERSTOOD

NIK = "3171014501900001"
CHAT_ID = "520000001"
WA_NUMBER = "6281234567890"
TG_SECRET = "telegram-webhook-secret-0123456789"
WA_SECRET = "meta-app-secret-0123456789abcdef"

# The citizen's words, per language.
SAY = {
    "id": {
        "book": "mau bikin paspor baru di kanim jakarta pusat besok",
        "cancel": "saya mau batalkan booking",
        "yes": "ya",
        "complain": "saya mau mengadu",
        "category": "petugas",
        "complaint": "petugas loket kasar sekali dan membentak saya waktu antre tadi pagi",
        "status": "status pengaduan saya",
        "human": "saya mau bicara dengan petugas kanim jakarta pusat",
        "thanks": "baik terima kasih",
    },
    "en": {
        "book": "I want to book a new passport appointment at kanim jakarta pusat tomorrow",
        "cancel": "I want to cancel my booking",
        "yes": "yes",
        "complain": "I want to file a complaint",
        "category": "staff",
        "complaint": "the clerk at counter 3 was very rude and shouted at me this morning",
        "status": "what is the status of my complaint",
        "human": "I want to talk to a staff member at kanim jakarta pusat",
        "thanks": "ok thank you",
    },
}
# What the citizen should read, per language.
READ = {
    "id": {
        "confirmed": "dikonfirmasi",
        "cancelled": "dibatalkan",
        "answered": "Dijawab",
        "forwarded": "diteruskan",
        "closed": "Petugas telah menutup percakapan ini",
    },
    "en": {
        "confirmed": "confirmed",
        "cancelled": "cancelled",
        "answered": "Answered",
        "forwarded": "passed on",
        "closed": "The staff member has closed this conversation",
    },
}
KEY = re.compile(r"[A-HJKMNP-Z2-9]{5}-[A-HJKMNP-Z2-9]{5}")


# --- the channels -----------------------------------------------------------------------


class Web:
    """The chat page /tanya/ as the htmx panel uses it: each message posts with the last
    turn shown, and the answer holds the new turns; polling brings the staff's."""

    channel = "web"

    def __init__(self, language: str) -> None:
        self.client = Client()
        self.url = "/en/tanya/" if language == "en" else "/tanya/"
        self.after = 0

    def _shown(self, html: str) -> str:
        after = re.search(r'id="chat-after" name="after" value="(\d+)"', html)
        if after:
            self.after = int(after.group(1))
        turns = re.findall(
            r'<li class="chat-turn chat-(?:assistant|staff)" id="turn-\d+">.*?<p>(.*?)</p>',
            html,
            re.DOTALL,
        )
        return "\n".join(unescape(t.replace("<br>", "\n")) for t in turns)

    def say(self, text: str) -> str:
        response = self.client.post(
            self.url, {"text": text, "after": self.after}, headers={"HX-Request": "true"}
        )
        assert response.status_code == 200, response.content
        return self._shown(response.content.decode())

    def received(self) -> str:
        response = self.client.get(
            reverse("assistant-chat-turns"), {"after": self.after}, headers={"HX-Request": "true"}
        )
        return self._shown(response.content.decode())

    def conversation(self) -> Conversation:
        return Conversation.objects.get(token=self.client.session["assistant_conversation"])


class Api:
    """REST: `POST /api/v1/assistant/messages/`, the token carried by the client. A
    client gets answers only: a person's replies have no way to it (no handoff here)."""

    channel = "api"

    def __init__(self, language: str) -> None:
        self.client = Client()
        self.language = language
        self.token = ""

    def say(self, text: str) -> str:
        body = {"text": text, **({"conversation": self.token} if self.token else {})}
        response = self.client.post(
            reverse("api-assistant-messages"),
            body,
            content_type="application/json",
            headers={"Accept-Language": self.language},
        )
        assert response.status_code == 200, response.content
        self.token = response.json()["conversation"]
        return str(response.json()["reply"])

    def conversation(self) -> Conversation:
        return Conversation.objects.get(token=self.token)


# The platforms' delivery ids, numbered on across every chat of a test run.
DELIVERIES = itertools.count(1)


class Messenger:
    """A chat platform: the citizen's messages come by webhook, and what they receive is
    what the outbox delivers to the fake platform."""

    channel = ""
    address = ""

    def __init__(self, platform: FakePlatform) -> None:
        self.client = Client()
        self.platform = platform
        self.ids = DELIVERIES

    def post(self, text: str) -> Any:
        raise NotImplementedError

    def delivered(self, body: Any) -> str:
        raise NotImplementedError

    def say(self, text: str) -> str:
        assert self.post(text).status_code == 200
        return self.received()

    def received(self) -> str:
        """Deliver what waits in the outbox for this citizen; the words they got. The
        one-time codes stay: the test reads them from the outbox (`last_code`)."""
        start = len(self.platform.requests)
        waiting = Message.objects.filter(
            channel=self.channel, recipient=self.address, status=MessageStatus.PENDING
        ).exclude(kind__in=["code", "owner_code"])
        for message in waiting.order_by("pk"):
            outbox_dispatch_message(message_id=message.pk)
        return "\n".join(self.delivered(r.body) for r in self.platform.requests[start:])

    def conversation(self) -> Conversation:
        return Conversation.objects.get(channel=self.channel)


class Telegram(Messenger):
    channel = "telegram"
    address = CHAT_ID

    def post(self, text: str) -> Any:
        update = payload("telegram_message")
        number = next(self.ids)
        update["update_id"] += number
        update["message"]["message_id"] += number
        update["message"]["date"] = int(time.time())
        update["message"]["text"] = text
        update["message"]["chat"]["id"] = update["message"]["from"]["id"] = int(self.address)
        return self.client.post(
            "/webhooks/telegram/",
            data=json.dumps(update),
            content_type="application/json",
            headers={"X-Telegram-Bot-Api-Secret-Token": TG_SECRET},
        )

    def delivered(self, body: Any) -> str:
        return str(body["text"])


class WhatsApp(Messenger):
    channel = "whatsapp"
    address = "+" + WA_NUMBER

    def post(self, text: str) -> Any:
        notification = payload("whatsapp_text")
        message = notification["entry"][0]["changes"][0]["value"]["messages"][0]
        message["id"] += str(next(self.ids))
        message["timestamp"] = str(int(time.time()))
        message["text"]["body"] = text
        message["from"] = self.address.removeprefix("+")
        notification["entry"][0]["changes"][0]["value"]["contacts"][0]["wa_id"] = message["from"]
        body = json.dumps(notification).encode()
        signature = "sha256=" + hmac.new(WA_SECRET.encode(), body, hashlib.sha256).hexdigest()
        return self.client.post(
            "/webhooks/whatsapp/",
            data=body,
            content_type="application/json",
            headers={"X-Hub-Signature-256": signature},
        )

    def delivered(self, body: Any) -> str:
        if body["type"] == "text":
            return str(body["text"]["body"])
        if body["type"] == "template":  # not an answer: the chat's window does not apply
            return str(body["template"]["components"][0]["parameters"][0]["text"])
        return str(body["interactive"]["body"]["text"])


@pytest.fixture
def eve(demo_country: None) -> Iterator[datetime]:
    """The clock stopped at 10:00 in Jakarta the day before a day with free places for
    a new passport, at least a week ahead; "besok"/"tomorrow" names that day."""
    office_service = OfficeService.objects.get(
        office__code="kanim-jakarta-pusat", service__code="paspor-baru"
    )
    now = timezone.now()
    window = availability.booking_window(office_service, now)
    days = availability.days_availability(office_service, window.first_day, window.last_day, now)
    day = next(
        d.day for d in days if d.status == "available" and d.day >= now.date() + timedelta(days=7)
    )
    moment = datetime.combine(
        day - timedelta(days=1), clock_time(10), tzinfo=office_service.office.zone
    )
    with time_machine.travel(moment, tick=False):
        yield moment


@pytest.fixture
def platform(settings: Any) -> Iterator[FakePlatform]:
    answer = {"ok": True, "result": {"message_id": 4242}, "messages": [{"id": "wamid.X"}]}
    with FakePlatform(answer) as fake:
        settings.GILIRAN_TELEGRAM_WEBHOOK_SECRET = TG_SECRET
        settings.GILIRAN_TELEGRAM_BOT_TOKEN = "7000000001:AAH-fake-bot-token"
        settings.GILIRAN_TELEGRAM_API_URL = fake.url
        settings.GILIRAN_WHATSAPP_APP_SECRET = WA_SECRET
        settings.GILIRAN_WHATSAPP_CLOUD_API_URL = fake.url
        settings.GILIRAN_WHATSAPP_PHONE_NUMBER_ID = "106540352242922"
        settings.GILIRAN_WHATSAPP_CLOUD_TOKEN = "EAAG-fake-access-token"
        settings.GILIRAN_WHATSAPP_REPLY_TEMPLATE = "giliran_reply"
        settings.GILIRAN_CONSOLE_MESSAGES = False
        yield fake


def citizen(channel: str, language: str, platform: FakePlatform) -> Any:
    if channel == "web":
        return Web(language)
    if channel == "api":
        return Api(language)
    return Telegram(platform) if channel == "telegram" else WhatsApp(platform)


# Every journey runs on each channel, and in each language on some channel.
BOOKING = [("web", "id"), ("telegram", "en"), ("whatsapp", "id"), ("web", "en"), ("api", "en")]
CANCELLING = [("web", "en"), ("telegram", "id"), ("whatsapp", "en"), ("api", "id")]
COMPLAINT = [
    ("web", "id"),
    ("telegram", "en"),
    ("whatsapp", "id"),
    ("telegram", "id"),
    ("api", "en"),
]
HANDOFF = [("web", "en"), ("telegram", "id"), ("whatsapp", "en"), ("telegram", "en")]


def last_code(kind: str) -> str:
    """A one-time code, from its message (which keeps it until delivered)."""
    return str(Message.objects.filter(kind=kind).latest("pk").context["code"])


def first_suggestion(person: Any) -> str:
    turn = person.conversation().turns.filter(author=Author.ASSISTANT).latest("pk")
    return str(turn.suggestions[0]["text"])


def book_by_chat(person: Any, language: str) -> Booking:
    """Office, service and day named up front; then time, name, NIK, contact, code."""
    say = SAY[language]
    person.say(say["book"])
    person.say(first_suggestion(person))  # the first free time
    person.say("Siti Rahmawati")
    assert NIK not in person.say(NIK)
    held = person.say("siti@example.id" if language == "en" else "0812 3456 7890")
    assert ("s***@example.id" if language == "en" else "+6281******890") in held
    assert chat_bookings().get().status == BookingStatus.HELD
    confirmed = person.say(last_code("code"))
    booking = chat_bookings().get()
    assert READ[language]["confirmed"] in confirmed and booking.code in confirmed
    return booking


# --- 1. booking -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("channel", "language"), BOOKING)
def test_book_by_chat_to_a_confirmed_booking(
    eve: datetime, platform: FakePlatform, channel: str, language: str
) -> None:
    person = citizen(channel, language, platform)

    booking = book_by_chat(person, language)

    assert booking.status == BookingStatus.CONFIRMED
    assert booking.slot.starts_at.date() == (eve + timedelta(days=1)).date()
    [confirmation] = Message.objects.filter(kind="confirmed", subject_id=booking.pk)
    if language == "en":
        assert (confirmation.channel, confirmation.recipient) == ("email", "siti@example.id")
    elif channel == "whatsapp":  # the number they chat from: the message comes to the chat
        assert (confirmation.channel, confirmation.recipient) == ("whatsapp", person.address)
        assert confirmation.status == MessageStatus.SENT  # delivered with the last reply
        assert any(booking.code in person.delivered(r.body) for r in platform.requests)
    else:
        assert (confirmation.channel, confirmation.recipient) == ("sms", "+6281234567890")
    assert "flow" not in person.conversation().state


# --- 2. cancelling ----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("channel", "language"), CANCELLING)
def test_cancel_by_chat_with_code_last_digits_and_owner_code(
    eve: datetime, platform: FakePlatform, channel: str, language: str
) -> None:
    person = citizen(channel, language, platform)
    booking = book_by_chat(person, language)

    person.say(SAY[language]["cancel"])
    person.say(booking.code)
    person.say(NIK[-4:])
    asked = person.say(last_code("owner_code"))
    assert booking.slot.office_service.office.name in asked
    assert chat_bookings().get().status == BookingStatus.CONFIRMED  # asked first
    done = person.say(SAY[language]["yes"])

    assert READ[language]["cancelled"] in done and booking.code in done
    assert chat_bookings().get().status == BookingStatus.CANCELLED
    assert Message.objects.filter(kind="cancelled", subject_id=booking.pk).count() == 1


# --- 3. a complaint ---------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("channel", "language"), COMPLAINT)
def test_a_complaint_is_answered_and_the_citizen_told_on_their_channel(
    eve: datetime, platform: FakePlatform, channel: str, language: str
) -> None:
    say = SAY[language]
    person = citizen(channel, language, platform)

    person.say(say["complain"])
    person.say(say["category"])
    person.say("Kanim Jakarta Pusat")
    person.say(say["complaint"])
    if channel in ("web", "api"):  # no address of their own: the citizen gives one
        person.say("0812 3456 7890")
    filed = person.say(say["yes"])
    complaint = Complaint.objects.get()
    assert complaint.office.code == "kanim-jakarta-pusat" and complaint.number in filed
    key = KEY.search(filed)
    assert key is not None, filed  # shown once, in what the citizen received

    supervisor = get_user_model().objects.get(username="supervisor.jakarta")
    answer = "Petugas tersebut sudah kami tegur." if language == "id" else "We spoke to the clerk."
    complaint_answer(complaint=complaint, by=supervisor, answer=answer)

    notice = Message.objects.get(kind="complaint_answered")
    if channel in ("web", "api"):
        assert (notice.channel, notice.recipient) == ("sms", "+6281234567890")
    else:
        assert (notice.channel, notice.recipient) == (channel, person.address)
        told = person.received()  # delivered to the chat, in the citizen's language
        assert complaint.number in told and answer in told
    status = person.say(f"{say['status']} {complaint.number} {key.group(0)}")
    assert READ[language]["answered"] in status and answer in status


# --- 4. handoff -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("channel", "language"), HANDOFF)
def test_handoff_staff_reply_and_close_reach_the_citizen(
    eve: datetime, platform: FakePlatform, channel: str, language: str
) -> None:
    person = citizen(channel, language, platform)
    person.say(SAY[language]["human"])
    conversation = person.conversation()
    assert conversation.handoff == Handoff.WAITING
    assert conversation.office.code == "kanim-jakarta-pusat"

    clerk = Client()
    clerk.force_login(get_user_model().objects.get(username="petugas.jakarta"))
    inbox = clerk.get(reverse("staff:assistant-inbox")).content.decode()
    assert f'data-conversation="{conversation.pk}"' in inbox
    detail = reverse("staff:assistant-conversation", args=[conversation.pk])
    assert SAY[language]["human"] in clerk.get(detail).content.decode()

    assert clerk.post(detail, {"action": "take"}).status_code == 302
    words = "Selamat siang, ada yang bisa kami bantu?"
    assert clerk.post(detail, {"action": "reply", "text": words}).status_code == 302
    assert words in person.received()

    # The person has it: the assistant only says the message was passed on.
    assert READ[language]["forwarded"] in person.say(SAY[language]["thanks"])
    assert Turn.objects.filter(conversation=conversation, author=Author.STAFF).count() == 1

    assert clerk.post(detail, {"action": "close"}).status_code == 302
    assert READ[language]["closed"] in person.received()
    conversation.refresh_from_db()
    assert conversation.handoff == Handoff.CLOSED


@pytest.mark.django_db
@pytest.mark.parametrize("channel", ["web", "api", "telegram", "whatsapp"])
def test_every_intent_in_both_languages_on_each_channel(
    channel: str, eve: datetime, platform: FakePlatform
) -> None:
    """Each of the 18 intents' messages, in Indonesian and in English, each the first of
    its own conversation (a new browser, API client or chat): understood as that intent
    and answered in that language by its skill, on the channel's real edge."""
    messages = [
        (i, lang, pair[lang == "en"]) for i, pair in MESSAGES.items() for lang in ("id", "en")
    ]
    for number, (intent, language, text) in enumerate(messages):
        with time_machine.travel(eve + timedelta(minutes=40 * number), tick=False):
            words = citizen(channel, language, platform).say(text)
        asked = (
            Turn.objects.filter(author=Author.CITIZEN).select_related("conversation").latest("pk")
        )
        assert (asked.intent, asked.conversation.language) == (intent, language), text
        assert words and not words.startswith(NOT_UNDERSTOOD), (text, words)
