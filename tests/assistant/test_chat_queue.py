"""The queue by chat: a remote number through ticket_issue where the office allows it,
refused with the service's own words when closed, its position for this conversation
only, and the survey link after service."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from django.utils import translation

from assistant.conversation import Inbound, Reply, message_receive
from offices.models import Office, OfficeService
from queueing.models import Ticket, TicketSource, TicketStatus
from queueing.services.issue import walk_in_closed_message

# Wednesday 9 December 2026: the demo's Jakarta office is open 08:00-15:00 WIB (UTC+7).
OPEN = datetime(2026, 12, 9, 3, 0, tzinfo=UTC)  # 10:00 WIB
CLOSED = datetime(2026, 12, 9, 9, 0, tzinfo=UTC)  # 16:00 WIB
JAKARTA = "Kantor Imigrasi Jakarta Pusat"

Send = Callable[..., Reply]


@pytest.fixture
def talk(demo_country: None) -> Callable[..., Send]:
    """talk(channel, user) -> send(text, now=...): one conversation on that channel."""

    def start(channel: str = "web", user: str = "") -> Send:
        token = {"value": ""}

        def send(text: str, *, now: datetime = OPEN) -> Reply:
            inbound = Inbound(channel=channel, text=text, user=user, conversation=token["value"])
            reply = message_receive(inbound, now=now)
            assert reply is not None
            token["value"] = reply.conversation
            return reply

        return send

    return start


def test_a_number_is_taken_by_chat_while_the_office_is_open(talk) -> None:  # type: ignore[no-untyped-def]
    send = talk()
    asked = send(f"saya mau ambil nomor antrean di {JAKARTA}")
    assert "layanan" in asked.text.lower()
    assert "Paspor baru" in [s.label for s in asked.suggestions]
    issued = send("Paspor baru")
    assert [a.as_dict() for a in issued.actions] == [
        {"kind": "ticket_issued", "reference": "A-001"}
    ]
    ticket = Ticket.objects.get()
    assert ticket.source == TicketSource.REMOTE and ticket.language == "id"
    assert ticket.display_number in issued.text
    assert "0 orang" in issued.text  # nobody ahead yet
    assert f"/antrean/{ticket.public_token}/" in issued.text  # the live page, as on the web

    # Its position, for this conversation, in the office's zone when a counter serves.
    later = send("A-001 sudah sampai mana ya posisi antrean saya?")
    assert later.intent == "queue_position"
    assert "A-001" in later.text and "orang" in later.text


def test_english_take_number_names_the_service_in_the_first_message(talk) -> None:  # type: ignore[no-untyped-def]
    send = talk()
    issued = send(f"I want to take a queue number for a new passport at {JAKARTA}")
    assert issued.language == "en"
    assert [a.kind for a in issued.actions] == ["ticket_issued"]
    assert "Your number at" in issued.text and "0 people ahead" in issued.text
    position = send("what is my position in the queue")
    assert "A-001" in position.text and "people ahead" in position.text


def test_after_closing_the_services_own_message_is_the_answer(talk) -> None:  # type: ignore[no-untyped-def]
    office = Office.objects.get(code="kanim-jakarta-pusat")
    for language, text in (
        ("id", f"saya mau ambil nomor antrean di {JAKARTA}"),
        (
            "en",
            "I would like to take a queue number today, at the Jakarta Pusat immigration office",
        ),
    ):
        reply = talk()(text, now=CLOSED)
        with translation.override(language):
            expected = walk_in_closed_message(office, CLOSED)
        assert expected and reply.text == expected
        assert not reply.actions
    assert not Ticket.objects.exists()


def test_no_remote_numbers_where_the_office_does_not_allow_them(talk) -> None:  # type: ignore[no-untyped-def]
    office = Office.objects.get(code="kanim-jakarta-pusat")
    OfficeService.objects.filter(office=office).update(remote_walk_in=False)
    reply = talk()(
        "I would like to take a queue number today, at the Jakarta Pusat immigration office"
    )
    assert "no numbers from afar" in reply.text
    assert not Ticket.objects.exists()


def test_another_chat_learns_nothing_from_a_ticket_number(talk) -> None:  # type: ignore[no-untyped-def]
    talk()(f"I want to take a queue number for a new passport at {JAKARTA}")
    stranger = talk()("what is my position in the queue, number A-001")
    assert "booking code" in stranger.text
    assert "ahead" not in stranger.text and "A-001:" not in stranger.text


def test_called_and_served_and_the_survey_link(talk) -> None:  # type: ignore[no-untyped-def]
    send = talk()
    send(f"I want to take a queue number for a new passport at {JAKARTA}")
    ticket = Ticket.objects.get()
    office = ticket.office
    counter = office.counters.get(number=4)
    Ticket.objects.filter(pk=ticket.pk).update(
        status=TicketStatus.CALLED, counter=counter, called_at=OPEN
    )
    assert "called to counter 4" in send("what is my position in the queue").text
    before = send("how do I rate the service?")
    assert "once it is finished" in before.text
    Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.FINISHED, finished_at=OPEN)
    assert "has been served" in send("what is my position in the queue").text
    survey = send("how do I rate the service?")
    assert f"/antrean/{ticket.public_token}/nilai/" in survey.text


def test_on_whatsapp_the_number_gets_the_queue_messages(talk) -> None:  # type: ignore[no-untyped-def]
    send = talk("whatsapp", "6281234567890")
    reply = send(f"saya mau ambil nomor antrean paspor baru di {JAKARTA}")
    assert [a.kind for a in reply.actions] == ["ticket_issued"]
    ticket = Ticket.objects.get()
    assert ticket.contact_phone == "+6281234567890"
    assert ticket.messages.filter(kind="queued").exists()


def test_a_checked_in_booking_is_followed_with_its_code_and_nik_digits(talk) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from booking.models import Booking, BookingStatus, Slot, Source
    from core import personal_data
    from queueing.services.issue import ticket_issue

    office_service = OfficeService.objects.get(
        office__code="kanim-jakarta-pusat", service__code="paspor-baru"
    )
    starts = OPEN + timedelta(minutes=30)
    slot, _created = Slot.objects.get_or_create(
        office_service=office_service,
        starts_at=starts,
        defaults={
            "ends_at": starts + timedelta(minutes=30),
            "local_date": starts.date(),
            "capacity": 5,
            "taken": 1,
        },
    )
    nik = "3171010101900001"
    booking = Booking.objects.create(
        code="K7Q2MZ9D",
        slot=slot,
        service=office_service.service,
        status=BookingStatus.ATTENDED,
        full_name="Warga",
        nik_encrypted=personal_data.encrypt(nik),
        nik_hash=personal_data.keyed_hash(nik),
        nik_last4=nik[-4:],
        email="warga@example.id",
        channel="email",
        source=Source.WEB,
    )
    ticket_issue(
        office_service=office_service, source=TicketSource.APPOINTMENT, booking=booking, now=OPEN
    )
    wrong = talk()("what is my position in the queue? booking K7Q2MZ9D 9999")
    assert "found no checked-in number" in wrong.text and "ahead" not in wrong.text
    right = talk()("what is my position in the queue? booking K7Q2MZ9D 0001")
    assert "A-001: 0 people ahead" in right.text


def test_asked_for_proof_the_citizen_may_ask_something_else(talk) -> None:  # type: ignore[no-untyped-def]
    send = talk()
    assert "booking code" in send("what is my position in the queue").text
    moved_on = send(f"I want to take a queue number for a new passport at {JAKARTA}")
    assert [a.kind for a in moved_on.actions] == ["ticket_issued"]
