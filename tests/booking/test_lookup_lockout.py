"""Guessing the last 4 NIK digits of a known booking code: many addresses together get 5
tries per code, then the code is locked for an hour (even against the right answer) and
the citizen is told once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from booking.messages import BookingMessageKind
from booking.models import Booking, Slot, Source
from booking.services.booking import CitizenDetails, booking_confirm, booking_hold
from booking.tokens import booking_for_token, manage_token
from notifications.models import Message

pytestmark = pytest.mark.django_db(transaction=True)

LOOKUP = "/api/v1/bookings/lookup/"


@pytest.fixture(autouse=True)
def _fresh_counters() -> None:
    caches["ratelimit"].clear()


@pytest.fixture
def siti_booking(slot: Slot, citizen: CitizenDetails) -> Booking:
    booking = booking_hold(slot_id=slot.pk, details=citizen, source=Source.WEB)
    confirmed = booking_confirm(booking=booking)
    mail.outbox = []
    return confirmed


def _guess(client: Client, code: str, secret: str, address: str) -> Any:
    return client.post(
        LOOKUP,
        {"code": code, "secret": secret},
        content_type="application/json",
        REMOTE_ADDR=address,
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_many_addresses_guessing_one_code_get_locked_out(
    client: Client, siti_booking: Booking
) -> None:
    code = siti_booking.code
    wrong = [_guess(client, code, f"{n + 10:04d}", f"203.0.113.{n}") for n in range(5)]
    assert [answer.status_code for answer in wrong] == [404] * 5
    locked = _guess(client, code, "9999", "198.51.100.1")
    assert locked.status_code == 429
    assert locked.json()["code"] == "lookup_locked"
    assert "Too many wrong attempts for this booking code" in locked.json()["message"]


def test_a_lockout_ends_the_manage_links_and_browser_grants_issued_before(
    client: Client, siti_booking: Booking
) -> None:
    owner = Client()
    path = f"/pesanan/{siti_booking.code}/"
    owner.get(f"{path}?t={manage_token(siti_booking)}")
    assert owner.get(path).status_code == 200
    old_link = manage_token(siti_booking)
    for n in range(5):
        _guess(client, siti_booking.code, f"{n + 10:04d}", f"203.0.113.{n}")
    assert _guess(client, siti_booking.code, "9999", "198.51.100.1").status_code == 429
    assert booking_for_token(old_link) is None
    assert owner.get(path).status_code == 404


def test_the_right_answer_is_refused_during_the_lockout_and_works_after(
    client: Client, siti_booking: Booking, clock: Any
) -> None:
    code = siti_booking.code
    for n in range(5):
        _guess(client, code, f"{n + 10:04d}", f"203.0.113.{n}")
    assert _guess(client, code, "0001", "198.51.100.2").status_code == 429
    clock.shift(timedelta(minutes=61))
    found = _guess(client, code, "0001", "198.51.100.2")
    assert found.status_code == 200
    assert found.json()["booking"]["code"] == code


def test_the_citizen_is_told_once_per_lockout(client: Client, siti_booking: Booking) -> None:
    code = siti_booking.code
    for n in range(12):
        _guess(client, code, f"{n + 10:04d}", f"203.0.113.{n}")
    notices = Message.objects.filter(booking=siti_booking, kind=BookingMessageKind.LOOKUP_LOCKED)
    assert notices.count() == 1
    assert [message.to for message in mail.outbox] == [["siti@example.id"]]
    body = str(mail.outbox[0].body)
    assert code in body and "5 kali" in body and "60 menit" in body
    assert "3171014501900001" not in body


def test_a_right_answer_resets_the_count(client: Client, siti_booking: Booking) -> None:
    code = siti_booking.code
    for round_ in range(3):
        for n in range(4):
            assert _guess(client, code, f"{n + 10:04d}", f"203.0.113.{round_}").status_code == 404
        assert _guess(client, code, "0001", "198.51.100.3").status_code == 200
    assert not Message.objects.filter(kind=BookingMessageKind.LOOKUP_LOCKED).exists()


def test_the_lookup_page_says_the_code_is_locked(client: Client, siti_booking: Booking) -> None:
    url = "/en" + reverse("booking-lookup")
    for n in range(5):
        client.post(url, {"code": siti_booking.code, "secret": f"{n + 10:04d}"})
    page = client.post(url, {"code": siti_booking.code, "secret": "0001"})
    assert page.status_code == 200
    assert "Too many wrong attempts for this booking code" in page.content.decode()
