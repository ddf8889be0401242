"""A release moment's waiting room in real Chromium, on a phone, against the live server:
a citizen finds the room from the calendar, joins with their NIK, waits while the page
updates itself (htmx polling, or a meta refresh without JavaScript), and books in turn;
the supervisors' page shows the line.

The clock is real: the office-service's release is set a few seconds after the moment
the citizen joins, so the page's own polling (its interval follows the room's
`poll_after_seconds`) is what carries the citizen through the draw. The room store is
this process's own (the live server runs in this process); it is made to have been
running for an hour (time_machine, which the live server's thread sees too), so the
room gathers as at a planned release instead of regathering after a "restart"."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from playwright.sync_api import Page, expect

from booking.models import Booking, BookingStatus
from core import personal_data
from core.timezones import format_local_time
from offices.models import OfficeService
from releases import rooms
from releases import store as room_stores
from releases.cookies import ticket_cookie
from releases.models import RoomJoin
from tests.browser.accessibility import assert_accessible
from tests.browser.test_booking_journey import latest_code_sent_to, pick_day

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OFFICE = "kanim-jakarta-pusat"  # Asia/Jakarta (WIB)
SERVICE = "paspor-baru"
ROOM = f"/ruang-tunggu/{OFFICE}/{SERVICE}/"
CALENDAR = f"/kantor/{OFFICE}/layanan/{SERVICE}/"
NIK = "3171014501900001"
NIK_TYPO = "317101450190001"  # one digit short
DRAW_AFTER_SECONDS = 6  # after the citizen joins: long enough to see the waiting page
TURN_TIMEOUT_MS = 40_000  # the draw, then at most two polls of 5 to 8 seconds


@pytest.fixture
def local_store(settings: Any) -> Iterator[Any]:
    """This process's room store, empty and running for an hour: born before the
    gathering began, so the draw is at the release (no regathering)."""
    settings.REDIS_URL = ""
    room_stores._local.forget()
    with time_machine.travel(timezone.now() - timedelta(hours=1), tick=False):
        room_stores._local.epoch()
    yield room_stores._local
    room_stores._local.forget()


def passport_office_service() -> OfficeService:
    return OfficeService.objects.select_related("office", "service").get(
        office__code=OFFICE, service__code=SERVICE
    )


def release_in(seconds: float) -> datetime:
    """Move the passport service's daily release to `seconds` from now (to the second),
    with a waiting room gathering for 30 minutes before it: the room is open now. Returns
    the release moment."""
    office_service = passport_office_service()
    zone = office_service.office.zone
    local_now = timezone.now().astimezone(zone)
    if local_now.date() != (local_now + timedelta(seconds=seconds + 120)).date():
        time.sleep(seconds + 121)  # a release is a time of day: not across local midnight
        local_now = timezone.now().astimezone(zone)
    opens_at = (local_now + timedelta(seconds=seconds)).replace(microsecond=0)
    office_service.release_time = opens_at.time()
    office_service.waiting_room_minutes = 30
    office_service.save(update_fields=["release_time", "waiting_room_minutes"])
    return opens_at


def in_language(language: str, text: str, **values: Any) -> str:
    with translation.override(language):
        return gettext(text) % values if values else gettext(text)


def draw_text(language: str, at: datetime) -> str:
    """The waiting page's sentence naming the draw's moment."""
    with translation.override(language):
        return gettext(
            "You are in the waiting room. At %(at)s everyone here is put in a random order, "
            "so there is no need to hurry or to refresh."
        ) % {"at": format_local_time(at, "Asia/Jakarta", with_date=True)}


def turn_text(language: str) -> str:
    """The start of the admitted sentence (it ends with the admission's deadline)."""
    with translation.override(language):
        sentence = gettext("It is your turn. Choose a time and enter your details by %(until)s.")
    return sentence.split("%(until)s")[0].strip()


def test_a_citizen_waits_for_the_draw_then_books_in_turn(
    new_phone_page: Callable[..., Page],
    live_server: Any,
    demo_country: None,
    local_store: Any,
) -> None:
    assert in_language("id", "Choose a time") == "Pilih waktu"  # the catalogue is compiled
    base = live_server.url
    release_in(10 * 60)  # the room gathers; the release is set closer just before joining
    page = new_phone_page()

    # The calendar says when places open and sends the citizen to the open room.
    page.goto(base + CALENDAR)
    panel = page.locator("#release")
    expect(panel.locator("h2")).to_have_text(in_language("id", "When places open"))
    expect(panel.locator(".notice[role=status]")).to_contain_text(
        in_language("id", "A waiting room is open for this service: booking goes through it now.")
    )
    panel.locator(f'a.button[href$="{ROOM}"]').click()
    expect(page).to_have_url(base + ROOM)
    expect(page.locator("h1")).to_have_text(in_language("id", "Waiting room"))

    # A NIK one digit short: the translated error beside the field, nobody joined.
    page.locator("input[name=nik]").fill(NIK_TYPO)
    page.locator("form:has(input[name=nik]) button[type=submit]").click()
    expect(page.locator(".field:has(input[name=nik]) p.error")).to_have_text(
        in_language("id", "A NIK has exactly 16 digits.")
    )
    expect(page.locator("input[name=nik]")).to_be_visible()
    assert RoomJoin.objects.count() == 0
    assert ticket_cookie(OFFICE, SERVICE) not in {c["name"] for c in page.context.cookies()}
    assert local_store.meta(_room_id()) == {}

    # The right NIK, a few seconds before the release: the page names the draw's moment.
    page.locator("input[name=nik]").fill(NIK)
    opens_at = release_in(DRAW_AFTER_SECONDS)
    page.locator("form:has(input[name=nik]) button[type=submit]").click()
    expect(page).to_have_url(base + ROOM)
    status = page.locator("#room-status")
    expect(status.locator(".notice")).to_have_text(draw_text("id", opens_at))
    assert timezone.now() < opens_at, "the join came after the release: raise DRAW_AFTER_SECONDS"
    with translation.override("id"):
        waiting = ngettext("%(count)s person is waiting.", "%(count)s people are waiting.", 1)
    expect(status).to_contain_text(waiting % {"count": 1})
    assert status.get_attribute("hx-trigger") is not None
    assert re.fullmatch(r"every \d+s", status.get_attribute("hx-trigger") or "")
    assert RoomJoin.objects.count() == 1
    assert ticket_cookie(OFFICE, SERVICE) in {c["name"] for c in page.context.cookies()}

    # Past the release the page updates itself: no navigation, htmx swaps the status in.
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    page.evaluate("window.stayedOnThePage = true")
    turn = page.locator("#room-status .notice[role=status]")
    expect(turn).to_contain_text(turn_text("id"), timeout=TURN_TIMEOUT_MS)
    assert navigations == []
    assert page.evaluate("window.stayedOnThePage") is True
    assert timezone.now() >= opens_at
    expect(page.locator("#room-status")).not_to_have_attribute("hx-trigger", re.compile("."))
    choose = page.locator(f'#room-status a.button[href$="{CALENDAR}"]')
    expect(choose).to_have_text(in_language("id", "Choose a time"))

    # In turn: a time, the details (for the NIK that joined), the code page.
    choose.click()
    expect(page).to_have_url(base + CALENDAR)
    pick_day(page)
    page.locator("#picker ul.times a.time").first.click()
    expect(page).to_have_url(re.compile(rf"{CALENDAR}waktu/\d+/$"))
    page.locator("input[name=full_name]").fill("Siti Rahmawati")
    page.locator("input[name=nik]").fill(NIK)
    page.locator("input[name=phone]").fill("0812 3456 7890")
    page.locator("input[name=email]").fill("siti@example.id")
    page.locator("input[name=channel][value=email]").check()
    page.locator("form:has(input[name=nik]) button[type=submit]").click()
    expect(page).to_have_url(base + "/pesan/kode/")
    assert re.fullmatch(r"\d{6}", latest_code_sent_to("siti@example.id"))
    held = Booking.objects.get()
    assert held.status == BookingStatus.HELD
    assert held.nik_hash == personal_data.keyed_hash(NIK)

    # The turn is spent: back on the room's page the citizen is told so.
    page.goto(base + ROOM)
    expect(page.locator("#room-status")).to_contain_text(
        in_language(
            "id",
            "You have used your turn: your time is held. Enter the code we sent you to confirm it.",
        )
    )


def _room_id() -> str:
    room = rooms.room_for(passport_office_service(), timezone.now())
    assert room is not None
    return room.id


def test_without_javascript_the_page_refreshes_itself(
    new_phone_page: Callable[..., Page],
    live_server: Any,
    demo_country: None,
    local_store: Any,
) -> None:
    base = live_server.url
    release_in(10 * 60)  # the room gathers; the release is set closer just before joining
    page = new_phone_page(java_script_enabled=False)
    page.goto(base + ROOM)
    page.locator("input[name=nik]").fill(NIK)
    opens_at = release_in(DRAW_AFTER_SECONDS)
    page.locator("form:has(input[name=nik]) button[type=submit]").click()
    expect(page).to_have_url(base + ROOM)
    expect(page.locator("#room-status .notice")).to_have_text(draw_text("id", opens_at))
    refresh = page.locator('meta[http-equiv="refresh"]')
    expect(refresh).to_have_count(1)
    assert int(refresh.get_attribute("content") or "0") >= 15

    time.sleep(max(0.0, (opens_at - timezone.now()).total_seconds()) + 0.5)
    page.reload()
    expect(page.locator("#room-status .notice[role=status]")).to_contain_text(turn_text("id"))
    expect(page.locator('meta[http-equiv="refresh"]')).to_have_count(0)  # stops once in
    expect(page.locator(f'#room-status a.button[href$="{CALENDAR}"]')).to_have_text(
        in_language("id", "Choose a time")
    )


def test_the_room_in_english_is_accessible(
    new_phone_page: Callable[..., Page],
    live_server: Any,
    demo_country: None,
    local_store: Any,
) -> None:
    base = live_server.url + "/en"
    opens_at = release_in(10 * 60)
    page = new_phone_page()
    page.goto(base + ROOM)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Waiting room")
    expect(page.locator("form:has(input[name=nik]) button[type=submit]")).to_have_text(
        "Join the waiting room"
    )
    assert_accessible(page)

    page.locator("input[name=nik]").fill(NIK_TYPO)
    page.locator("form:has(input[name=nik]) button[type=submit]").click()
    expect(page.locator(".field:has(input[name=nik]) p.error")).to_have_text(
        "A NIK has exactly 16 digits."
    )
    assert_accessible(page)

    page.locator("input[name=nik]").fill(NIK)
    page.locator("form:has(input[name=nik]) button[type=submit]").click()
    expect(page).to_have_url(base + ROOM)
    expect(page.locator("#room-status .notice")).to_have_text(draw_text("en", opens_at))
    expect(page.locator("#room-status")).to_contain_text("1 person is waiting.")
    expect(page.locator("details summary")).to_have_text("How the waiting room works")
    assert_accessible(page)


def test_supervisors_see_the_open_rooms_line(
    new_phone_page: Callable[..., Page],
    live_server: Any,
    demo_country: None,
    local_store: Any,
    sign_in: Callable[[Page, Any], None],
) -> None:
    release_in(10 * 60)
    office_service = passport_office_service()
    for nik in ("3171010101900001", "3171010101900002", "3171010101900003"):
        rooms.room_join(office_service=office_service, nik=nik, now=timezone.now())
    rooms.room_join(office_service=office_service, nik="3171010101900001", now=timezone.now())

    page = new_phone_page()
    sign_in(page, get_user_model().objects.get(username="supervisor.jakarta"))
    page.goto(live_server.url + "/staf/rilis/")
    expect(page.locator("h1")).to_have_text(in_language("id", "Release moments"))
    row = (
        page.locator("#release-rows tbody tr")
        .filter(has_text=office_service.office.name)
        .filter(has_text=office_service.service.name)
    )
    expect(row).to_have_count(1)
    with translation.override("id"):
        line = ngettext("%(count)s person in line", "%(count)s people in line", 3) % {"count": 3}
    expect(row.locator("td").last).to_contain_text(in_language("id", "Open"))
    expect(row.locator("td").last).to_contain_text(line)  # one NIK, one place
    # While a room is open the table refreshes itself (every 10 seconds): a fourth
    # citizen joins and the count follows without a reload.
    expect(page.locator("#release-rows")).to_have_attribute("hx-trigger", "every 10s")
    rooms.room_join(office_service=office_service, nik="3171010101900004", now=timezone.now())
    with translation.override("id"):
        line = ngettext("%(count)s person in line", "%(count)s people in line", 4) % {"count": 4}
    expect(
        page.locator("#release-rows tbody tr")
        .filter(has_text=office_service.office.name)
        .filter(has_text=office_service.service.name)
        .locator("td")
        .last
    ).to_contain_text(line, timeout=15_000)
