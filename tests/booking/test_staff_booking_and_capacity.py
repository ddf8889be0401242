"""Staff book for citizens at the office; supervisors edit capacity, never below bookings."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from booking.models import Booking, BookingStatus, Slot, Source
from booking.services.booking import booking_hold
from tests.booking.conftest import citizen_details

pytestmark = pytest.mark.django_db


def test_clerk_books_for_a_citizen_without_a_phone(
    client: Client, counter_clerk: Any, slot: Slot
) -> None:
    client.force_login(counter_clerk)
    url = reverse("staff:book-details", args=[slot.office_service.office.code, slot.pk])
    response = client.post(
        url, {"full_name": "Mbah Sarinah", "nik": "3171014101400001", "channel": "none"}
    )
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert booking.status == BookingStatus.CONFIRMED and booking.source == Source.STAFF
    assert booking.created_by == counter_clerk and booking.phone == "" and booking.email == ""


def test_staff_of_another_office_cannot_book_here(
    client: Client, supervisor_of_another_office: Any, slot: Slot
) -> None:
    client.force_login(supervisor_of_another_office)
    url = reverse("staff:book-details", args=[slot.office_service.office.code, slot.pk])
    response = client.post(url, {"full_name": "X", "nik": "3171014101400001", "channel": "none"})
    assert response.status_code == 403
    assert not Booking.objects.exists()


def _capacity_url(slot: Slot) -> str:
    return reverse("staff:capacity", args=[slot.office_service.office.code])


def test_supervisor_changes_a_days_capacity(client: Client, supervisor: Any, slot: Slot) -> None:
    client.force_login(supervisor)
    page = client.get(_capacity_url(slot), {"tanggal": "2026-12-02"})
    assert page.status_code == 200 and f'name="slot-{slot.pk}"' in page.content.decode()
    response = client.post(_capacity_url(slot), {"tanggal": "2026-12-02", f"slot-{slot.pk}": "7"})
    assert response.status_code == 302
    slot.refresh_from_db()
    assert slot.capacity == 7


def test_capacity_below_what_is_booked_is_refused_and_nothing_saved(
    client: Client, supervisor: Any, slot: Slot
) -> None:
    booking_hold(slot_id=slot.pk, details=citizen_details(), source=Source.WEB)
    other = Slot.objects.filter(local_date=slot.local_date).exclude(pk=slot.pk).first()
    assert other is not None
    client.force_login(supervisor)
    response = client.post(
        _capacity_url(slot),
        {"tanggal": "2026-12-02", f"slot-{slot.pk}": "0", f"slot-{other.pk}": "9"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Sudah 1 dipesan atau ditahan di sini" in html
    slot.refresh_from_db()
    other.refresh_from_db()
    assert slot.capacity > 0 and other.capacity != 9  # all or nothing


def test_clerks_and_other_offices_cannot_change_capacity(
    client: Client, counter_clerk: Any, supervisor_of_another_office: Any, slot: Slot
) -> None:
    for person in (counter_clerk, supervisor_of_another_office):
        client.force_login(person)
        assert client.get(_capacity_url(slot)).status_code == 403
        client.post(_capacity_url(slot), {"tanggal": "2026-12-02", f"slot-{slot.pk}": "0"})
    slot.refresh_from_db()
    assert slot.capacity > 0
