"""The challenge in real Chromium: with JavaScript, static/js/challenge.js finds the proof
of work and the citizen continues at once; without it, they wait the seconds the page
states and press the button again. What they typed is kept either way."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_booking_journey import find_office, pick_day

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _every_hold_challenged(settings: Any) -> None:
    settings.GILIRAN_CHALLENGE_AFTER = "0/h"
    settings.GILIRAN_CHALLENGE_BITS = 12
    settings.GILIRAN_CHALLENGE_WAIT_SECONDS = 1


def _details_until_challenged(page: Page, base: str, *, nik: str, email: str) -> None:
    find_office(page, base)
    pick_day(page)
    page.locator("#picker ul.times a.time").first.click()
    page.locator("input[name=full_name]").fill("Siti Rahmawati")
    page.locator("input[name=nik]").fill(nik)
    page.locator("input[name=phone]").fill("0812 3456 7890")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=channel][value=email]").check()
    page.locator("form:has(input[name=nik]) button[type=submit]").click()
    expect(page.locator("fieldset.challenge")).to_be_visible()
    expect(page.locator("input[name=nik]")).to_have_value(nik)


def _submit(page: Page) -> None:
    page.locator("form:has(input[name=nik]) button[type=submit]").click()


def test_with_javascript_the_proof_is_found_and_the_citizen_continues(
    new_phone_page: Callable[..., Page], live_server: Any, demo_country: None
) -> None:
    page = new_phone_page()
    _details_until_challenged(page, live_server.url, nik="3171014501900001", email="a@example.id")
    expect(page.locator("[data-challenge-status]")).to_have_text(
        "Selesai: Anda bisa menekan tombolnya sekarang.", timeout=20_000
    )
    assert page.locator("input[name=challenge_solution]").input_value().isdigit()
    _submit(page)
    expect(page).to_have_url(f"{live_server.url}/pesan/kode/")


def test_without_javascript_the_citizen_waits_and_continues(
    new_phone_page: Callable[..., Page], live_server: Any, demo_country: None
) -> None:
    page = new_phone_page(java_script_enabled=False)
    _details_until_challenged(page, live_server.url, nik="3578016003920003", email="b@example.id")
    expect(page.locator("[data-challenge-status]")).to_contain_text("1 detik")
    time.sleep(1.2)
    _submit(page)
    expect(page).to_have_url(f"{live_server.url}/pesan/kode/")
