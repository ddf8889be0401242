"""The booking journey through the pages, as a phone without JavaScript would do it."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from booking.models import Booking, BookingStatus, Slot
from offices.models import OfficeService

# Real commits: messages leave only after the transaction that made them commits.
pytestmark = pytest.mark.django_db(transaction=True)

DETAILS = {
    "full_name": "Siti Rahmawati",
    "nik": "3171014501900001",
    "phone": "0812 3456 7890",
    "email": "siti@example.id",
    "channel": "email",
    "priority_group": "elderly",
}


def _calendar_url(office_service: OfficeService) -> str:
    return reverse("book-calendar", args=[office_service.office.code, office_service.service.code])


def _code() -> str:
    match = re.search(r"\b(\d{6})\b", str(mail.outbox[-1].body))
    assert match is not None
    return match.group(1)


def book(client: Client, slot: Slot, prefix: str = "", **overrides: str) -> Booking:
    office_service = slot.office_service
    url = prefix + reverse(
        "book-details", args=[office_service.office.code, office_service.service.code, slot.pk]
    )
    response = client.post(url, {**DETAILS, **overrides})
    assert response.status_code == 302, response.content.decode()[:3000]
    response = client.post(prefix + reverse("book-code"), {"code": _code()})
    assert response.status_code == 302
    return Booking.objects.get(status=BookingStatus.CONFIRMED, nik_last4="0001")


def test_calendar_says_available_full_closed_and_not_yet_open(
    client: Client, passport_here: OfficeService
) -> None:
    page = client.get(_calendar_url(passport_here), {"bulan": "2026-12"}).content.decode()
    assert 'data-date="2026-12-02"' in page
    assert re.search(r'day-available[^"]*" data-date="2026-12-02"', page)
    assert re.search(r'day-closed[^"]*" data-date="2026-12-25"', page)  # Christmas
    assert "Hari Raya Natal" in page
    assert re.search(r'day-unavailable[^"]*" data-date="2026-12-01"', page)  # today: too soon
    january = client.get(_calendar_url(passport_here), {"bulan": "2027-01"}).content.decode()
    assert re.search(r'day-not_open_yet[^"]*" data-date="2027-01-06"', january)
    assert re.search(r'day-closed[^"]*" data-date="2027-01-05"', january)  # Isra Mikraj


def test_full_day_points_to_the_next_free_day(client: Client, passport_here: OfficeService) -> None:
    Slot.objects.filter(office_service=passport_here, local_date="2026-12-02").update(
        taken=0, capacity=0
    )
    page = client.get(_calendar_url(passport_here), {"tanggal": "2026-12-02"}).content.decode()
    assert "2026-12-03" in page


def test_whole_journey_without_javascript(client: Client, slot: Slot) -> None:
    booking = book(client, slot)
    page = client.get(reverse("booking-detail", args=[booking.code]))
    assert page["Cache-Control"].startswith("max-age=0") or "no-store" in page["Cache-Control"]
    html = page.content.decode()
    assert booking.code in html and "************0001" in html and "3171014501900001" not in html
    ics = client.get(reverse("booking-ics", args=[booking.code]))
    assert ics["Content-Type"].startswith("text/calendar") and b"BEGIN:VEVENT" in ics.content
    qr = client.get(reverse("booking-qr", args=[booking.code]))
    assert qr["Content-Type"] == "image/svg+xml"


def test_invalid_details_show_errors_and_hold_nothing(client: Client, slot: Slot) -> None:
    url = reverse(
        "book-details",
        args=[slot.office_service.office.code, slot.office_service.service.code, slot.pk],
    )
    response = client.post(url, {**DETAILS, "nik": "1234", "phone": "12", "email": "bukan-email"})
    assert response.status_code == 200
    assert Booking.objects.count() == 0
    slot.refresh_from_db()
    assert slot.taken == 0


def test_cancel_asks_first_then_frees_the_place(client: Client, slot: Slot) -> None:
    booking = book(client, slot)
    url = reverse("booking-cancel", args=[booking.code])
    assert client.get(url).status_code == 200
    assert (
        Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED
    )  # a GET changes nothing
    client.post(url)
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CANCELLED
    slot.refresh_from_db()
    assert slot.taken == 0


def test_reschedule_once(client: Client, slot: Slot) -> None:
    booking = book(client, slot)
    later = Slot.objects.filter(
        office_service=slot.office_service, capacity__gt=0, local_date="2026-12-03"
    ).first()
    assert later is not None
    url = reverse("booking-reschedule", args=[booking.code])
    assert client.get(url, {"tanggal": "2026-12-03"}).status_code == 200
    assert client.post(url, {"slot": later.pk}).status_code == 302
    booking.refresh_from_db()
    assert booking.slot_id == later.pk and booking.reschedule_count == 1
    again = Slot.objects.filter(
        office_service=slot.office_service, capacity__gt=0, local_date="2026-12-04"
    ).first()
    response = client.post(url, {"slot": again.pk})  # type: ignore[union-attr]
    assert response.status_code == 200
    booking.refresh_from_db()
    assert booking.slot_id == later.pk


def test_another_browser_cannot_open_the_booking(client: Client, slot: Slot) -> None:
    booking = book(client, slot)
    stranger = Client()
    assert stranger.get(reverse("booking-detail", args=[booking.code])).status_code == 404
    assert stranger.post(reverse("booking-cancel", args=[booking.code])).status_code == 404


def test_lookup_needs_the_code_and_the_right_digits(client: Client, slot: Slot) -> None:
    booking = book(client, slot)
    stranger = Client()
    wrong = stranger.post(reverse("booking-lookup"), {"code": booking.code, "secret": "9999"})
    assert wrong.status_code == 200
    assert stranger.get(reverse("booking-detail", args=[booking.code])).status_code == 404
    right = stranger.post(
        reverse("booking-lookup"), {"code": booking.code.lower(), "secret": "0001"}
    )
    assert right.status_code == 302
    assert stranger.get(reverse("booking-detail", args=[booking.code])).status_code == 200
