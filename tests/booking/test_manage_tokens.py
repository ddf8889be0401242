"""Manage links and tokens: stored nowhere, ended by a change to the booking or a
revoke, valid until the end of the booking's day, and exchanged for a session grant so
they leave the address at once (issue 10, finding 3)."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.test import Client

from booking.messages import BookingMessageKind
from booking.models import Booking, BookingStatus, Slot, Source
from booking.services.booking import booking_cancel, booking_confirm, booking_hold
from booking.tokens import booking_for_token, manage_token, manage_tokens_revoke, token_expiry
from notifications.models import Message
from tests.booking.conftest import NOW, citizen_details

pytestmark = pytest.mark.django_db(transaction=True)


def _confirmed(slot: Slot) -> Booking:
    held = booking_hold(slot_id=slot.pk, details=citizen_details(), source=Source.WEB)
    return booking_confirm(booking=held)


def _link_in_last_mail() -> str:
    body = str(mail.outbox[-1].body)
    return re.search(r"https?://\S+\?t=\S+", body).group(0)  # type: ignore[union-attr]


def _path(link: str) -> str:
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"


def test_messages_store_no_manage_link_but_carry_one_minted_when_sent(
    client: Client, slot: Slot
) -> None:
    mail.outbox.clear()
    booking = _confirmed(slot)
    confirmed = Message.objects.get(booking=booking, kind=BookingMessageKind.CONFIRMED)
    stored = json.dumps(confirmed.context) + json.dumps(
        list(Message.objects.values_list("context", flat=True))
    )
    assert "manage_url" not in stored and "?t=" not in stored
    link = _link_in_last_mail()
    assert client.get(_path(link)).status_code == 302


def test_following_a_link_grants_this_browser_and_drops_the_token_from_the_address(
    client: Client, slot: Slot
) -> None:
    booking = _confirmed(slot)
    path = f"/pesanan/{booking.code}/"
    followed = client.get(f"{path}?t={manage_token(booking)}")
    assert followed.status_code == 302 and followed["Location"] == path
    page = client.get(path)
    assert page.status_code == 200 and booking.code in page.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED  # a GET changes nothing (mail scanners)


def test_a_link_from_before_a_cancel_no_longer_opens_or_manages_the_booking(
    client: Client, slot: Slot
) -> None:
    booking = _confirmed(slot)
    old = manage_token(booking)
    booking_cancel(booking=booking)
    followed = client.get(f"/pesanan/{booking.code}/?t={old}")
    assert followed.status_code == 302 and followed["Location"] == "/pesanan/"
    assert client.get(f"/pesanan/{booking.code}/").status_code == 404
    api = client.get(
        f"/api/v1/bookings/{booking.code}/", headers={"Authorization": f"Bearer {old}"}
    )
    assert api.status_code == 404


def test_revoking_ends_links_and_the_browsers_they_opened(client: Client, slot: Slot) -> None:
    booking = _confirmed(slot)
    client.get(f"/pesanan/{booking.code}/?t={manage_token(booking)}")
    assert client.get(f"/pesanan/{booking.code}/").status_code == 200
    token = manage_token(booking)
    with transaction.atomic():
        manage_tokens_revoke(booking_id=booking.pk)
    assert client.get(f"/pesanan/{booking.code}/").status_code == 404
    assert booking_for_token(token) is None


def test_cancelling_in_the_browser_keeps_the_citizen_on_their_booking(
    client: Client, slot: Slot
) -> None:
    booking = _confirmed(slot)
    client.get(f"/pesanan/{booking.code}/?t={manage_token(booking)}")
    done = client.post(f"/pesanan/{booking.code}/batal/")
    assert done.status_code == 302
    assert client.get(f"/pesanan/{booking.code}/").status_code == 200


def test_a_token_lasts_until_the_end_of_the_booking_day_plus_the_margin(
    slot: Slot, settings: Any
) -> None:
    booking = _confirmed(slot)
    token = manage_token(booking)
    zone = ZoneInfo("Asia/Jakarta")
    end_of_day = (slot.starts_at.astimezone(zone) + timedelta(days=1)).replace(hour=0, minute=0)
    last = end_of_day + timedelta(hours=settings.GILIRAN_MANAGE_TOKEN_MARGIN_HOURS)
    with time_machine.travel(last - timedelta(seconds=1), tick=False):
        assert booking_for_token(token) == booking
    with time_machine.travel(last, tick=False):
        assert booking_for_token(token) is None


def test_a_token_for_a_booking_far_ahead_lasts_at_most_the_maximum(
    slot: Slot, settings: Any
) -> None:
    booking = _confirmed(slot)
    settings.GILIRAN_MANAGE_TOKEN_MAX_DAYS = 0
    assert token_expiry(booking, NOW) == NOW
    assert booking_for_token(manage_token(booking)) is None
