"""The notification log: supervisors of an office see its messages with their status
and failure reason, find them by booking code, and resend; nobody else sees them."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from booking.messages import BookingMessageKind
from notifications.models import Message, MessageStatus
from notifications.services.outbox import Recipient, message_queue, outbox_dispatch_due

pytestmark = pytest.mark.django_db

CONTEXT = {
    "reference": "B7KQ2M9X",
    "booking_code": "B7KQ2M9X",
    "service": "Paspor baru",
    "office": "Kantor Imigrasi Jakarta Pusat",
    "when": "Rabu, 2 Desember 2026, 08:00 WIB",
}


def _queue(
    office: Any,
    *,
    kind: str = BookingMessageKind.CANCELLED,
    address: str = "siti@example.id",
    channel: str = "email",
    key: str = "one",
    context: dict[str, Any] | None = None,
) -> Message:
    with transaction.atomic():
        message = message_queue(
            kind=kind,
            dedup_key=key,
            recipient=Recipient(channel=channel, address=address, language="id"),
            context=context or CONTEXT,
            office=office,
        )
    assert message is not None
    return message


def _log(office: Any) -> str:
    return reverse("staff:messages", args=[office.code])


def test_a_supervisor_finds_a_citizens_messages_by_booking_code(
    client: Client, jakarta_office: Any, supervisor: Any
) -> None:
    _queue(jakarta_office)
    _queue(
        jakarta_office,
        key="two",
        context={**CONTEXT, "reference": "ZZZZ2222", "booking_code": "ZZZZ2222"},
    )
    outbox_dispatch_due()
    client.force_login(supervisor)
    page = client.get(_log(jakarta_office), {"cari": "b7kq 2m9x"}).content.decode()
    assert "B7KQ2M9X" in page and "ZZZZ2222" not in page
    assert "Terkirim" in page and "s***@example.id" in page and "siti@example.id" not in page


def test_a_dead_letter_shows_why_and_can_be_resent_once_fixed(
    client: Client,
    jakarta_office: Any,
    supervisor: Any,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.GILIRAN_CONSOLE_MESSAGES = False
    dead = _queue(jakarta_office, channel="sms", address="+6281234567890")
    outbox_dispatch_due()
    dead.refresh_from_db()
    assert dead.status == MessageStatus.DEAD
    client.force_login(supervisor)
    page = client.get(_log(jakarta_office), {"status": "dead"}).content.decode()
    assert "Gagal: perlu ditangani" in page and "no sms gateway is configured" in page
    settings.GILIRAN_CONSOLE_MESSAGES = True  # the gateway problem is fixed
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("staff:message-resend", args=[jakarta_office.code, dead.pk]))
    assert response.status_code == 302
    resend = Message.objects.get(resent_from=dead)
    assert resend.status == MessageStatus.SENT and resend.resent_by == supervisor
    assert "Pesan sedang dikirim ulang." in client.get(response["Location"]).content.decode()


def test_one_time_codes_are_never_resent(
    client: Client, jakarta_office: Any, supervisor: Any
) -> None:
    code = _queue(
        jakarta_office, kind=BookingMessageKind.CODE, context={**CONTEXT, "code": "123456"}
    )
    client.force_login(supervisor)
    response = client.post(
        reverse("staff:message-resend", args=[jakarta_office.code, code.pk]), follow=True
    )
    assert "Kode sekali pakai tidak dikirim ulang." in response.content.decode()
    assert not Message.objects.filter(resent_from=code).exists()


def test_the_log_is_for_supervisors_of_that_office_only(
    client: Client, jakarta_office: Any, counter_clerk: Any, supervisor_of_another_office: Any
) -> None:
    message = _queue(jakarta_office)
    for person in (counter_clerk, supervisor_of_another_office):
        client.force_login(person)
        assert client.get(_log(jakarta_office)).status_code == 403
        resend = reverse("staff:message-resend", args=[jakarta_office.code, message.pk])
        assert client.post(resend).status_code == 403
    assert Message.objects.count() == 1


def test_the_log_speaks_english_too(client: Client, jakarta_office: Any, supervisor: Any) -> None:
    _queue(jakarta_office)
    client.force_login(supervisor)
    page = client.get("/en" + _log(jakarta_office)).content.decode()
    assert "Messages to citizens" in page and "Booking cancelled" in page
