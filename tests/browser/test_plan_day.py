"""A supervisor plans a day, in real Chromium against the live server: the overview of
every bookable day, a day planned on its first view and explained in words, one click
to re-plan (the page follows a worker's progress by itself), two
counters short for part of the day, a cut that would strand booked citizens (refused,
with who they are, and nothing changed), and the same cut moving them elsewhere.

Locators rely on addresses, form field names (action=replan, staffed-HH:MM, why,
move_bookings) and the page's ids and classes; visible text is checked only where it is
already in locale/id.

GILIRAN_SCREENSHOTS=1 also saves docs/screenshots/plan-day.png and plan-refusal.png."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import Page, Response, ViewportSize, expect

from booking.messages import BookingMessageKind
from booking.models import Booking, BookingStatus, Slot, Source
from booking.services.booking import booking_confirm, booking_hold
from notifications.models import Message
from offices.models import Office
from scheduling import tasks
from scheduling.horizon import planning_days
from scheduling.models import DayPlan, PlanChange
from scheduling.selectors import day_frame
from tests.booking.conftest import citizen_details
from tests.browser.conftest import DESKTOP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OFFICE = "kanim-jakarta-pusat"  # Asia/Jakarta; 7 counters for services A, B and C
SUPERVISOR = "supervisor.jakarta"  # the demo supervisor of that office
SCREENSHOTS = os.environ.get("GILIRAN_SCREENSHOTS") == "1"
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
NIKS = ["3171014501900001", "3171010203850002", "3171014501900003"]
AWAY = ["10:00", "10:30", "11:00"]  # blocks with nobody booked, when two people are away
SAVE = "#plan-adjust form:has(input[name=why]) button[type=submit]"
REPLAN = "#plan-adjust form:has(input[name=action][value=replan]) button[type=submit]"

# Per counter row of the day's grid, each block's cell class ("idle" or "svc-<n>").
READ_GRID = """table => Object.fromEntries([...table.querySelectorAll("tbody tr")].map(
  row => [row.querySelector("th").textContent.trim(),
          [...row.querySelectorAll("td")].map(cell => cell.className)]))"""


def screenshot(page: Page, name: str) -> None:
    """Save the whole page as docs/screenshots/plan-<name>.png, when asked to."""
    if not SCREENSHOTS:
        return
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOT_DIR / f"plan-{name}.png", full_page=True)


def open_day_ahead(office: Office) -> date:
    """The first day the office is open, at least three days from today (office time)."""
    day = timezone.now().astimezone(ZoneInfo(office.timezone)).date() + timedelta(days=3)
    while not day_frame(office, day).labels:
        day += timedelta(days=1)
    return day


def book_first_block(office: Office, day: date, count: int) -> list[Booking]:
    """Confirmed bookings, one citizen each, in the day's first 30-minute block."""
    start, end = day_frame(office, day).bounds[0]
    slots = Slot.objects.filter(
        office_service__office=office, local_date=day, starts_at__gte=start, starts_at__lt=end
    ).order_by("starts_at", "pk")
    bookings = []
    for nik in NIKS[:count]:
        slot = next(s for s in slots.all() if s.taken < s.capacity)
        held = booking_hold(slot_id=slot.pk, details=citizen_details(nik), source=Source.WEB)
        bookings.append(booking_confirm(booking=held))
    return bookings


def capacities(office: Office, day: date) -> dict[int, tuple[int, int]]:
    """Each of the day's slots: (capacity, taken)."""
    slots = Slot.objects.filter(office_service__office=office, local_date=day)
    return {
        pk: (capacity, taken)
        for pk, capacity, taken in slots.values_list("pk", "capacity", "taken")
    }


def read_grid(page: Page) -> dict[str, list[str]]:
    grid: dict[str, list[str]] = page.locator("table.plan-grid").evaluate(READ_GRID)
    return grid


def submit(page: Page, button: str) -> Response:
    """Press a form's button and wait for the page it leads to (after any redirect)."""
    with page.expect_navigation() as navigation:
        page.locator(button).click()
    response = navigation.value
    assert response is not None
    return response


def expect_planned(page: Page) -> None:
    expect(page.locator("#plan-status")).to_have_attribute("data-status", "planned")


class HeldTask:
    """Stands in for replan_day while no worker runs: remembers what was sent."""

    def __init__(self) -> None:
        self.sent: list[tuple[Any, ...]] = []

    def delay(self, *args: Any) -> None:
        self.sent.append(args)


def test_a_supervisor_replans_a_day_and_cuts_it_short(
    new_device_page: Callable[[ViewportSize], Page],
    sign_in: Callable[[Page, Any], None],
    live_server: Any,
    demo_country: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base = live_server.url
    office = Office.objects.get(code=OFFICE)
    day = open_day_ahead(office)
    labels = day_frame(office, day).labels
    bookings = book_first_block(office, day, 3)
    day_url = f"{base}/staf/kantor/{OFFICE}/rencana/{day.isoformat()}/"

    # The supervisor opens the plan: every bookable day, the chosen one among them.
    page = new_device_page(DESKTOP)
    sign_in(page, get_user_model().objects.get(username=SUPERVISOR))
    page.goto(f"{base}/staf/kantor/{OFFICE}/rencana/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    today, last = planning_days(office=office)
    expect(page.locator("table.plan-days tbody tr")).to_have_count((last - today).days + 1)
    row = page.locator("table.plan-days tbody tr").filter(
        has=page.locator(f'a[href$="/rencana/{day.isoformat()}/"]')
    )
    expect(row).to_contain_text(re.compile(r"\b3 / \d+"))  # booked of the capacity
    row.locator("a").click()
    expect(page).to_have_url(day_url)
    # Nobody had planned it: this first view did, and says what the plan means.
    expect_planned(page)
    counters = page.locator("table.plan-grid tbody tr").count()
    assert counters == 7
    assert {cell for row in read_grid(page).values() for cell in row} != {"idle"}
    explained = page.locator("#plan-explained")
    expect(explained).to_contain_text("Perkiraan waktu tunggu dan loket per layanan")
    expect(explained).to_contain_text("Mengapa loket dibagi seperti ini")

    # One click re-plans the day. With the worker held back, the page says it is planning
    # and polls; once the worker has solved, the poll brings the new grid, no reload.
    with monkeypatch.context() as patch:
        held = HeldTask()
        patch.setattr(tasks, "replan_day", held)
        submit(page, REPLAN)
        expect(page.locator("#plan-status")).to_have_attribute("data-status", "planning")
        page.evaluate("window.notReloaded = true")
        with page.expect_response(lambda r: r.url.endswith("/status/") and r.ok):
            pass  # it polls
        expect(page.locator("#plan-status")).to_have_attribute("data-status", "planning")
        assert held.sent == [(office.pk, day.isoformat())]
    tasks.replan_day(*held.sent[0])  # the worker
    expect_planned(page)
    expect(page.locator("#plan-explained")).to_contain_text("Yang berubah sejak rencana")
    assert page.evaluate("window.notReloaded") is True
    planned = read_grid(page)
    for block, label in enumerate(labels):  # counters open in every block, > 5 when cut
        opened = sum(row[block] != "idle" for row in planned.values())
        assert opened > (counters - 2 if label in AWAY else 0), (label, planned)
    # Cells carry the services' ticket letters; the charts' bars are drawn.
    expect(page.locator("table.plan-grid td.svc-0").first).to_have_text("A")
    heights = page.locator(".plan-chart rect.quota").evaluate_all(
        "rects => rects.map(rect => rect.getBBox().height)"
    )
    assert max(heights) > 0
    page.reload()
    expect_planned(page)
    assert read_grid(page) == planned
    screenshot(page, "day")

    # Two people are away from 10:00 to 11:30, when nobody is booked: the grid opens at
    # most five counters then, and the audit log says why.
    for label in AWAY:
        page.locator(f'input[name="staffed-{label}"]').fill(str(counters - 2))
    page.locator("input[name=why]").fill("Dua petugas pelatihan")
    assert submit(page, SAVE).url == day_url
    expect_planned(page)
    short = read_grid(page)
    assert short != planned
    for label in AWAY:
        block = labels.index(label)
        open_cells = [row[block] for row in short.values() if row[block] != "idle"]
        assert len(open_cells) <= counters - 2, (label, open_cells)
    expect(page.locator("ul.audit li")).to_have_count(1)
    expect(page.locator("ul.audit")).to_contain_text("Dua petugas pelatihan")
    change = PlanChange.objects.get()
    assert change.what["staffed"] == dict.fromkeys(AWAY, counters - 2)  # only what changed
    assert DayPlan.objects.get(office=office, local_date=day).staffed == change.what["staffed"]

    # Closing the first block, where the three citizens are booked, is refused with who
    # they are; nothing changes.
    before = capacities(office, day)
    page.locator(f'input[name="staffed-{labels[0]}"]').fill("0")
    page.locator("input[name=why]").fill("Loket pagi tutup")
    refused = submit(page, SAVE)
    assert refused.status == 409 and refused.url == day_url
    stranded = page.locator("[role=alert] ul.stranded")
    expect(stranded.locator("li")).to_have_count(len(bookings))
    for booking in bookings:
        expect(stranded).to_contain_text(booking.code)
        expect(stranded).to_contain_text(re.compile(rf"{booking.code} · .+ · {labels[0]}"))
    screenshot(page, "refusal")
    assert read_grid(page) == short
    assert capacities(office, day) == before
    assert PlanChange.objects.count() == 1
    expect(page.locator("ul.audit li")).to_have_count(1)

    # The form still holds the refused change: ticking "move these bookings" sends it
    # again, and the citizens are moved to other days and told.
    expect(page.locator(f'input[name="staffed-{labels[0]}"]')).to_have_value("0")
    expect(page.locator("input[name=why]")).to_have_value("Loket pagi tutup")
    page.locator("input[name=move_bookings]").check()
    assert submit(page, SAVE).url == day_url
    expect_planned(page)
    expect(page.locator("[role=alert]")).to_have_count(0)
    for booking in bookings:
        booking.refresh_from_db()
        assert booking.slot.local_date != day and booking.status == BookingStatus.CONFIRMED
        assert Message.objects.filter(booking=booking, kind=BookingMessageKind.MOVED).count() == 1
    moved = PlanChange.objects.latest("pk")
    assert moved.what["staffed"] == {labels[0]: 0}
    assert sorted(moved.what["moved_bookings"]) == sorted(b.code for b in bookings)
    assert {row[0] for row in read_grid(page).values()} == {"idle"}
    assert all(taken == 0 for _, taken in capacities(office, day).values())
    expect(page.locator("ul.audit li")).to_have_count(2)
