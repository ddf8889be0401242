"""A link to a time that has passed says so before the form, and a time too close to
book says that, also before the form; the API refuses both with their own codes
(issue 12, item 8). The clock is Tuesday 1 December 2026, 10:00 WIB (conftest)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from booking.models import Booking, Slot
from offices.models import OfficeService
from scheduling.services import default_plan_extend

pytestmark = pytest.mark.django_db

DETAILS = {
    "full_name": "Siti Rahmawati",
    "nik": "3171014501900001",
    "phone": "0812 3456 7890",
    "email": "siti@example.id",
    "channel": "email",
    "priority_group": "",
}


def _slot(office_service: OfficeService, starts_at: datetime) -> Slot:
    return Slot.objects.get(office_service=office_service, starts_at=starts_at)


@pytest.fixture
def passed(passport_here: OfficeService) -> Slot:
    """Today 08:00 WIB: two hours ago."""
    return _slot(passport_here, datetime(2026, 12, 1, 1, 0, tzinfo=UTC))


@pytest.fixture
def too_close(passport_here: OfficeService) -> Slot:
    """Today 14:00 WIB: still ahead, but bookable only from tomorrow."""
    return _slot(passport_here, datetime(2026, 12, 1, 7, 0, tzinfo=UTC))


def _details_url(slot: Slot, prefix: str = "") -> str:
    office_service = slot.office_service
    args = [office_service.office.code, office_service.service.code, slot.pk]
    return prefix + reverse("book-details", args=args)


def test_a_link_to_a_past_time_says_it_has_passed_before_the_form(
    client: Client, passed: Slot
) -> None:
    page = client.get(_details_url(passed)).content.decode()
    assert "Waktu ini sudah lewat. Silakan pilih waktu lain." in page
    assert "terlalu dekat" not in page
    assert 'name="nik"' not in page and 'class="stack"' not in page  # no details form
    assert 'href="/kantor/kanim-jakarta/layanan/paspor-baru/?tanggal=2026-12-01"' in page
    assert "Pilih waktu lain" in page


def test_a_past_time_in_english(client: Client, passed: Slot) -> None:
    page = client.get(_details_url(passed, "/en")).content.decode()
    assert "This time has passed. Choose another time." in page
    assert 'name="nik"' not in page


def test_a_form_sent_for_a_past_time_holds_nothing_and_says_it_has_passed(
    client: Client, passed: Slot
) -> None:
    page = client.post(_details_url(passed), DETAILS).content.decode()
    assert "Waktu ini sudah lewat." in page
    assert Booking.objects.count() == 0


def test_a_time_too_close_to_book_says_so_before_the_form(client: Client, too_close: Slot) -> None:
    page = client.get(_details_url(too_close)).content.decode()
    assert "Waktu ini terlalu dekat untuk dipesan." in page
    assert "sudah lewat" not in page
    assert 'name="nik"' not in page


def test_a_bookable_time_still_shows_the_form(client: Client, slot: Slot) -> None:
    page = client.get(_details_url(slot)).content.decode()
    assert 'name="nik"' in page and 'role="alert"' not in page


def test_a_day_not_open_yet_says_when_it_opens_before_the_form(
    client: Client, passport_here: OfficeService
) -> None:
    default_plan_extend(  # the fixture plans December: plan a day of January
        office=passport_here.office,
        first=date(2027, 1, 6),
        last=date(2027, 1, 6),
    )
    later = Slot.objects.filter(office_service=passport_here, local_date="2027-01-06").first()
    assert later is not None
    page = client.get(_details_url(later)).content.decode()
    assert "Pemesanan untuk tanggal ini dibuka pada Senin, 7 Desember 2026, 00:00 WIB." in page
    assert 'name="nik"' not in page


def test_staff_are_told_before_the_form_too(
    client: Client, passed: Slot, counter_clerk: Any
) -> None:
    client.force_login(counter_clerk)
    url = reverse("staff:book-details", args=[passed.office_service.office.code, passed.pk])
    page = client.get(url).content.decode()
    assert "Waktu ini sudah lewat." in page and 'name="nik"' not in page


def _hold(client: Client, slot: Slot, language: str) -> Any:
    body = {**DETAILS, "language": language, "slot": slot.pk}
    return client.post(
        "/api/v1/holds/",
        body,
        content_type="application/json",
        headers={"accept-language": language},
    )


def test_the_api_refuses_a_past_time_as_passed(client: Client, passed: Slot) -> None:
    response = _hold(client, passed, "id")
    assert response.status_code == 409
    assert response.json()["code"] == "time_passed"
    assert response.json()["message"] == "Waktu ini sudah lewat. Silakan pilih waktu lain."
    assert _hold(client, passed, "en").json()["message"] == (
        "This time has passed. Choose another time."
    )
    assert Booking.objects.count() == 0


def test_the_api_refuses_a_close_time_as_too_soon(client: Client, too_close: Slot) -> None:
    response = _hold(client, too_close, "en")
    assert response.status_code == 409 and response.json()["code"] == "too_soon"


def test_days_before_today_have_passed_and_today_is_too_soon(
    client: Client, passport_here: OfficeService, clock: Any
) -> None:
    clock.move_to(datetime(2026, 12, 3, 3, 0, tzinfo=UTC))
    month = client.get(
        "/api/v1/offices/kanim-jakarta/services/paspor-baru/availability/",
        {"month": "2026-12"},
        headers={"accept-language": "en"},
    ).json()
    by_day = {day["date"]: day for day in month["days"]}
    assert by_day["2026-12-02"]["reason"] == "this day has passed"
    assert by_day["2026-12-03"]["reason"] == "too soon to book"
