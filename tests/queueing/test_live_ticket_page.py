"""The citizen's live ticket page: a wait a citizen can picture (whole counters, never
"0,5 loket"), and an update every 30 seconds without JavaScript while the ticket is live."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from offices.models import Counter, OfficeService
from queueing.models import Ticket, TicketStatus

pytestmark = pytest.mark.django_db

REFRESH = '<noscript><meta http-equiv="refresh" content="30; url={path}"></noscript>'


def _waiting_ticket(client: Client, passport: OfficeService) -> Ticket:
    client.post(reverse("take-number", args=[passport.office.code]), {"service": passport.pk})
    return Ticket.objects.get()


def _live(client: Client, ticket: Ticket, language: str = "id", **params: str) -> str:
    with translation.override(language):
        url = reverse("ticket-live", args=[ticket.public_token])
    return client.get(url, params).content.decode()


def test_a_counter_shared_with_another_service_is_one_counter_not_half(
    client: Client, passport: OfficeService, counter_two: Counter, clock: Any
) -> None:
    ticket = _waiting_ticket(client, passport)
    page = _live(client, ticket)
    assert "0,5" not in page and "0.5" not in page
    assert "dengan 1 loket yang melayani layanan ini dan layanan lain saat ini." in page
    english = _live(client, ticket, language="en")
    assert "0.5" not in english
    assert "with 1 counter serving this and other services now." in english


def test_counters_of_this_service_only_are_counted_whole(
    client: Client, passport: OfficeService, counter_one: Counter, clock: Any
) -> None:
    ticket = _waiting_ticket(client, passport)
    assert "dengan 1 loket yang melayani layanan ini saat ini." in _live(client, ticket)
    assert "with 1 counter serving this service now." in _live(client, ticket, language="en")


def test_two_counters_in_english_are_plural(
    client: Client,
    passport: OfficeService,
    counter_one: Counter,
    counter_two: Counter,
    clock: Any,
) -> None:
    ticket = _waiting_ticket(client, passport)
    english = _live(client, ticket, language="en")
    assert "1.5" not in english
    assert "with 2 counters serving this and other services now." in english
    assert "dengan 2 loket yang melayani layanan ini dan layanan lain saat ini." in _live(
        client, ticket
    )


def test_a_live_ticket_refreshes_itself_without_javascript(
    client: Client, passport: OfficeService, counter_one: Counter, clock: Any
) -> None:
    ticket = _waiting_ticket(client, passport)
    path = reverse("ticket-live", args=[ticket.public_token])
    page = _live(client, ticket)
    assert REFRESH.format(path=path) in page
    assert page.count('http-equiv="refresh"') == 1
    assert "Halaman ini diperbarui sendiri setiap 30 detik." in page
    # htmx's own updates are fragments: no second page head.
    fragment = client.get(path, headers={"HX-Request": "true"}).content.decode()
    assert "refresh" not in fragment


def test_the_citizen_can_stop_the_refresh(
    client: Client, passport: OfficeService, counter_one: Counter, clock: Any
) -> None:
    ticket = _waiting_ticket(client, passport)
    page = _live(client, ticket, otomatis="0")
    assert 'http-equiv="refresh"' not in page
    assert f'href="{reverse("ticket-live", args=[ticket.public_token])}"' in page


@pytest.mark.parametrize(
    "status",
    [TicketStatus.SERVING, TicketStatus.FINISHED, TicketStatus.LEFT, TicketStatus.NO_SHOW],
)
def test_a_ticket_that_is_over_or_at_the_counter_does_not_refresh(
    client: Client, passport: OfficeService, counter_one: Counter, clock: Any, status: str
) -> None:
    ticket = _waiting_ticket(client, passport)
    Ticket.objects.filter(pk=ticket.pk).update(status=status, counter=counter_one)
    page = _live(client, ticket)
    assert 'http-equiv="refresh"' not in page
    assert "setiap 30 detik" not in page


def test_leaving_the_queue_without_javascript_stops_the_refresh(
    client: Client, passport: OfficeService, counter_one: Counter, clock: Any
) -> None:
    ticket = _waiting_ticket(client, passport)
    page = client.post(reverse("ticket-live", args=[ticket.public_token])).content.decode()
    assert 'http-equiv="refresh"' not in page


def test_the_first_in_line_is_told_they_are_next_not_zero_people_ahead(
    client: Client, passport: OfficeService, counter_one: Counter, clock: Any
) -> None:
    first = _waiting_ticket(client, passport)
    page = _live(client, first)
    assert "Anda berikutnya." in page and "0 orang" not in page
    assert "You are next in line." in _live(client, first, language="en")
    client.post(reverse("take-number", args=[passport.office.code]), {"service": passport.pk})
    second = Ticket.objects.exclude(pk=first.pk).get()
    assert "1 orang di depan Anda" in _live(client, second)
