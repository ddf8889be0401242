"""Booking by chat (assistant/flows/bookings.py): book to a confirmed booking, cancel,
reschedule and look up, in both languages, through the booking services with the web's
limits and proofs. The one-time codes are read from their outbox messages, which keep
the code in their context until delivered (nothing is delivered inside a test's
transaction)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.db.models import F
from django.utils import timezone

from assistant.conversation import Inbound, Reply, message_receive
from assistant.models import Conversation, Turn
from booking.models import Booking, BookingStatus, Slot, Source
from booking.selectors import availability
from booking.services.booking import booking_confirm, booking_hold, details_clean
from notifications.models import Message
from notifications.rendering import message_render
from offices.models import OfficeService
from tests.assistant.channel_helpers import chat_bookings

NIK = "3171014501900001"  # Siti, born 5 January 1990 in Jakarta
OTHER_NIK = "3171014501900002"

Talk = Callable[[str], Reply]


def _passport() -> OfficeService:
    return OfficeService.objects.select_related("office", "service").get(
        office__code="kanim-jakarta-pusat", service__code="paspor-baru"
    )


def _free_days(now: datetime) -> list[date]:
    office_service = _passport()
    window = availability.booking_window(office_service, now)
    days = availability.days_availability(office_service, window.first_day, window.last_day, now)
    return [d.day for d in days if d.status == "available"]


@pytest.fixture
def eve(demo_country: None) -> datetime:
    """10:00 in Jakarta the day before a day with free places, at least a week ahead
    (so that changes are still allowed): "besok" names that day."""
    now = timezone.now()
    day = next(d for d in _free_days(now) if d >= now.date() + timedelta(days=7))
    zone = _passport().office.zone
    return datetime.combine(day - timedelta(days=1), time(10), tzinfo=zone)


@pytest.fixture
def talk(eve: datetime) -> Callable[..., Talk]:
    """A new conversation on `channel` at the fixed time `eve`: talk()("halo") -> Reply."""

    def conversation(channel: str = "web", user: str = "") -> Talk:
        token = {"value": ""}

        def send(text: str) -> Reply:
            inbound = Inbound(channel=channel, text=text, user=user, conversation=token["value"])
            reply = message_receive(inbound, now=eve)
            assert reply is not None
            token["value"] = reply.conversation
            return reply

        return send

    return conversation


def _last_code(kind: str = "code") -> str:
    return str(Message.objects.filter(kind=kind).latest("pk").context["code"])


def _conversation(reply: Reply) -> Conversation:
    return Conversation.objects.get(token=reply.conversation)


def _confirmed_booking(now: datetime, nik: str = NIK) -> Booking:
    office_service = _passport()
    day = next(d for d in _free_days(now) if d >= now.date() + timedelta(days=7))
    slot = availability.day_slots(office_service, day, now)[0]
    details = details_clean(
        full_name="Siti Rahmawati",
        nik=nik,
        phone="0812-3456-7890",
        channel="sms",
        language="id",
    )
    booking = booking_hold(slot_id=slot.slot_id, details=details, source=Source.WEB, now=now)
    return booking_confirm(booking=booking, now=now)


def test_book_by_chat_in_indonesian_with_everything_named_up_front(
    talk: Callable[..., Talk], eve: datetime
) -> None:
    send = talk()
    reply = send("mau bikin paspor baru di kanim jakarta pusat besok")
    assert reply.intent == "book"
    # Office, service and day were named: the first question is the time.
    assert "Jam berapa" in reply.text or "Pukul berapa" in reply.text, reply.text
    assert reply.suggestions
    assert _conversation(reply).state["day"] == (eve + timedelta(days=1)).date().isoformat()
    reply = send(reply.suggestions[0].text)
    assert "nama lengkap" in reply.text.lower()
    reply = send("Siti Rahmawati")
    assert "NIK" in reply.text
    reply = send(NIK)
    assert NIK not in reply.text
    reply = send("0812 3456 7890")
    assert [a.kind for a in reply.actions] == ["booking_held"]
    code = reply.actions[0].reference
    held = Booking.objects.get(code=code)
    assert held.status == BookingStatus.HELD and held.nik_last4 == "0001"
    conversation = _conversation(reply)
    assert conversation.secrets_encrypted and NIK not in str(conversation.state)
    assert "0812" not in str(conversation.state)
    reply = send(_last_code())
    assert [a.as_dict() for a in reply.actions] == [
        {"kind": "booking_confirmed", "reference": code}
    ]
    assert "dikonfirmasi" in reply.text and code in reply.text
    assert Booking.objects.get(code=code).status == BookingStatus.CONFIRMED
    assert _conversation(reply).secrets_encrypted == ""
    assert "flow" not in _conversation(reply).state
    # The stored turns keep neither the name, the NIK, the phone nor the code.
    stored = " ".join(
        Turn.objects.filter(conversation__token=reply.conversation).values_list("text", flat=True)
    )
    assert "Rahmawati" not in stored and NIK not in stored and "3456" not in stored


def test_book_by_chat_in_english_by_email_step_by_step(talk: Callable[..., Talk]) -> None:
    send = talk()
    reply = send("I want to book a visit")
    assert reply.intent == "book" and "Which service" in reply.text
    reply = send("New passport")
    assert "Which office" in reply.text or "At which office" in reply.text
    reply = send("Kantor Imigrasi Kelas I Khusus TPI Jakarta Pusat")
    assert "which day" in reply.text and reply.suggestions
    reply = send(reply.suggestions[0].text)
    assert "Which time" in reply.text
    reply = send(reply.suggestions[-1].text)
    assert "full name" in reply.text
    send("Siti Rahmawati")
    send(NIK)
    reply = send("siti@example.id")
    assert "s***@example.id" in reply.text and reply.actions[0].kind == "booking_held"
    reply = send("kirim ulang")
    assert "new code" in reply.text
    reply = send("000000" if _last_code() != "000000" else "111111")
    assert "not right" in reply.text and not reply.actions  # the service counted it
    reply = send(_last_code())
    assert reply.actions[0].kind == "booking_confirmed"
    assert "confirmed" in reply.text and "Bring:" in reply.text


@pytest.mark.parametrize(
    ("opening", "nik_error", "contact_error"),
    [
        ("mau bikin paspor baru di kanim jakarta pusat besok", "16 digit", "Nomor HP"),
        (
            "I want to book a new passport appointment at kanim jakarta pusat tomorrow",
            "exactly 16 digits",
            "mobile number",
        ),
    ],
)
def test_a_wrong_nik_or_contact_shows_the_service_error_and_stays_on_the_step(
    talk: Callable[..., Talk], opening: str, nik_error: str, contact_error: str
) -> None:
    send = talk()
    reply = send(opening)
    reply = send(reply.suggestions[0].text)
    send("Siti Rahmawati")
    reply = send("1234")
    assert nik_error in reply.text, reply.text
    assert _conversation(reply).state["step"] == "nik"
    reply = send(NIK)
    assert _conversation(reply).state["step"] == "contact"
    reply = send("12")
    assert contact_error.lower() in reply.text.lower(), reply.text
    assert _conversation(reply).state["step"] == "contact"
    assert not chat_bookings().exists()


def test_a_third_hold_for_one_nik_is_refused_by_chat(talk: Callable[..., Talk]) -> None:
    services = ["paspor baru", "ganti paspor", "paspor hilang"]
    replies = []
    for service in services:
        send = talk()
        reply = send(f"mau booking {service} di kanim jakarta pusat besok")
        reply = send(reply.suggestions[0].text)
        send("Siti Rahmawati")
        send(NIK)
        replies.append(send("0812 3456 7890"))
    assert [r.actions[0].kind for r in replies[:2]] == ["booking_held", "booking_held"]
    assert not replies[2].actions
    assert "NIK ini sudah menahan 2 tempat" in replies[2].text, replies[2].text
    assert chat_bookings().filter(status=BookingStatus.HELD).count() == 2


def test_cancel_with_wrong_last_digits_reveals_nothing(chat: Any, eve: datetime) -> None:
    booking = _confirmed_booking(eve)
    reply = chat("saya mau batalkan booking", now=eve)
    assert reply.intent == "cancel"
    chat(booking.code, now=eve)
    reply = chat("9999", now=eve)
    assert "Tidak ada pemesanan" in reply.text, reply.text
    office = booking.slot.office_service.office
    assert office.name not in reply.text and "Siti" not in reply.text
    assert not Message.objects.filter(kind="owner_code").exists()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED and booking.lookup_failures == 1


@pytest.mark.parametrize(
    ("words", "yes", "done"),
    [
        (["saya mau batalkan booking"], "ya", "dibatalkan"),
        (["I want to cancel my booking"], "yes", "cancelled"),
    ],
)
def test_cancel_with_proof_cancels_and_tells_the_citizen_as_the_web_does(
    talk: Callable[..., Talk], eve: datetime, words: list[str], yes: str, done: str
) -> None:
    booking = _confirmed_booking(eve)
    send = talk()
    send(words[0])
    send(booking.code)
    reply = send("0001")
    assert "+6281******890" in reply.text and NIK not in reply.text  # masked contact
    assert booking.status == BookingStatus.CONFIRMED
    # The code's message says what it is for, in the booking's language.
    sent = Message.objects.filter(kind="owner_code").latest("pk")
    rendered = message_render(kind=sent.kind, language="id", context=sent.context, for_email=False)
    assert f"mengubah atau membatalkan pemesanan {booking.code}" in rendered.text
    reply = send(_last_code("owner_code"))
    assert f"{booking.slot.office_service.office.name}" in reply.text
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED  # asked first
    reply = send(yes)
    assert done in reply.text and reply.actions[0].as_dict() == {
        "kind": "booking_cancelled",
        "reference": booking.code,
    }
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert Message.objects.filter(kind="cancelled", subject_id=booking.pk).count() == 1


def test_a_wrong_owner_code_changes_nothing(talk: Callable[..., Talk], eve: datetime) -> None:
    booking = _confirmed_booking(eve)
    send = talk()
    send("I want to cancel my booking")
    send(booking.code)
    send("0001")
    code = _last_code("owner_code")
    reply = send("000000" if code != "000000" else "111111")
    assert "not right" in reply.text
    reply = send("yes")
    assert "not right" in reply.text or "6 digits" in reply.text
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_reschedule_by_chat_moves_the_booking(talk: Callable[..., Talk], eve: datetime) -> None:
    booking = _confirmed_booking(eve)
    old_slot = booking.slot_id
    send = talk()
    reply = send("I want to reschedule my booking")
    assert reply.intent == "reschedule"
    send(booking.code)
    send("0812-3456-7890")  # the phone it was made with proves it too
    reply = send(_last_code("owner_code"))
    assert "which day" in reply.text
    reply = send(booking.slot.local_date.isoformat())
    assert "Which time" in reply.text
    reply = send(reply.suggestions[-1].text)
    assert reply.actions[0].kind == "booking_rescheduled", reply.text
    booking.refresh_from_db()
    assert booking.slot_id != old_slot and booking.reschedule_count == 1
    assert Message.objects.filter(kind="rescheduled", subject_id=booking.pk).exists()


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("cek status booking saya", "Terkonfirmasi"),
        ("what is the status of my booking", "Confirmed"),
    ],
)
def test_book_status_needs_the_proof(
    talk: Callable[..., Talk], eve: datetime, question: str, expected: str
) -> None:
    booking = _confirmed_booking(eve)
    send = talk()
    reply = send(f"{question} {booking.code}")
    assert reply.intent == "book_status"
    reply = send("1234")
    assert booking.slot.office_service.office.name not in reply.text
    reply = send(f"{question} {booking.code}")
    reply = send("0001")
    assert expected in reply.text, reply.text
    assert booking.slot.office_service.office.name in reply.text
    assert "****0001" in reply.text and NIK not in reply.text
    assert "WIB" in reply.text


def test_batal_mid_flow_ends_it_and_forgets_the_secrets(talk: Callable[..., Talk]) -> None:
    send = talk()
    reply = send("mau bikin paspor baru di kanim jakarta pusat besok")
    send(reply.suggestions[0].text)
    send("Siti Rahmawati")
    reply = send(NIK)
    assert _conversation(reply).secrets_encrypted
    reply = send("batal")
    conversation = _conversation(reply)
    assert conversation.secrets_encrypted == "" and "flow" not in conversation.state
    assert not chat_bookings().exists()


def test_on_whatsapp_the_chat_number_is_offered_masked(talk: Callable[..., Talk]) -> None:
    send = talk("whatsapp", "6281234567890")
    reply = send("mau bikin paspor baru di kanim jakarta pusat besok")
    send(reply.suggestions[0].text)
    send("Siti Rahmawati")
    reply = send(NIK)
    assert reply.suggestions[0].text == "nomor ini"
    assert "6281234567890" not in str([s.as_dict() for s in reply.suggestions])
    reply = send("nomor ini")
    assert reply.actions[0].kind == "booking_held"
    held = Booking.objects.get(code=reply.actions[0].reference)
    assert held.phone == "+6281234567890" and held.channel == "whatsapp"


def test_one_chat_user_has_the_per_address_hold_limit(
    talk: Callable[..., Talk], settings: Any
) -> None:
    """A chat has no client address: its holds are counted per chat user, at the rate
    the web counts per address (booking.services.flows.booking_start_for_chat)."""
    settings.GILIRAN_RATE_HOLD_PER_IP = "1/h"
    send = talk("whatsapp", "6281234567890")
    replies = []
    for nik in (NIK, OTHER_NIK):
        reply = send("mau bikin paspor baru di kanim jakarta pusat besok")
        send(reply.suggestions[0].text)
        send("Siti Rahmawati")
        send(nik)
        replies.append(send("nomor ini"))
        send("batal")
    assert replies[0].actions[0].kind == "booking_held"
    assert not replies[1].actions and "Terlalu banyak percobaan" in replies[1].text
    assert chat_bookings().count() == 1


def test_a_full_office_says_so_and_names_nearby_offices_with_room(
    talk: Callable[..., Talk],
) -> None:
    """As the web calendar does (booking.selectors.alternatives): MPP DKI Jakarta, a few
    km away, also makes new passports."""
    Slot.objects.filter(office_service=_passport()).update(taken=F("capacity"))
    send = talk()
    reply = send("I want to book a new passport appointment at kanim jakarta pusat")
    assert "has no free places" in reply.text, reply.text
    assert "Mal Pelayanan Publik DKI Jakarta" in reply.text
    assert "flow" not in _conversation(reply).state
    # … and when the next places open, as the calendar page says it.
    assert re.search(r"Places for \w+, \d+ \w+ \d{4} open on", reply.text), reply.text


def test_while_a_waiting_room_is_open_the_chat_sends_there(
    talk: Callable[..., Talk], eve: datetime
) -> None:
    """A chat cannot wait in the room (the gate refuses a hold without an admission), so
    it sends the citizen to the room's page before asking for a day."""
    office_service = _passport()
    office_service.release_time = (eve + timedelta(minutes=10)).time()
    office_service.waiting_room_minutes = 30
    office_service.save()
    reply = talk()("mau bikin paspor baru di kanim jakarta pusat")
    assert "ruang tunggu" in reply.text, reply.text
    assert "/ruang-tunggu/kanim-jakarta-pusat/paspor-baru/" in reply.text
    assert "flow" not in _conversation(reply).state
    assert chat_bookings().count() == 0


def test_a_named_day_without_places_is_said_and_other_days_are_offered(
    talk: Callable[..., Talk], eve: datetime
) -> None:
    tomorrow = (eve + timedelta(days=1)).date()
    Slot.objects.filter(office_service=_passport(), local_date=tomorrow).update(taken=F("capacity"))
    send = talk()
    reply = send("mau bikin paspor baru di kanim jakarta pusat besok")
    assert "Tidak ada tempat kosong pada" in reply.text and "hari apa" in reply.text, reply.text
    assert reply.suggestions and tomorrow.isoformat() not in [s.text for s in reply.suggestions]
    assert _conversation(reply).state["step"] == "day"
