"""Kiosk, counter console, display board and live ticket page, through HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from offices.models import Counter, OfficeService
from queueing.models import Ticket, TicketStatus

pytestmark = pytest.mark.django_db


def test_kiosk_walk_in_prints_a_number_and_returns_to_the_start(
    kiosk_client: Client, passport: OfficeService, clock: Any
) -> None:
    client = kiosk_client
    url = reverse("kiosk", args=[passport.office.code])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"action": "walk_in", "service": passport.pk, "priority_group": "elderly"}
    )
    ticket = Ticket.objects.get()
    assert response["Location"] == reverse(
        "kiosk-ticket", args=[passport.office.code, ticket.public_token]
    )
    page = client.get(response["Location"]).content.decode()
    assert "A-001" in page
    assert ticket.priority_group == "elderly"


def test_kiosk_check_in_with_a_booking_code(
    kiosk_client: Client, passport: OfficeService, clock: Any, slot_for: Any
) -> None:
    client = kiosk_client
    booking = slot_for(passport, minutes_from_now=10)
    url = reverse("kiosk", args=[passport.office.code])
    client.post(url, {"action": "check_in", "code": booking.code.lower()})
    ticket = Ticket.objects.get()
    assert ticket.booking == booking and ticket.source == "appointment"
    again = client.post(url, {"action": "check_in", "code": booking.code})
    assert (
        "sudah check-in" in again.content.decode() or "already checked in" in again.content.decode()
    )
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize("code", ["", "TIDAKADA", "x" * 500])
def test_kiosk_refuses_unknown_codes_clearly(
    kiosk_client: Client, passport: OfficeService, clock: Any, code: str
) -> None:
    response = kiosk_client.post(
        reverse("kiosk", args=[passport.office.code]), {"action": "check_in", "code": code}
    )
    assert response.status_code == 200
    assert 'class="kiosk-error"' in response.content.decode()
    assert not Ticket.objects.exists()


def test_console_calls_and_the_board_and_ticket_page_follow(
    kiosk_client: Client,
    passport: OfficeService,
    counter_one: Counter,
    counter_clerk: Any,
    clock: Any,
) -> None:
    client = kiosk_client
    client.post(
        reverse("kiosk", args=[passport.office.code]), {"action": "walk_in", "service": passport.pk}
    )
    ticket = Ticket.objects.get()
    client.force_login(counter_clerk)
    console = reverse("staff:console", args=[counter_one.pk])
    page = client.post(console, {"action": "next"}, headers={"HX-Request": "true"}).content.decode()
    assert 'data-testid="current-number">A-001' in page and "<html" not in page
    feed = client.get(reverse("board-feed", args=[passport.office.code])).json()
    assert feed["calls"][0]["number"] == "A-001" and feed["calls"][0]["counter_number"] == 1
    live = client.get(reverse("ticket-live", args=[ticket.public_token])).content.decode()
    assert "Loket 1" in live


def test_console_is_only_for_staff_of_that_office(
    client: Client, counter_one: Counter, supervisor_of_another_office: Any
) -> None:
    console = reverse("staff:console", args=[counter_one.pk])
    assert client.get(console).status_code == 302  # sign in first
    client.force_login(supervisor_of_another_office)
    assert client.get(console).status_code == 403
    assert client.post(console, {"action": "next"}).status_code == 403


def test_citizen_leaves_the_queue_from_the_phone(
    client: Client, passport: OfficeService, clock: Any
) -> None:
    client.post(reverse("take-number", args=[passport.office.code]), {"service": passport.pk})
    ticket = Ticket.objects.get()
    client.post(reverse("ticket-live", args=[ticket.public_token]))
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.LEFT
