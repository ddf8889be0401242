"""The kiosk's ticket page in Chromium: a visible countdown back to the start, which a
"stay" button stops, and without JavaScript no automatic move at all, only "Selesai"
(issue 12, item 9: the 20-second meta refresh was an axe critical). The page's clock is
Playwright's, moved by hand: nothing here waits for real seconds."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from offices.models import Office, OfficeService
from queueing.kiosks import TICKET_RESET_SECONDS, kiosk_device_create
from queueing.models import TicketSource
from queueing.services.issue import ticket_issue
from tests.browser.conftest import TABLET
from tests.browser.test_content_security_policy import _violations, _watched

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def kiosk_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """A tablet enrolled as the Jakarta office's kiosk, with JavaScript on or off."""
    contexts: list[BrowserContext] = []

    def open_kiosk(base: str, office: Office, *, java_script_enabled: bool = True) -> Page:
        context = browser.new_context(viewport=TABLET, java_script_enabled=java_script_enabled)
        contexts.append(context)
        page = _watched(context.new_page())
        _device, token = kiosk_device_create(office=office, name="Pintu masuk", by=None)
        page.goto(f"{base}/kios/{office.code}/daftar/")
        page.locator("input[name=token]").fill(token)
        page.locator("form[data-kiosk-enrol] button[type=submit]").click()
        expect(page).to_have_url(f"{base}/kios/{office.code}/")
        return page

    yield open_kiosk
    for context in contexts:
        context.close()


def _ticket_url(base: str, office: Office) -> str:
    # A number from the counter: the page is the same for every ticket, at any hour.
    passport = OfficeService.objects.get(office=office)
    ticket = ticket_issue(office_service=passport, source=TicketSource.STAFF)
    return f"{base}/kios/{office.code}/tiket/{ticket.public_token}/"


def test_the_ticket_page_counts_down_visibly_then_returns_to_the_start(
    kiosk_page: Callable[..., Page], live_server: Any, jakarta_office: Office
) -> None:
    base = live_server.url
    kiosk = kiosk_page(base, jakarta_office)
    kiosk.clock.install()
    kiosk.goto(_ticket_url(base, jakarta_office))
    countdown = kiosk.get_by_test_id("kiosk-countdown")
    expect(countdown).to_be_visible()
    expect(countdown).to_have_text(f"Kembali ke awal dalam {TICKET_RESET_SECONDS} detik")
    kiosk.clock.run_for(5000)
    expect(countdown).to_have_text(f"Kembali ke awal dalam {TICKET_RESET_SECONDS - 5} detik")
    assert _violations(kiosk) == []  # the script is a file the policy allows
    kiosk.clock.run_for((TICKET_RESET_SECONDS - 6) * 1000)
    expect(countdown).to_have_text("Kembali ke awal dalam 1 detik")
    kiosk.clock.run_for(1000)
    expect(kiosk).to_have_url(f"{base}/kios/{jakarta_office.code}/")


def test_stay_stops_the_countdown(
    kiosk_page: Callable[..., Page], live_server: Any, jakarta_office: Office
) -> None:
    base = live_server.url
    kiosk = kiosk_page(base, jakarta_office)
    kiosk.clock.install()
    url = _ticket_url(base, jakarta_office)
    kiosk.goto(url)
    kiosk.clock.run_for(3000)
    stay = kiosk.get_by_role("button", name="Tetap di halaman ini")
    stay.click()
    expect(kiosk.get_by_test_id("kiosk-countdown")).to_be_hidden()
    expect(kiosk.get_by_role("status")).to_have_text(
        "Halaman ini tetap terbuka. Tekan Selesai jika Anda sudah selesai."
    )
    kiosk.clock.run_for(10 * TICKET_RESET_SECONDS * 1000)
    expect(kiosk).to_have_url(url)
    expect(kiosk.get_by_test_id("ticket-number")).to_have_text("A-001")
    kiosk.get_by_role("link", name="Selesai").click()
    expect(kiosk).to_have_url(f"{base}/kios/{jakarta_office.code}/")


def test_without_javascript_the_page_stays_and_done_goes_back(
    kiosk_page: Callable[..., Page], live_server: Any, jakarta_office: Office
) -> None:
    base = live_server.url
    kiosk = kiosk_page(base, jakarta_office, java_script_enabled=False)
    url = _ticket_url(base, jakarta_office)
    kiosk.goto(url)
    expect(kiosk.get_by_test_id("kiosk-countdown")).to_be_hidden()
    expect(kiosk.get_by_test_id("ticket-number")).to_have_text("A-001")
    assert kiosk.locator("meta[http-equiv]").count() == 0
    kiosk.get_by_role("link", name="Selesai").click()
    expect(kiosk).to_have_url(f"{base}/kios/{jakarta_office.code}/")
