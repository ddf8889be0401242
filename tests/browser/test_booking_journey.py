"""A citizen books a passport appointment on a phone, confirms it with the code from
their email, and later moves or cancels it, in real Chromium, with and without JavaScript.

Locators rely on addresses, form field names, data-testid and structure rather than on
labels, because the Indonesian labels of the booking pages are still being translated;
language is checked with html[lang], strings already in locale/id, and the dates, which
Django formats in the page's language.

GILIRAN_SCREENSHOTS=1 also saves the phone screenshots shown in the README
(docs/screenshots/booking-*.png)."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.utils import translation
from django.utils.formats import date_format
from playwright.sync_api import Page, expect

from booking.models import Booking, BookingStatus
from tests.browser.accessibility import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OFFICE = "kanim-jakarta-pusat"  # Asia/Jakarta, so times are shown in WIB
SERVICE = "paspor-baru"
SCREENSHOTS = os.environ.get("GILIRAN_SCREENSHOTS") == "1"
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
FOOTER_ID = "Giliran — pesan jadwal, ambil nomor, antre lebih singkat."  # in locale/id


@dataclass(frozen=True)
class Booked:
    code: str
    day: date
    time: str  # "09:00"


def screenshot(page: Page, name: str, focus: str | None = None) -> None:
    """Save what the phone shows, scrolled to `focus`, when GILIRAN_SCREENSHOTS=1."""
    if not SCREENSHOTS:
        return
    if focus:
        page.evaluate(
            "selector => document.querySelector(selector).scrollIntoView({block: 'start'})", focus
        )
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOT_DIR / f"booking-{name}.png")


def day_text(day: date, language: str) -> str:
    """How the pages write a day ("Selasa, 24 November 2026"), in Django's own locale."""
    with translation.override(language):
        return date_format(day, "l, j F Y")


def latest_code_sent_to(address: str, timeout: float = 5.0) -> str:
    """The 6-digit code in the latest email to `address` (it leaves on commit, in the
    live server's thread, into the shared locmem outbox)."""
    deadline = time.monotonic() + timeout
    while True:
        to_address = [message for message in mail.outbox if address in message.to]
        if to_address:
            latest = to_address[-1]
            found = re.search(r"\b(\d{6})\b", f"{latest.subject}\n{latest.body}")
            assert found, f"no 6-digit code in the latest email to {address}: {latest.body!r}"
            return found.group(1)
        if time.monotonic() > deadline:
            raise AssertionError(f"no email to {address}; outbox has {len(mail.outbox)}")
        time.sleep(0.05)


def pick_day(page: Page, *, avoid: date | None = None) -> date:
    """Tap the first available day in the month calendar (other than `avoid`), moving on
    to the next month when this one has none left; wait for its list of times."""
    for _ in range(3):
        expect(page.locator("#picker table.calendar")).to_be_visible()
        dates = [
            cell.get_attribute("data-date") or ""
            for cell in page.locator("#picker td.day-available").all()
        ]
        choices = [d for d in dates if date.fromisoformat(d) != avoid]
        if choices:
            page.locator(f'#picker td[data-date="{choices[0]}"] a').click()
            expect(page.locator(f'#picker td.chosen[data-date="{choices[0]}"]')).to_be_visible()
            expect(page.locator("#times-heading")).to_be_visible()
            return date.fromisoformat(choices[0])
        heading = page.locator("#picker .month-nav h2").inner_text()
        page.locator("#picker a[rel=next]").click()
        expect(page.locator("#picker .month-nav h2")).not_to_have_text(heading)
    raise AssertionError("no available day in three months")


def find_office(page: Page, base: str) -> None:
    """Home → search → office page → "book" → the service's month calendar."""
    page.goto(base + "/")
    page.locator("#q").fill("Jakarta Pusat")
    page.locator("#q").press("Enter")
    expect(page).to_have_url(re.compile(r"\?q=Jakarta"))
    page.locator(f'#results a[href$="/kantor/{OFFICE}/"]').click()
    expect(page).to_have_url(f"{base}/kantor/{OFFICE}/")
    page.locator(f'a.button[href$="/kantor/{OFFICE}/layanan/{SERVICE}/"]').click()
    expect(page).to_have_url(f"{base}/kantor/{OFFICE}/layanan/{SERVICE}/")


def book(
    page: Page,
    base: str,
    *,
    language: str,
    nik: str,
    email: str,
    shots: bool = False,
) -> Booked:
    """The whole journey, from the home page to the confirmation page with its .ics."""
    snap: Callable[..., None] = screenshot if shots else lambda *args, **kwargs: None
    find_office(page, base)
    expect(page.locator("html")).to_have_attribute("lang", language)

    day = pick_day(page)
    expect(page.locator("#times-heading")).to_have_text(day_text(day, language))
    first_time = page.locator("#picker ul.times a.time").first
    at = re.search(r"\d\d:\d\d", first_time.inner_text())
    assert at, first_time.inner_text()
    snap(page, "calendar", "#picker")
    first_time.click()

    expect(page).to_have_url(re.compile(rf"/kantor/{OFFICE}/layanan/{SERVICE}/waktu/\d+/$"))
    when = f"{day_text(day, language)}, {at.group()} WIB"
    expect(page.locator(".summary")).to_contain_text(when)
    page.locator("input[name=full_name]").fill("Siti Rahmawati")
    page.locator("input[name=nik]").fill(nik)
    page.locator("input[name=phone]").fill("0812 3456 7890")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=channel][value=email]").check()
    snap(page, "details", ".summary")
    page.locator("form:has(input[name=nik]) button[type=submit]").click()

    expect(page).to_have_url(f"{base}/pesan/kode/")
    expect(page.locator("main")).to_contain_text(email)
    code = latest_code_sent_to(email)
    page.locator("input[name=code]").fill(code)
    snap(page, "code")
    page.locator("form:has(input[name=code]) button[type=submit]").click()

    expect(page).to_have_url(re.compile(rf"{base}/pesanan/[A-Z0-9]+/\?baru=1$"))
    booking_code = page.get_by_test_id("booking-code")
    expect(booking_code).to_have_text(re.compile(r"^[A-Z0-9]{8}$"))
    expect(page.locator(".ticket .success[role=status]")).to_be_visible()
    expect(page.get_by_test_id("booking-when")).to_have_text(when)
    code_text = booking_code.inner_text()

    qr = page.locator("img.qr")
    expect(qr).to_be_visible()
    svg = page.request.get(base + f"/pesanan/{code_text}/qr.svg")
    assert svg.ok and svg.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in svg.text()
    snap(page, "confirmation")

    with page.expect_download() as download_info:
        page.locator('a[href$="/kalender.ics"]').click()
    download = download_info.value
    assert download.suggested_filename == f"giliran-{code_text}.ics"
    ics = Path(download.path()).read_text(encoding="utf-8")
    assert "BEGIN:VEVENT" in ics
    assert code_text in ics

    booking = Booking.objects.get(code=code_text)
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.language == language
    return Booked(code_text, day, at.group())


def test_booking_on_a_phone_in_bahasa_indonesia(
    new_phone_page: Callable[..., Page], live_server: Any, demo_country: None
) -> None:
    page = new_phone_page()
    booked = book(
        page,
        live_server.url,
        language="id",
        nik="3171014501900001",
        email="siti@example.id",
        shots=True,
    )
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.locator(".site-footer")).to_contain_text(FOOTER_ID)
    expect(page.locator(".ticket .checklist")).to_contain_text("KTP-el asli")
    expect(page.get_by_test_id("booking-when")).to_contain_text(day_text(booked.day, "id"))
    # The code, then the confirmation with the calendar file, by email.
    assert [m.to for m in mail.outbox] == [["siti@example.id"], ["siti@example.id"]]
    assert any(name.endswith(".ics") for name, *_ in mail.outbox[-1].attachments)


def test_booking_on_a_phone_in_english(
    new_phone_page: Callable[..., Page], live_server: Any, demo_country: None
) -> None:
    page = new_phone_page()
    book(
        page,
        live_server.url + "/en",
        language="en",
        nik="3273015708850002",
        email="budi@example.com",
    )
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your booking")
    expect(page.locator(".ticket")).to_contain_text("Your booking is confirmed.")
    expect(page.locator(".ticket")).to_contain_text("Booking code")
    expect(page.locator(".ticket .checklist")).to_contain_text("Original e-KTP")
    assert_accessible(page)


def test_booking_without_javascript(
    new_phone_page: Callable[..., Page], live_server: Any, demo_country: None
) -> None:
    page = new_phone_page(java_script_enabled=False)
    book(
        page,
        live_server.url,
        language="id",
        nik="3578016003920003",
        email="ayu@example.id",
    )
    expect(page.locator(".site-footer")).to_contain_text(FOOTER_ID)


def test_reschedule_then_cancel_from_the_confirmation_page(
    new_phone_page: Callable[..., Page], live_server: Any, demo_country: None
) -> None:
    base = live_server.url
    page = new_phone_page()
    booked = book(page, base, language="id", nik="5171012210880004", email="made@example.id")
    detail = f"{base}/pesanan/{booked.code}/"

    page.locator(f'a[href$="/pesanan/{booked.code}/ubah/"]').click()
    expect(page).to_have_url(detail + "ubah/")
    expect(page.locator(".summary")).to_contain_text(day_text(booked.day, "id"))
    new_day = pick_day(page, avoid=booked.day)
    new_time = page.locator("#picker form.times label.time").first
    at = re.search(r"\d\d:\d\d", new_time.inner_text())
    assert at, new_time.inner_text()
    new_time.click()
    expect(new_time.locator("input[name=slot]")).to_be_checked()
    screenshot(page, "reschedule", "#picker td.chosen")
    page.locator(
        f'#picker form[action$="/pesanan/{booked.code}/ubah/"] button[type=submit]'
    ).click()

    expect(page).to_have_url(detail)
    expect(page.get_by_test_id("booking-when")).to_have_text(
        f"{day_text(new_day, 'id')}, {at.group()} WIB"
    )
    expect(page.locator('a[href$="/ubah/"]')).to_have_count(0)  # moved once, the most allowed
    moved = Booking.objects.select_related("slot").get(code=booked.code)
    assert (moved.slot.local_date, moved.reschedule_count) == (new_day, 1)

    page.locator(f'a[href$="/pesanan/{booked.code}/batal/"]').click()
    expect(page).to_have_url(detail + "batal/")
    expect(page.locator(".summary")).to_contain_text(booked.code)
    page.locator("form button.danger[type=submit]").click()

    expect(page).to_have_url(detail)
    expect(page.locator(".ticket .error[role=status]")).to_be_visible()
    expect(page.locator('a[href$="/batal/"]')).to_have_count(0)
    expect(page.get_by_test_id("booking-code")).to_have_text(booked.code)
    assert Booking.objects.get(code=booked.code).status == BookingStatus.CANCELLED
    kinds = [m.subject for m in mail.outbox if "made@example.id" in m.to]
    assert len(kinds) == 4  # code, confirmed, rescheduled, cancelled
