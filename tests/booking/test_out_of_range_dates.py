"""Dates far outside the booking window (9999-12-31, 0001-01-01) get a translated error
naming the field, in the API's shape or on a page: never a 500 (issue 10, finding 6)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from offices.models import OfficeService

pytestmark = pytest.mark.django_db

API = "/api/v1/offices/kanim-jakarta/services/paspor-baru/availability"
CALENDAR = "/kantor/kanim-jakarta/layanan/paspor-baru/"


@pytest.fixture
def visitor() -> Client:
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2027-03-01"])
def test_api_day_outside_the_calendar_is_a_400_naming_the_day(
    visitor: Client, passport_here: OfficeService, day: str
) -> None:
    response = visitor.get(f"{API}/{day}/", headers={"accept-language": "en"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "date_out_of_range"
    assert "day" in body["fields"]
    assert "1 December 2026" in body["message"] and "31 January 2027" in body["message"]


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "2026-13", "99999-1", "2026-1"])
def test_api_month_outside_the_calendar_or_malformed_is_a_400_naming_the_month(
    visitor: Client, passport_here: OfficeService, month: str
) -> None:
    response = visitor.get(f"{API}/", {"month": month})
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"month"}


def test_api_months_of_the_calendar_still_answer(
    visitor: Client, passport_here: OfficeService
) -> None:
    assert visitor.get(f"{API}/", {"month": "2026-12"}).status_code == 200
    assert visitor.get(f"{API}/", {"month": "2027-01"}).status_code == 200
    assert visitor.get(f"{API}/2027-01-31/").status_code == 200


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_waiting_list_for_a_day_far_away_is_refused_not_a_500(
    visitor: Client, passport_here: OfficeService, day: str
) -> None:
    body = {
        "office": "kanim-jakarta",
        "service": "paspor-baru",
        "date": day,
        "full_name": "Siti Rahmawati",
        "nik": "3171014501900001",
        "phone": "081234567890",
        "channel": "sms",
    }
    response = visitor.post("/api/v1/waitlist/", body, content_type="application/json")
    assert response.status_code == 409
    assert response.json()["code"] == "day_not_bookable"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"tanggal": "9999-12-31"}, "tanggal"),
        ({"tanggal": "0001-01-01"}, "tanggal"),
        ({"bulan": "9999-12"}, "bulan"),
        ({"bulan": "0001-01"}, "bulan"),
        ({"bulan": "99999999999999999999-1"}, "bulan"),
        ({"tanggal": "bukan-tanggal"}, "tanggal"),
    ],
)
def test_calendar_page_outside_its_range_shows_a_translated_error_page(
    visitor: Client, passport_here: OfficeService, query: dict[str, str], field: str
) -> None:
    response = visitor.get(CALENDAR, query)
    assert response.status_code == 400
    page = response.content.decode()
    assert f"{field}:" in page
    assert "Permintaan ini tidak dapat dilayani" in page  # Indonesian by default
    english = visitor.get("/en" + CALENDAR, query).content.decode()
    assert "This request cannot be served" in english


def test_calendar_hides_links_to_months_it_cannot_show(
    visitor: Client, passport_here: OfficeService
) -> None:
    december = visitor.get(CALENDAR, {"bulan": "2026-12"}).content.decode()
    assert 'rel="prev"' not in december and "?bulan=2027-01" in december
    january = visitor.get(CALENDAR, {"bulan": "2027-01"}).content.decode()
    assert 'rel="next"' not in january and "?bulan=2026-12" in january


def test_waiting_list_page_for_a_day_far_away_is_an_error_page(
    visitor: Client, passport_here: OfficeService
) -> None:
    url = "/kantor/kanim-jakarta/layanan/paspor-baru/daftar-tunggu/"
    assert visitor.get(url, {"tanggal": "9999-12-31"}).status_code == 400


@pytest.mark.parametrize("query", [{"tanggal": "9999-12-31"}, {"bulan": "9999-12"}])
def test_staff_booking_calendar_outside_its_range_is_an_error_page(
    visitor: Client, passport_here: OfficeService, counter_clerk: Any, query: dict[str, str]
) -> None:
    visitor.force_login(counter_clerk)
    response = visitor.get("/staf/kantor/kanim-jakarta/pesan/paspor-baru/", query)
    assert response.status_code == 400
