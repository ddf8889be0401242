"""Service and ticket ids posted by the kiosk and the counter console that are not
numbers ("abc", "1.5", "²") get the page's own error, never a 500 (issue 10, finding 6)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from offices.models import Counter, OfficeService
from queueing.models import Ticket

pytestmark = pytest.mark.django_db

ODD = ["abc", "1.5", "²", "-1", "99999999999999999999"]


@pytest.mark.parametrize("value", ODD)
def test_kiosk_walk_in_with_an_odd_service_asks_for_a_service(
    kiosk_client: Client, passport: OfficeService, clock: Any, value: str
) -> None:
    kiosk_client.raise_request_exception = False
    response = kiosk_client.post("/kios/kanim-jakarta/", {"action": "walk_in", "service": value})
    assert response.status_code == 200
    assert "Pilih layanan." in response.content.decode()
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("action", ["transfer", "issue", "call", "unpark"])
@pytest.mark.parametrize("value", ODD)
def test_console_with_an_odd_service_or_ticket_shows_an_error(
    client: Client, counter_one: Counter, counter_clerk: Any, clock: Any, action: str, value: str
) -> None:
    client.raise_request_exception = False
    client.force_login(counter_clerk)
    response = client.post(
        f"/staf/loket/{counter_one.pk}/", {"action": action, "service": value, "ticket": value}
    )
    assert response.status_code == 200
    assert not Ticket.objects.exists()
