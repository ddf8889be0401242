"""axe-core finds no WCAG 2.x A/AA violation and no best-practice violation on the pages a
citizen, a kiosk, the display board, a clerk and a supervisor see, in Bahasa Indonesia and
in English, on the device each is used on (tests/browser/accessibility.py runs it).

One test loads the demo country once and walks every page, checking each as it stands, so
that a run reports all pages' violations together (and the suite pays for one demo load).
The kiosk ticket page passes once its 20-second <meta refresh> is gone (issue 12, item 9)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db.models import F
from playwright.sync_api import Page, ViewportSize, expect

from booking.models import Slot
from booking.services.waitlist import waitlist_join
from offices.models import Counter, Office, OfficeService
from queueing.kiosks import kiosk_device_create
from queueing.models import CounterStatus, TicketSource
from queueing.services.calling import call_next, ticket_finish, ticket_start
from queueing.services.counters import counter_set_status
from queueing.services.issue import ticket_issue
from tests.booking.conftest import citizen_details
from tests.browser.accessibility import assert_accessible, axe_violations, violations_report
from tests.browser.conftest import DESKTOP, PHONE, TABLET, TV
from tests.browser.test_booking_journey import latest_code_sent_to, pick_day
from tests.browser.test_plan_day import open_day_ahead

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OFFICE = "kanim-jakarta-pusat"  # Asia/Jakarta
SERVICE = "paspor-baru"
PREFIXES = {"id": "", "en": "/en"}


class Checked:
    """Runs axe-core on each page as it stands and keeps what it finds, so the test fails
    once at the end listing every page's violations."""

    def __init__(self) -> None:
        self.pages: list[str] = []
        self.found: list[str] = []

    def __call__(self, page: Page, what: str) -> None:
        expect(page.locator("main")).to_be_visible()
        self.pages.append(what)
        violations = axe_violations(page)
        if violations:
            self.found.append(f"{what} ({page.url}):\n{violations_report(violations)}")

    def assert_none(self) -> None:
        if self.found:
            pytest.fail(
                f"axe-core found violations on {len(self.found)} of {len(self.pages)} pages:\n\n"
                + "\n\n".join(self.found),
                pytrace=False,
            )


def office_service(service: str = SERVICE) -> OfficeService:
    return OfficeService.objects.select_related("office", "service").get(
        office__code=OFFICE, service__code=service
    )


def citizen_pages(page: Page, base: str, language: str, nik: str, checked: Checked) -> None:
    """On a phone, from the home page to a confirmed booking, then the pages around it: the
    chat page and the chat panel open, the waiting list of a full day, a number taken
    from the phone, the live ticket."""

    def check(page: Page, what: str) -> None:
        checked(page, f"{what} ({language})")

    prefix = base + PREFIXES[language]
    offered = office_service()
    page.goto(prefix + "/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    check(page, "home")
    page.locator("#q").fill("Jakarta Pusat")
    page.locator("#q").press("Enter")
    expect(page).to_have_url(re.compile(r"\?q=Jakarta"))
    check(page, "search results")
    page.goto(f"{prefix}/kantor/{OFFICE}/")
    check(page, "office")
    page.goto(f"{prefix}/layanan/{SERVICE}/")
    check(page, "service")
    page.goto(f"{prefix}/layanan/")
    check(page, "service list")

    page.goto(f"{prefix}/kantor/{OFFICE}/layanan/{SERVICE}/")
    check(page, "calendar")
    day = pick_day(page)
    check(page, "calendar with a day's times")
    page.locator("#picker ul.times a.time").first.click()
    expect(page).to_have_url(re.compile(r"/waktu/\d+/$"))
    check(page, "booking details form")
    page.locator("input[name=nik]").fill("123")
    page.locator("form:has(input[name=nik]) button[type=submit]").click()
    expect(page.locator("input[name=full_name][aria-invalid=true]")).to_be_visible()
    check(page, "booking details form with errors")
    email = f"axe-{language}@example.id"
    page.locator("input[name=full_name]").fill("Siti Rahmawati")
    page.locator("input[name=nik]").fill(nik)
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=channel][value=email]").check()
    page.locator("form:has(input[name=nik]) button[type=submit]").click()
    expect(page).to_have_url(f"{prefix}/pesan/kode/")
    check(page, "code")
    page.locator("input[name=code]").fill(latest_code_sent_to(email))
    page.locator("form:has(input[name=code]) button[type=submit]").click()
    expect(page.get_by_test_id("booking-code")).to_be_visible()
    check(page, "booking confirmation")
    code = page.get_by_test_id("booking-code").inner_text()
    page.goto(f"{prefix}/pesanan/{code}/batal/")
    check(page, "cancel")
    page.goto(f"{prefix}/pesanan/{code}/ubah/")
    check(page, "reschedule")
    page.goto(f"{prefix}/pesanan/")
    check(page, "booking lookup")
    page.goto(f"{prefix}/data-saya/")
    check(page, "my personal data")
    page.goto(f"{prefix}/tanya/")
    check(page, "chat page")
    page.goto(f"{prefix}/layanan/")
    page.get_by_test_id("chat-open").click()
    expect(page.locator("#chat-text")).to_be_focused()
    check(page, "chat panel open")

    # The day fills up: the calendar offers the waiting list.
    Slot.objects.filter(office_service=offered, local_date=day).update(taken=F("capacity"))
    page.goto(f"{prefix}/kantor/{OFFICE}/layanan/{SERVICE}/?tanggal={day}")
    check(page, "calendar with a full day")
    page.goto(f"{prefix}/kantor/{OFFICE}/layanan/{SERVICE}/daftar-tunggu/?tanggal={day}")
    check(page, "waiting list form")
    entry = waitlist_join(
        office_service=offered, day=day, details=citizen_details("3171014501900077")
    )
    page.goto(f"{prefix}/daftar-tunggu/{entry.token}/")
    check(page, "waiting list entry")

    page.goto(f"{prefix}/kantor/{OFFICE}/antre/")
    check(page, "take a number from a phone")
    ticket = ticket_issue(office_service=offered, source=TicketSource.STAFF, language=language)
    page.goto(f"{prefix}/antrean/{ticket.public_token}/")
    expect(page.get_by_test_id("ticket-number")).to_be_visible()
    check(page, "live ticket")


def kiosk_pages(kiosk: Page, base: str, check: Checked) -> None:
    """On the entrance tablet: refused until registered, its registration, the start page
    (check-in and the walk-in service choice), a refused code, a printed ticket."""
    kiosk.goto(f"{base}/kios/{OFFICE}/")
    check(kiosk, "kiosk not registered")
    _device, token = kiosk_device_create(
        office=Office.objects.get(code=OFFICE), name="Pintu masuk", by=None
    )
    kiosk.goto(f"{base}/kios/{OFFICE}/daftar/#{token}")
    expect(kiosk.locator("input[name=token]")).to_have_value(token)
    check(kiosk, "kiosk registration")
    kiosk.locator("form[data-kiosk-enrol] button[type=submit]").click()
    expect(kiosk).to_have_url(f"{base}/kios/{OFFICE}/")
    for language, prefix in PREFIXES.items():
        kiosk.goto(f"{base}{prefix}/kios/{OFFICE}/")
        expect(kiosk.locator("html")).to_have_attribute("lang", language)
        check(kiosk, f"kiosk start ({language})")
        kiosk.get_by_test_id("kiosk-code").fill("ZZZZ9999")
        kiosk.locator("#check-in-form button[type=submit]").click()
        expect(kiosk.locator(".kiosk-error[role=alert]")).to_be_visible()
        check(kiosk, f"kiosk refusing a code ({language})")
        # Issued as staff would, so that the page does not depend on the office's hours.
        ticket = ticket_issue(office_service=office_service(), source=TicketSource.STAFF)
        kiosk.goto(f"{base}{prefix}/kios/{OFFICE}/tiket/{ticket.public_token}/")
        expect(kiosk.get_by_test_id("ticket-number")).to_have_text(ticket.display_number)
        check(kiosk, f"kiosk ticket ({language})")


def counter_pages(
    device: Callable[[ViewportSize], Page],
    sign_in: Callable[[Page, Any], None],
    base: str,
    check: Checked,
) -> None:
    """The board on a TV and a clerk's console on a desktop, before and after a call; the
    citizen's survey on a phone once served."""
    ticket_issue(office_service=office_service(), source=TicketSource.STAFF)
    clerk = get_user_model().objects.get(username="petugas.jakarta")
    board, console = device(TV), device(DESKTOP)
    sign_in(console, clerk)
    counter = Counter.objects.get(office__code=OFFICE, number=1)
    for language, prefix in PREFIXES.items():
        board.goto(f"{base}{prefix}/papan/{OFFICE}/")
        check(board, f"board ({language})")
        console.goto(f"{base}{prefix}/staf/loket/")
        check(console, f"counters ({language})")
        console.goto(f"{base}{prefix}/staf/loket/{counter.pk}/")
        check(console, f"console, counter closed ({language})")
    counter_set_status(counter=counter, status=CounterStatus.OPEN, staff=clerk)
    called = call_next(counter=counter, staff=clerk)
    assert called is not None
    ticket_issue(office_service=office_service(), source=TicketSource.STAFF)
    for language, prefix in PREFIXES.items():
        console.goto(f"{base}{prefix}/staf/loket/{counter.pk}/")
        expect(console.get_by_test_id("current-number")).to_have_text(called.display_number)
        check(console, f"console with a called ticket ({language})")
        board.goto(f"{base}{prefix}/papan/{OFFICE}/")
        expect(board.locator("[data-latest-number]")).to_have_text(called.display_number)
        check(board, f"board with a call ({language})")
    ticket_start(counter=counter, staff=clerk)
    ticket_finish(counter=counter, staff=clerk)
    phone = device(PHONE)
    for language, prefix in PREFIXES.items():
        phone.goto(f"{base}{prefix}/antrean/{called.public_token}/nilai/")
        check(phone, f"survey after service ({language})")
    # One tap on a score; then the nine IKM questions, in both languages.
    phone.get_by_role("button", name="5", exact=True).click()
    for language, prefix in PREFIXES.items():
        phone.goto(f"{base}{prefix}/antrean/{called.public_token}/nilai/")
        expect(phone.get_by_test_id("ikm-form")).to_be_visible()
        check(phone, f"IKM questions after the score ({language})")


def supervisor_pages(
    supervisor: Page, sign_in: Callable[[Page, Any], None], base: str, check: Checked
) -> None:
    """On a desktop: the sign-in form, then the staff home, the plan, the message log, the
    day's capacity, booking for a citizen at the counter and the audit log."""
    supervisor.goto(f"{base}/staf/masuk/")
    check(supervisor, "staff sign-in")
    sign_in(supervisor, get_user_model().objects.get(username="supervisor.jakarta"))
    day = open_day_ahead(Office.objects.get(code=OFFICE))
    for language, prefix in PREFIXES.items():
        for path, what in (
            ("/staf/", "staff home"),
            (f"/staf/kantor/{OFFICE}/rencana/", "plan"),
            (f"/staf/kantor/{OFFICE}/rencana/{day.isoformat()}/", "day plan"),
            (f"/staf/kantor/{OFFICE}/pesan-keluar/", "message log"),
            (f"/staf/kantor/{OFFICE}/kapasitas/", "capacity"),
            (f"/staf/kantor/{OFFICE}/pesan/", "booking for a citizen"),
            ("/staf/audit/", "audit log"),
            (f"/staf/kinerja/?kantor={OFFICE}", "performance dashboard"),
        ):
            supervisor.goto(f"{base}{prefix}{path}")
            check(supervisor, f"{what} ({language})")


def test_axe_finds_no_violation_on_citizen_kiosk_board_console_and_staff_pages(
    new_device_page: Callable[[ViewportSize], Page],
    sign_in: Callable[[Page, Any], None],
    live_server: Any,
    demo_country: None,
) -> None:
    base = live_server.url
    check = Checked()
    phone = new_device_page(PHONE)
    citizen_pages(phone, base, "id", "3171014501900001", check)
    citizen_pages(phone, base, "en", "3273015708850002", check)
    desktop = new_device_page(DESKTOP)  # the wide layout of the same pages
    for path, what in (
        ("/", "home on a desktop"),
        (f"/kantor/{OFFICE}/", "office on a desktop"),
        (f"/kantor/{OFFICE}/layanan/{SERVICE}/", "calendar on a desktop"),
        (f"/kantor/{OFFICE}/kinerja/", "office performance on a desktop"),
    ):
        desktop.goto(base + path)
        check(desktop, what)
    kiosk_pages(new_device_page(TABLET), base, check)
    counter_pages(new_device_page, sign_in, base, check)
    supervisor_pages(new_device_page(DESKTOP), sign_in, base, check)
    check.assert_none()


def test_the_check_fails_on_a_violation_and_names_it(page: Page) -> None:
    page.set_content(
        '<!doctype html><html lang="id"><title>Uji</title><body><main><h1>Uji</h1>'
        '<img src="/qr.svg"><button></button></main></body></html>'
    )
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page)
    report = str(failure.value)
    assert "image-alt (critical)" in report and "button-name (critical)" in report
    assert '<img src="/qr.svg">' in report
