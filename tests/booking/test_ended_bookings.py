"""A booking that can no longer be used (cancelled, checked in, missed) says so wherever a
citizen meets it: its page, the API, its calendar file and the cancellation message."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from booking.models import Booking, BookingStatus, Slot
from tests.booking.test_api_booking import _book as api_book
from tests.booking.test_api_booking import _post
from tests.booking.test_booking_pages import book

pytestmark = pytest.mark.django_db(transaction=True)


def _event(ics: bytes | str) -> tuple[Calendar, Any]:
    calendar = Calendar.from_ical(ics)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def _calendar_attachment(message: Any) -> str:
    (attachment,) = [a for a in message.attachments if a[0].endswith(".ics")]
    content = attachment[1]
    return content.decode() if isinstance(content, bytes) else content


def _cancelled(client: Client, slot: Slot) -> Booking:
    booking = book(client, slot)
    assert client.post(reverse("booking-cancel", args=[booking.code])).status_code == 302
    return Booking.objects.get(pk=booking.pk)


def test_a_cancelled_booking_page_says_when_and_offers_nothing_to_use(
    client: Client, slot: Slot
) -> None:
    booking = _cancelled(client, slot)
    page = client.get(reverse("booking-detail", args=[booking.code])).content.decode()
    assert "Pemesanan ini dibatalkan pada Selasa, 1 Desember 2026, 10:00 WIB." in page
    assert reverse("booking-qr", args=[booking.code]) not in page
    assert "kios" not in page.lower()
    assert "data-print" not in page
    assert "Tambahkan ke kalender" not in page
    assert "Batalkan pemesanan" not in page
    # The QR code itself is gone too: a cancelled code is not for the kiosk's camera.
    assert client.get(reverse("booking-qr", args=[booking.code])).status_code == 404


def test_a_cancelled_booking_page_in_english(client: Client, slot: Slot) -> None:
    booking = _cancelled(client, slot)
    page = client.get("/en" + reverse("booking-detail", args=[booking.code])).content.decode()
    assert "This booking was cancelled on Tuesday, 1 December 2026, 10:00 WIB." in page
    assert "Add to calendar" not in page and "kiosk" not in page


def test_a_confirmed_booking_page_still_offers_everything(client: Client, slot: Slot) -> None:
    booking = book(client, slot)
    page = client.get(reverse("booking-detail", args=[booking.code])).content.decode()
    assert reverse("booking-qr", args=[booking.code]) in page
    assert "kios" in page and "data-print" in page and "Tambahkan ke kalender" in page
    assert "dibatalkan" not in page


@pytest.mark.parametrize(
    ("status", "notice"),
    [
        (BookingStatus.ATTENDED, "Anda sudah check-in di kantor untuk pemesanan ini."),
        (BookingStatus.NO_SHOW, "Anda tidak datang pada waktu ini; pemesanan ini sudah berakhir."),
    ],
)
def test_a_booking_checked_in_or_missed_offers_nothing_to_use(
    client: Client, slot: Slot, status: str, notice: str
) -> None:
    booking = book(client, slot)
    Booking.objects.filter(pk=booking.pk).update(status=status)
    page = client.get(reverse("booking-detail", args=[booking.code])).content.decode()
    assert notice in page
    assert reverse("booking-qr", args=[booking.code]) not in page
    assert "kios" not in page.lower() and "data-print" not in page
    assert "Tambahkan ke kalender" not in page


def test_the_cancelled_calendar_file_withdraws_the_confirmed_event(
    client: Client, slot: Slot
) -> None:
    booking = book(client, slot)
    confirmed_calendar, confirmed = _event(
        client.get(reverse("booking-ics", args=[booking.code])).content
    )
    assert str(confirmed_calendar["METHOD"]) == "PUBLISH"
    assert str(confirmed["STATUS"]) == "CONFIRMED"
    client.post(reverse("booking-cancel", args=[booking.code]))
    response = client.get(reverse("booking-ics", args=[booking.code]))
    assert response["Content-Type"].startswith("text/calendar")
    calendar, cancelled = _event(response.content)
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert str(cancelled["UID"]) == str(confirmed["UID"])
    assert int(cancelled["SEQUENCE"]) > int(confirmed["SEQUENCE"])
    assert not cancelled.walk("VALARM")  # no reminder for a visit that will not happen
    # What a calendar needs to find and drop the event: the same start and organizer.
    assert cancelled.decoded("DTSTART") == confirmed.decoded("DTSTART")
    assert str(cancelled["ORGANIZER"]) == str(confirmed["ORGANIZER"])


def test_the_cancellation_email_carries_the_withdrawal_of_the_confirmed_event(
    client: Client, slot: Slot
) -> None:
    booking = book(client, slot)
    _calendar, confirmed = _event(_calendar_attachment(mail.outbox[-1]))
    client.post(reverse("booking-cancel", args=[booking.code]))
    cancellation = mail.outbox[-1]
    assert cancellation.subject.startswith("Pemesanan dibatalkan")
    calendar, cancelled = _event(_calendar_attachment(cancellation))
    assert str(calendar["METHOD"]) == "CANCEL" and str(cancelled["STATUS"]) == "CANCELLED"
    assert str(cancelled["UID"]) == str(confirmed["UID"])
    assert int(cancelled["SEQUENCE"]) > int(confirmed["SEQUENCE"])


def test_the_api_says_a_cancelled_booking_is_no_longer_usable(client: Client, slot: Slot) -> None:
    booked = api_book(client, slot)
    assert booked["booking"]["usable"] is True and booked["booking"]["cancelled_at"] is None
    code = booked["booking"]["code"]
    auth = {"Authorization": f"Bearer {booked['manage_token']}"}
    cancelled = _post(client, f"/api/v1/bookings/{code}/cancel/", **auth).json()
    assert cancelled["status"] == "cancelled" and cancelled["usable"] is False
    assert cancelled["cancelled_at"] == "2026-12-01T10:00:00+07:00"
    assert cancelled["reschedules_left"] == 0
