"""A citizen on a phone finds an office and switches language, in real Chromium."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, Response, ViewportSize, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE: ViewportSize = {"width": 390, "height": 844}


def test_home_page_finds_an_office_by_region_as_you_type(
    page: Page, live_server: Any, demo_country: None
) -> None:
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Pesan jadwal, ambil nomor, antre lebih singkat"
    )
    expect(page.locator("#results .card")).to_have_count(7)

    page.get_by_label("Kantor, kota, atau provinsi").fill("Bali")
    expect(page.locator("#results .card")).to_have_count(1)
    expect(page.locator("#results")).to_contain_text("Mal Pelayanan Publik Kota Denpasar")
    expect(page).to_have_url(live_server.url + "/?q=Bali&service=")

    page.get_by_role("link", name="Mal Pelayanan Publik Kota Denpasar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mal Pelayanan Publik Kota Denpasar")
    expect(page.locator("table.hours")).to_contain_text("08:00 WITA – 15:00 WITA")


def test_service_filter_narrows_offices(page: Page, live_server: Any, demo_country: None) -> None:
    page.goto(live_server.url + "/")
    page.get_by_label("Layanan").select_option(label="Pendaftaran peserta JKN mandiri")
    expect(page.locator("#results .card")).to_have_count(2)  # BPJS Makassar and MPP Jakarta


def test_language_switch_to_english_and_back(
    page: Page, live_server: Any, demo_country: None
) -> None:
    page.goto(live_server.url + "/layanan/paspor-baru/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.locator(".checklist")).to_contain_text("KTP-el asli")

    page.get_by_test_id("language-en").click()
    expect(page).to_have_url(live_server.url + "/en/layanan/paspor-baru/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("New passport")
    expect(page.locator(".checklist")).to_contain_text("Original e-KTP")

    page.get_by_test_id("language-id").click()
    expect(page).to_have_url(live_server.url + "/layanan/paspor-baru/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Paspor baru")


def test_search_works_without_javascript(
    browser: Any, live_server: Any, demo_country: None
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.get_by_label("Kantor, kota, atau provinsi").fill("Papua")
    page.get_by_role("button", name="Cari").click()
    expect(page).to_have_url(live_server.url + "/?q=Papua&service=")
    expect(page.locator("#results .card")).to_have_count(1)
    expect(page.locator("#results")).to_contain_text("Jayapura")
    context.close()


def test_the_home_page_loads_its_icon_and_nothing_it_asks_for_fails(
    page: Page, live_server: Any, transactional_db: None
) -> None:
    """Every request of the page answers, its icon included: a browser asks for
    /favicon.ico by itself when a page names no icon, and that 404 was on every page."""
    failed: list[str] = []

    def note(response: Response) -> None:
        if response.status >= 400:
            failed.append(f"{response.status} {response.url}")

    page.on("response", note)
    page.on("requestfailed", lambda request: failed.append(request.url))
    with page.expect_response(re.compile(r"/favicon\.svg$"), timeout=10_000) as icon:
        page.goto(live_server.url + "/")
    assert icon.value.ok and icon.value.headers["content-type"] == "image/svg+xml"
    page.wait_for_load_state("networkidle")
    assert failed == []
    fallback = page.request.get(live_server.url + "/favicon.ico")
    assert fallback.ok and fallback.headers["content-type"] in (
        "image/x-icon",
        "image/vnd.microsoft.icon",
    )
