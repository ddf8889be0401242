"""A hold records where it came from for the anti-calo report: the client's /24 or /48
network (never its address) and the keyed hash of its device cookie or X-Device-Id,
through the page and the API alike; retention erases both with the rest."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from booking.models import Booking, Slot
from booking.privacy import bookings_erase
from core import personal_data
from core.client_marks import DEVICE_COOKIE, client_mark, network_of

pytestmark = pytest.mark.django_db(transaction=True)

CITIZEN = {
    "full_name": "Budi Santoso",
    "nik": "3171010101900002",
    "phone": "081298765432",
    "email": "budi@example.id",
    "channel": "email",
}


def test_networks_are_a_slash_24_or_a_slash_48() -> None:
    assert network_of("203.0.113.77") == "203.0.113.0/24"
    assert network_of("2001:db8:abcd:12:1::7") == "2001:db8:abcd::/48"
    assert network_of("::ffff:198.51.100.9") == "198.51.100.0/24"
    assert network_of("not an address") == network_of("") == ""


def test_an_api_hold_records_its_network_and_the_hash_of_its_device_id(
    client: Client, slot: Slot
) -> None:
    response = client.post(
        "/api/v1/holds/",
        {**CITIZEN, "slot": slot.pk},
        content_type="application/json",
        headers={"X-Device-Id": "app-install-42"},
        REMOTE_ADDR="203.0.113.77",
    )
    assert response.status_code == 201, response.json()
    hold = Booking.objects.get()
    assert hold.client_network == "203.0.113.0/24"
    assert hold.device_hash == personal_data.keyed_hash("device:app-install-42")
    assert "203.0.113.77" not in str(Booking.objects.values().get())


def test_an_api_hold_without_a_device_id_records_none(client: Client, slot: Slot) -> None:
    client.post(
        "/api/v1/holds/",
        {**CITIZEN, "slot": slot.pk},
        content_type="application/json",
        REMOTE_ADDR="2001:db8:abcd:12:1::7",
    )
    hold = Booking.objects.get()
    assert (hold.client_network, hold.device_hash) == ("2001:db8:abcd::/48", "")


def test_the_details_page_gives_a_device_cookie_that_the_hold_records(
    client: Client, slot: Slot
) -> None:
    office_service = slot.office_service
    url = reverse(
        "book-details", args=[office_service.office.code, office_service.service.code, slot.pk]
    )
    cookie = client.get(url).cookies[DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and int(cookie["max-age"]) > 0
    again = client.get(url)
    assert DEVICE_COOKIE not in again.cookies  # kept, not renewed with a new value
    response = client.post(url, {**CITIZEN, "priority_group": ""}, REMOTE_ADDR="198.51.100.9")
    assert response.status_code == 302
    hold = Booking.objects.get()
    assert hold.client_network == "198.51.100.0/24"
    assert hold.device_hash == personal_data.keyed_hash(f"device:{cookie.value}")


def test_the_device_header_wins_over_the_cookie_and_is_cut_to_its_limit(rf: Any) -> None:
    request = rf.get("/", headers={"X-Device-Id": "x" * 500}, REMOTE_ADDR="203.0.113.1")
    request.COOKIES[DEVICE_COOKIE] = "from-the-cookie"
    mark = client_mark(request)
    assert mark.device_hash == personal_data.keyed_hash("device:" + "x" * 128)
    assert mark.network == "203.0.113.0/24"


def test_retention_erases_the_network_and_device(client: Client, slot: Slot) -> None:
    client.post(
        "/api/v1/holds/",
        {**CITIZEN, "slot": slot.pk},
        content_type="application/json",
        headers={"X-Device-Id": "app-install-42"},
        REMOTE_ADDR="203.0.113.77",
    )
    Booking.objects.update(status="expired", releases_at=timezone.now() - timedelta(minutes=1))
    assert bookings_erase(due=Booking.objects.all(), now=timezone.now(), batch_size=10) == 1
    hold = Booking.objects.get()
    assert (hold.client_network, hold.device_hash) == ("", "")
