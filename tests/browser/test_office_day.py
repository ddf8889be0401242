"""A day at the office, in real Chromium, with every screen of the queue open at once,
each in its own browser context as on its own device: the kiosk tablet at the entrance,
the citizen's phone, the clerks' desktops at the counters and the TV display board.

Locators rely on addresses, form field names (action=next…), data-testid and the board's
data-* hooks; visible text is checked only where it is already in locale/id.

GILIRAN_SCREENSHOTS=1 also saves the screenshots shown in the README
(docs/screenshots/queue-*.png)."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import Page, Response, ViewportSize, expect

from booking.models import Booking, BookingStatus, Slot, Source
from core import personal_data
from offices.models import Counter, Office, OfficeService, Role, StaffMembership
from offices.selectors import office_opening
from queueing.kiosks import kiosk_device_create
from queueing.models import Ticket, TicketSource, TicketStatus
from queueing.services.issue import ticket_issue
from tests.browser.conftest import DESKTOP, PHONE, TABLET, TV

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OFFICE = "kanim-jakarta-pusat"  # Asia/Jakarta
CLERK = "petugas.jakarta"  # the demo clerk of that office
PASSWORD = "kata-sandi-uji-123"  # what the demo_country fixture gives every demo login
SCREENSHOTS = os.environ.get("GILIRAN_SCREENSHOTS") == "1"
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
BOARD_LATENCY_LIMIT_MS = 2000  # the board polls its feed every second
TICKET_POLL_MS = 5000  # the live ticket page polls every 5 s

# A page records when each text first appears in the element matching a selector, even
# when htmx swaps the element for a new one: in wall-clock milliseconds, the clock of
# Python's time.time() on this machine. A reload would lose the record.
RECORD_TEXTS = """selector => {
  window.shownAt = {};
  const note = () => {
    const element = document.querySelector(selector);
    const text = element ? element.textContent.trim() : "";
    if (!(text in window.shownAt)) window.shownAt[text] = Date.now();
  };
  note();
  new MutationObserver(note).observe(document.body, {
    childList: true, characterData: true, subtree: true,
  });
}"""


def screenshot(page: Page, name: str) -> None:
    """Save what the device shows as docs/screenshots/queue-<name>.png, when asked to."""
    if not SCREENSHOTS:
        return
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    # Animations jump to their end, so the board is not caught mid-flash.
    page.screenshot(path=SCREENSHOT_DIR / f"queue-{name}.png", animations="disabled")


@pytest.fixture
def device(new_device_page: Callable[..., Page]) -> Callable[[ViewportSize], Page]:
    """A device standing in the office, so on Jakarta time (the board shows its clock)."""
    return lambda viewport: new_device_page(viewport, timezone_id="Asia/Jakarta")


def office_service(service: str = "paspor-baru") -> OfficeService:
    return OfficeService.objects.select_related("office", "service").get(
        office__code=OFFICE, service__code=service
    )


def booking_starting_now(code: str) -> Booking:
    """A confirmed booking at the office whose slot started this minute, so that it is
    inside its check-in window (30 minutes before the start to 15 minutes after)."""
    offered = office_service()
    starts = timezone.now().replace(second=0, microsecond=0)
    slot, _ = Slot.objects.get_or_create(
        office_service=offered,
        starts_at=starts,
        defaults={
            "ends_at": starts + timedelta(minutes=15),
            "local_date": starts.astimezone(ZoneInfo(offered.office.timezone)).date(),
            "capacity": 5,
            "taken": 1,
        },
    )
    nik = "3171014501900042"
    return Booking.objects.create(
        code=code,
        slot=slot,
        service=offered.service,
        status=BookingStatus.CONFIRMED,
        full_name="Siti Rahmawati",
        nik_encrypted=personal_data.encrypt(nik),
        nik_hash=personal_data.keyed_hash(nik),
        nik_last4=nik[-4:],
        email="siti@example.id",
        channel="email",
        source=Source.WEB,
        language="id",
        confirmed_at=timezone.now(),
    )


def counter(number: int) -> Counter:
    return Counter.objects.get(office__code=OFFICE, number=number)


def open_board(page: Page, base: str) -> None:
    page.goto(f"{base}/papan/{OFFICE}/")
    expect(page.locator("[data-latest-number]")).to_have_text("—")
    expect(page.locator("[data-offline]")).to_be_hidden()
    page.evaluate(RECORD_TEXTS, "[data-latest-number]")


def shown_at(page: Page, text: str, timeout: float) -> float:
    """When `text` appeared on a page recording with RECORD_TEXTS (waits up to `timeout` ms)."""
    page.wait_for_function("text => text in window.shownAt", arg=text, timeout=timeout)
    return float(page.evaluate("text => window.shownAt[text]", text))


def just_polled(board: Page) -> None:
    """Wait for the board's next successful poll of its feed. What happens next has a whole
    polling interval before the board sees it, the worst case for its latency, and the
    feed's read cannot meet the write of a call: in the in-memory SQLite test database a
    shared-cache table lock fails at once (PostgreSQL and the WAL-mode file would wait)."""

    def is_feed(response: Response) -> bool:
        return response.url.endswith(f"/papan/{OFFICE}/feed.json") and response.ok

    with board.expect_response(is_feed):
        pass


def open_counter(console: Page) -> None:
    expect(console.get_by_test_id("counter-status")).to_have_text("Tutup")
    expect(console.locator("button[name=action][value=next]")).to_be_disabled()
    console.locator("button[name=action][value=open]").click()
    expect(console.get_by_test_id("counter-status")).to_have_text("Buka")
    expect(console.locator("button[name=action][value=next]")).to_be_enabled()


def call_next(console: Page) -> str:
    """Press "call next" on a console; return the number it called."""
    console.locator("button[name=action][value=next]").click()
    current = console.get_by_test_id("current-number")
    expect(current).to_have_text(re.compile(r"^[A-Z]-\d{3}$"))
    return current.inner_text()


def enrol_kiosk(kiosk: Page, base: str) -> None:
    """Register the tablet as the office's kiosk, as an administrator does once: open
    the enrolment link shown in the admin (its fragment fills the token in) and confirm.
    Without it the kiosk page refuses to serve."""
    kiosk.goto(f"{base}/kios/{OFFICE}/")
    expect(kiosk.locator(".kiosk-error[role=alert]")).to_be_visible()
    _device, token = kiosk_device_create(
        office=Office.objects.get(code=OFFICE), name="Pintu masuk", by=None
    )
    kiosk.goto(f"{base}/kios/{OFFICE}/daftar/#{token}")
    expect(kiosk.locator("input[name=token]")).to_have_value(token)
    kiosk.locator("form[data-kiosk-enrol] button[type=submit]").click()
    expect(kiosk).to_have_url(f"{base}/kios/{OFFICE}/")


def take_walk_in_number(kiosk: Page, base: str, service: str) -> str:
    """At the kiosk, choose a walk-in service and print a number; return to the start."""
    kiosk.goto(f"{base}/kios/{OFFICE}/")
    kiosk.locator(f"input[name=service][value='{office_service(service).pk}']").check()
    kiosk.locator("form:has(input[name=action][value=walk_in]) button[type=submit]").click()
    expect(kiosk).to_have_url(re.compile(rf"/kios/{OFFICE}/tiket/[\w-]+/$"))
    number = kiosk.get_by_test_id("ticket-number").inner_text()
    kiosk.get_by_role("link", name="Selesai").click()
    expect(kiosk).to_have_url(f"{base}/kios/{OFFICE}/")
    return number


def test_a_booked_citizen_from_the_kiosk_to_the_counter(
    device: Callable[[ViewportSize], Page], live_server: Any, demo_country: None
) -> None:
    base = live_server.url
    booking = booking_starting_now("GLRN2026")
    board, kiosk, phone, console = (
        device(TV),
        device(TABLET),
        device(PHONE),
        device(DESKTOP),
    )
    open_board(board, base)
    enrol_kiosk(kiosk, base)

    # The citizen types their booking code at the kiosk and gets a printed ticket.
    kiosk.goto(f"{base}/kios/{OFFICE}/")
    expect(kiosk.locator("html")).to_have_attribute("lang", "id")
    kiosk.get_by_test_id("kiosk-code").fill(booking.code)
    screenshot(kiosk, "kiosk")
    kiosk.locator("#check-in-form button[type=submit]").click()
    expect(kiosk).to_have_url(re.compile(rf"/kios/{OFFICE}/tiket/[\w-]+/$"))
    expect(kiosk.get_by_test_id("ticket-number")).to_have_text("A-001")
    expect(kiosk.get_by_test_id("kiosk-ticket")).to_contain_text("Paspor baru")
    ticket = Ticket.objects.get(booking=booking)
    assert (ticket.display_number, ticket.source) == ("A-001", TicketSource.APPOINTMENT)

    # The QR code on the ticket is the address of the live ticket page; open it on a phone.
    qr = kiosk.locator("article[data-testid=kiosk-ticket] img").get_attribute("src") or ""
    found = re.fullmatch(r"(/antrean/[\w-]+/)qr\.svg", qr)
    assert found, qr
    svg = kiosk.request.get(base + qr)
    assert svg.ok and svg.headers["content-type"].startswith("image/svg+xml")
    phone.goto(base + found.group(1))
    expect(phone.get_by_test_id("ticket-number")).to_have_text("A-001")
    expect(phone.get_by_test_id("ticket-state")).to_have_text("Anda berikutnya.")
    phone.evaluate(RECORD_TEXTS, "[data-testid=ticket-state]")

    # A clerk signs in, picks their counter, opens it and calls the next citizen.
    console.goto(f"{base}/staf/masuk/?next=/staf/loket/")
    console.locator("#id_username").fill(CLERK)
    console.locator("#id_password").fill(PASSWORD)
    console.locator("form:has(#id_password) button[type=submit]").click()
    expect(console).to_have_url(f"{base}/staf/loket/")
    console.locator(f'a[href$="/staf/loket/{counter(1).pk}/"]').click()
    expect(console).to_have_url(f"{base}/staf/loket/{counter(1).pk}/")
    open_counter(console)

    just_polled(board)
    clicked_at = time.time() * 1000
    assert call_next(console) == "A-001"

    # The board shows the call within 2 s of the click, with the counter to go to.
    latency = shown_at(board, "A-001", timeout=BOARD_LATENCY_LIMIT_MS + 3000) - clicked_at
    print(f"board: A-001 shown {latency:.0f} ms after the click")  # pytest -s shows it
    assert latency <= BOARD_LATENCY_LIMIT_MS
    expect(board.locator("[data-latest-counter]")).to_have_text("Loket 1")

    # The live ticket page on the phone tells the citizen, by itself (no reload: the record
    # survives) within its polling interval.
    called = "Giliran Anda: silakan menuju Loket 1."
    waited = shown_at(phone, called, timeout=TICKET_POLL_MS + 3000) - clicked_at
    print(f"live ticket: called {waited:.0f} ms after the click")
    assert waited <= TICKET_POLL_MS + 1000
    expect(phone.get_by_test_id("ticket-state")).to_have_text(called)
    screenshot(phone, "ticket")
    phone.close()  # from here on, only the clerk's console and the database change
    board.close()

    # The citizen arrives; the clerk presses "s" to start serving.
    expect(console.locator("button[name=action][value=start]")).to_be_enabled()
    console.keyboard.press("s")
    expect(console.locator("button[name=action][value=finish]")).to_be_enabled()
    expect(console.locator("button[name=action][value=start]")).to_be_disabled()
    expect(console.get_by_test_id("current-number")).to_have_text("A-001")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.SERVING

    # More citizens arrive meanwhile; the console lists them on its next load. They get
    # their numbers from a clerk, who may give one at any hour: this test runs on the
    # real clock (it measures latencies), when the kiosk may be closed.
    for service in ("paspor-baru", "paspor-ganti"):
        ticket_issue(office_service=office_service(service), source=TicketSource.STAFF)
    console.reload()
    rows = console.locator(".panel table.hours tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("A-002")
    expect(rows.nth(1)).to_contain_text("B-001")
    screenshot(console, "console")


@pytest.fixture
def office_open(demo_country: None) -> Iterator[None]:
    """The office open by its own clock, as the kiosk gives walk-in numbers only then: an
    hour after its next opening after today (never a holiday, closure or weekend, which
    office_opening skips). The clock ticks on; Playwright's timeouts do not read it."""
    office = Office.objects.get(code=OFFICE)
    tomorrow = office.local_date() + timedelta(days=1)
    opens = office_opening(office, datetime.combine(tomorrow, dtime(0), tzinfo=office.zone))
    assert opens.next_opens_at is not None
    with time_machine.travel(opens.next_opens_at + timedelta(hours=1), tick=True):
        yield


def test_two_counters_call_two_walk_ins(
    device: Callable[[ViewportSize], Page],
    sign_in: Callable[[Page, Any], None],
    live_server: Any,
    office_open: None,
) -> None:
    base = live_server.url
    kiosk, board = device(TABLET), device(TV)
    enrol_kiosk(kiosk, base)
    assert take_walk_in_number(kiosk, base, "paspor-baru") == "A-001"
    assert take_walk_in_number(kiosk, base, "paspor-ganti") == "B-001"
    open_board(board, base)

    # Two clerks, each at their own desktop and counter (1 and 2 both serve A and B).
    second_clerk = get_user_model().objects.create_user("petugas2.jakarta", first_name="Rudi")
    StaffMembership.objects.create(user=second_clerk, office=counter(1).office, role=Role.CLERK)
    consoles = []
    for number, clerk in ((1, get_user_model().objects.get(username=CLERK)), (2, second_clerk)):
        console = device(DESKTOP)
        sign_in(console, clerk)
        console.goto(f"{base}/staf/loket/{counter(number).pk}/")
        open_counter(console)
        consoles.append(console)

    just_polled(board)
    first = call_next(consoles[0])
    expect(board.locator("[data-latest-number]")).to_have_text(first)
    just_polled(board)
    second = call_next(consoles[1])
    assert {first, second} == {"A-001", "B-001"}

    # The board shows both, the latest call first.
    expect(board.locator("[data-latest-number]")).to_have_text(second)
    expect(board.locator("[data-latest-counter]")).to_have_text("Loket 2")
    history = board.locator("[data-history] li")
    expect(history).to_have_count(1)
    expect(history.locator(".n")).to_have_text(first)
    expect(history.locator(".c")).to_have_text("Loket 1")
    screenshot(board, "board")
    called = Ticket.objects.filter(status=TicketStatus.CALLED).values_list(
        "counter__number", flat=True
    )
    assert sorted(called) == [1, 2]


def test_the_kiosk_refuses_an_unknown_booking_code(
    device: Callable[[ViewportSize], Page], live_server: Any, demo_country: None
) -> None:
    base = live_server.url
    kiosk = device(TABLET)
    enrol_kiosk(kiosk, base)
    kiosk.get_by_test_id("kiosk-code").fill("ZZZZ9999")
    kiosk.locator("#check-in-form button[type=submit]").click()

    expect(kiosk.locator(".kiosk-error[role=alert]")).to_have_text(
        "Tidak ada pemesanan terkonfirmasi di kantor ini dengan kode ini. Periksa kode dan kantor "
        "di pesan pemesanan Anda, atau tanyakan petugas."
    )
    expect(kiosk).to_have_url(f"{base}/kios/{OFFICE}/")
    expect(kiosk.locator("html")).to_have_attribute("lang", "id")
    expect(kiosk.get_by_test_id("kiosk-code")).to_be_visible()
    assert not Ticket.objects.exists()
