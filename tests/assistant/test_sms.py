"""The SMS keyword fallback: only the gateway (its bearer token) gets in, ANTRE/QUEUE and
STATUS answer about a booking only to the number it was made with, anything else gets the
keywords, each in its language, once, and the reply leaves through the SMS gateway."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from assistant.models import Author, Conversation, Turn
from booking.models import Booking, BookingStatus, Slot, Source
from core import personal_data
from notifications.models import Message, MessageStatus
from notifications.services.outbox import outbox_dispatch_due
from offices.models import OfficeService
from queueing.models import Ticket, TicketSource, TicketStatus
from queueing.selectors import ticket_outlook
from tests.assistant.channel_helpers import stored
from tests.fake_gateway import FakeGateway

URL = "/webhooks/sms/"
INBOUND = "sms-inbound-token-0123456789"
PHONE = "+6281234567890"
OTHER_PHONE = "+6281298765432"


@pytest.fixture
def gateway(settings: Any) -> Iterator[FakeGateway]:
    with FakeGateway() as fake:
        settings.GILIRAN_SMS_INBOUND_TOKEN = INBOUND
        settings.GILIRAN_GATEWAYS = {
            **settings.GILIRAN_GATEWAYS,
            "sms": {"url": fake.url, "token": "out"},
        }
        settings.GILIRAN_CONSOLE_MESSAGES = False
        yield fake


@pytest.fixture
def booking(jakarta_office: Any) -> Booking:
    office_service = OfficeService.objects.get(office=jakarta_office)
    starts = timezone.now() + timedelta(minutes=30)
    slot = Slot.objects.create(
        office_service=office_service,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=30),
        local_date=timezone.localtime(starts, jakarta_office.zone).date(),
        capacity=5,
        taken=1,
    )
    nik = "3171010101900001"
    return Booking.objects.create(
        code="B7KQ2M9X",
        slot=slot,
        service=office_service.service,
        status=BookingStatus.CONFIRMED,
        full_name="Warga",
        nik_encrypted=personal_data.encrypt(nik),
        nik_hash=personal_data.keyed_hash(nik),
        nik_last4=nik[-4:],
        phone=PHONE,
        channel="sms",
        source=Source.WEB,
    )


def ticket(booking: Booking | None, number: int, *, minutes_ago: int) -> Ticket:
    office_service = OfficeService.objects.get(office__code="kanim-jakarta")
    now = timezone.now()
    return Ticket.objects.create(
        office=office_service.office,
        office_service=office_service,
        local_date=timezone.localtime(now, office_service.office.zone).date(),
        letter="A",
        number=number,
        source=TicketSource.APPOINTMENT if booking else TicketSource.KIOSK,
        booking=booking,
        status=TicketStatus.WAITING,
        queued_at=now - timedelta(minutes=minutes_ago),
        public_token=secrets.token_urlsafe(16),
    )


def sms(
    client: Client, text: str, *, sender: str = "6281234567890", id: str = "", token: str = INBOUND
) -> Any:
    sms.count += 1  # type: ignore[attr-defined]
    body = {"id": id or f"gw-{sms.count}", "from": sender, "text": text}  # type: ignore[attr-defined]
    return client.post(
        URL,
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


sms.count = 0  # type: ignore[attr-defined]


def last_reply() -> str:
    return Turn.objects.filter(author=Author.ASSISTANT).latest("pk").text


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["", "wrong", INBOUND + "x"])
def test_without_the_gateways_token_nothing_is_done(
    client: Client, gateway: FakeGateway, token: str
) -> None:
    assert sms(client, "ANTRE B7KQ2M9X", token=token).status_code == 403
    assert client.post(URL, data="{}", content_type="application/json").status_code == 403
    assert stored() == (0, 0, 0)


@pytest.mark.django_db
def test_antre_gives_the_queue_number_in_indonesian_and_it_is_sent_by_sms(
    client: Client, gateway: FakeGateway, booking: Booking
) -> None:
    ticket(None, 1, minutes_ago=20)
    mine = ticket(booking, 2, minutes_ago=5)
    ahead = ticket_outlook(mine, timezone.now()).ahead

    response = sms(client, "antre b7kq2m9x", sender="081234567890")

    assert response.status_code == 200
    assert response.json()["answered"] is True
    assert last_reply() == f"Nomor antrean Anda A-002; {ahead} orang di depan Anda."
    message = Message.objects.get()
    assert (message.channel, message.recipient, message.language) == ("sms", PHONE, "id")

    outbox_dispatch_due()

    [delivered] = gateway.delivered.values()
    assert delivered["to"] == PHONE
    assert delivered["text"] == f"Nomor antrean Anda A-002; {ahead} orang di depan Anda."
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT


@pytest.mark.django_db
def test_queue_answers_in_english(client: Client, gateway: FakeGateway, booking: Booking) -> None:
    sms(client, "QUEUE B7KQ2M9X")

    assert last_reply().startswith(
        "Booking B7KQ2M9X has no queue number yet. Check in at the office"
    )
    assert Message.objects.get().language == "en"


@pytest.mark.django_db
def test_status_tells_the_booking_in_the_conversations_language(
    client: Client, gateway: FakeGateway, booking: Booking
) -> None:
    sms(client, "STATUS B7KQ2M9X")
    indonesian = last_reply()
    sms(client, "HELP")
    sms(client, "STATUS B7KQ2M9X")
    english = last_reply()

    assert indonesian.startswith("Booking B7KQ2M9X: Terkonfirmasi.")
    assert "Kantor Imigrasi Jakarta Pusat" in indonesian and " di " in indonesian
    assert english.startswith("Booking B7KQ2M9X: Confirmed.")
    assert " at Kantor Imigrasi Jakarta Pusat" in english and "WIB" in english


@pytest.mark.django_db
def test_another_number_learns_nothing_about_the_booking(
    client: Client, gateway: FakeGateway, booking: Booking
) -> None:
    ticket(booking, 2, minutes_ago=5)

    sms(client, "ANTRE B7KQ2M9X", sender=OTHER_PHONE)
    refusal = last_reply()

    assert refusal.startswith("Tidak ada pemesanan B7KQ2M9X yang dibuat dengan nomor ini.")
    assert "A-002" not in refusal and "Jakarta" not in refusal
    booking.refresh_from_db()
    assert booking.lookup_failures == 1  # a wrong guess counts towards the code's lock


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("halo", "Giliran SMS: kirim ANTRE <kode pemesanan> untuk nomor antrean Anda"),
        ("ANTRE", "Giliran SMS: kirim ANTRE <kode pemesanan>"),
        ("BANTUAN", "Giliran SMS: kirim ANTRE"),
        ("help", "Giliran SMS: send QUEUE <booking code> for your queue number"),
    ],
)
def test_anything_else_gets_the_keywords(
    client: Client, gateway: FakeGateway, text: str, expected: str
) -> None:
    sms(client, text)

    assert last_reply().startswith(expected)


@pytest.mark.django_db
def test_a_repeated_delivery_is_answered_once(
    client: Client, gateway: FakeGateway, booking: Booking
) -> None:
    assert sms(client, "STATUS B7KQ2M9X", id="gw-same").json()["answered"] is True
    assert sms(client, "STATUS B7KQ2M9X", id="gw-same").json()["answered"] is False

    assert stored() == (1, 2, 1)
    outbox_dispatch_due()
    outbox_dispatch_due()
    assert len(gateway.delivered) == 1


@pytest.mark.django_db
def test_the_message_is_stored_masked(client: Client, gateway: FakeGateway) -> None:
    sms(client, "nik saya 3171010101900001")

    citizen = Turn.objects.get(author=Author.CITIZEN).text
    assert "31710101" not in citizen
    assert Conversation.objects.get().channel == "sms"


@pytest.mark.django_db
def test_a_number_over_the_limit_is_acknowledged_unanswered(
    client: Client, gateway: FakeGateway, settings: Any
) -> None:
    settings.GILIRAN_RATE_ASSISTANT_PER_USER = "1/m"

    assert sms(client, "halo").status_code == 200
    second = sms(client, "halo")

    assert (second.status_code, second.json()["answered"]) == (200, False)
    assert stored() == (1, 2, 1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"\xff\xfe\x00binary",
        json.dumps({"id": "1", "text": "halo"}).encode(),
        json.dumps({"id": "1", "from": "not a number", "text": "halo"}).encode(),
        json.dumps({"id": "1", "from": PHONE, "text": 5}).encode(),
        json.dumps({"id": "1", "from": PHONE, "text": "x" * 70_000}).encode(),
    ],
)
def test_what_is_no_sms_is_refused_without_a_trace(
    client: Client, gateway: FakeGateway, body: bytes
) -> None:
    response = client.post(
        URL, data=body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {INBOUND}"
    )

    assert response.status_code == 400
    assert stored() == (0, 0, 0)
