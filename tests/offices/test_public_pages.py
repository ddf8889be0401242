"""Citizen pages: find an office and a service, in Bahasa Indonesia first and English."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_lists_offices_with_their_services_in_indonesian(
    client: Client, jakarta_office: Any, denpasar_office: Any
) -> None:
    page = client.get("/").content.decode()
    assert '<html lang="id">' in page
    assert "Cari kantor" in page
    assert jakarta_office.name in page and denpasar_office.name in page
    assert "Paspor baru" in page


def test_english_home_lives_under_en(client: Client, jakarta_office: Any) -> None:
    page = client.get("/en/").content.decode()
    assert '<html lang="en">' in page
    assert "Find an office" in page
    assert "New passport" in page


def test_search_by_province_finds_only_that_region(
    client: Client, jakarta_office: Any, denpasar_office: Any
) -> None:
    page = client.get("/", {"q": "bali"}).content.decode()
    assert denpasar_office.name in page
    assert jakarta_office.name not in page
    assert "1 kantor ditemukan" in page


def test_search_by_service_keeps_only_offices_offering_it(
    client: Client, jakarta_office: Any, denpasar_office: Any
) -> None:
    from tests.factories import OfficeServiceFactory, ServiceFactory

    ktp = ServiceFactory.create(
        code="ktp-el-cetak", name_id="Cetak ulang KTP-el", ticket_letter="B"
    )
    OfficeServiceFactory.create(office=denpasar_office, service=ktp)
    page = client.get("/", {"service": "ktp-el-cetak"}).content.decode()
    assert denpasar_office.name in page and jakarta_office.name not in page


def test_htmx_search_returns_only_the_results_fragment(client: Client, jakarta_office: Any) -> None:
    response = client.get("/", {"q": "jakarta"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="results"')
    assert "<html" not in html and jakarta_office.name in html


def test_nonsense_search_says_nothing_matches(client: Client, jakarta_office: Any) -> None:
    page = client.get("/", {"q": "x" * 500, "service": "tidak-ada"}).content.decode()
    assert "Tidak ada kantor yang cocok" in page


def test_office_page_shows_hours_in_its_own_zone(client: Client, denpasar_office: Any) -> None:
    page = client.get(reverse("office-detail", args=[denpasar_office.code])).content.decode()
    assert "08:00 WITA – 15:00 WITA" in page
    assert "11:30 WITA – 13:30 WITA" in page  # Friday prayer break
    assert "Jumat" in page
    assert "Waktu setempat sekarang" in page


def test_office_page_lists_coming_closures_with_their_reason(
    client: Client, jakarta_office: Any
) -> None:
    from datetime import timedelta

    from tests.factories import ClosureFactory

    soon = jakarta_office.local_date() + timedelta(days=3)
    ClosureFactory.create(office=jakarta_office, starts_on=soon, ends_on=soon)
    page = client.get(reverse("office-detail", args=[jakarta_office.code])).content.decode()
    assert "Renovasi gedung" in page


def test_service_page_shows_requirements_in_each_language(
    client: Client, jakarta_office: Any, passport_service: Any
) -> None:
    url = reverse("service-detail", args=[passport_service.code])
    assert "KTP-el asli" in client.get(url).content.decode()
    assert "Original e-KTP" in client.get("/en" + url).content.decode()


def test_service_page_filters_offices_by_province(
    client: Client, jakarta_office: Any, denpasar_office: Any, passport_service: Any
) -> None:
    url = reverse("service-detail", args=[passport_service.code])
    page = client.get(url, {"province": "Bali"}).content.decode()
    assert denpasar_office.name in page and jakarta_office.name not in page


def test_unknown_office_and_service_are_404_pages_not_errors(client: Client, db: None) -> None:
    for url in ("/kantor/tidak-ada/", "/layanan/tidak-ada/", "/en/kantor/nope/"):
        response = client.get(url)
        assert response.status_code == 404
        assert b"<html" in response.content


def test_language_switch_keeps_the_page(client: Client, jakarta_office: Any) -> None:
    url = reverse("office-detail", args=[jakarta_office.code])
    response = client.post(reverse("set_language"), {"language": "en", "next": url})
    assert response.status_code == 302
    assert response["Location"] == "/en" + url
    # An English page posts to the English address of the switch, as its form does.
    back = client.post("/en" + reverse("set_language"), {"language": "id", "next": "/en" + url})
    assert back["Location"] == url


def test_a_country_of_offices_is_shown_one_page_at_a_time(client: Client, db: None) -> None:
    from offices.views.public import HOME_RESULTS_SHOWN
    from tests.factories import OfficeFactory

    for number in range(HOME_RESULTS_SHOWN + 3):
        OfficeFactory.create(code=f"kantor-{number}", hours=False)
    page = client.get("/").content.decode()
    assert f"{HOME_RESULTS_SHOWN + 3} kantor ditemukan" in page
    assert page.count('class="card"') == HOME_RESULTS_SHOWN
    assert "menampilkan" in page
