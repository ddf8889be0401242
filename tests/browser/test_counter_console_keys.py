"""The counter console's keyboard in real Chromium (issue 12, item 5): the no-show key
asks before it marks anyone, Escape keeps the ticket, Enter on the confirmation does it;
a clerk turns the single-key shortcuts off (a key then does nothing) or remaps them
(WCAG 2.1.4). Numbers are given by a clerk, which the office's hours do not limit, so the
tests run at any hour."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from offices.models import Counter, OfficeService
from queueing.models import CounterStatus, Ticket, TicketSource, TicketStatus
from queueing.services.counters import counter_set_status
from queueing.services.issue import ticket_issue
from tests.browser.conftest import DESKTOP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _status(ticket: Ticket) -> str:
    ticket.refresh_from_db()
    return ticket.status


@pytest.fixture
def console(
    jakarta_office: Any,
    counter_clerk: Any,
    live_server: Any,
    new_device_page: Callable[..., Page],
    sign_in: Callable[..., None],
) -> tuple[Page, Counter, OfficeService]:
    """The clerk's desktop on counter 1 of the Jakarta office, open, in English."""
    counter = Counter.objects.get(office=jakarta_office, number=1)
    counter_set_status(counter=counter, status=CounterStatus.OPEN, staff=counter_clerk)
    page = new_device_page(DESKTOP, timezone_id="Asia/Jakarta")
    sign_in(page, counter_clerk)
    page.goto(f"{live_server.url}/en/staf/loket/{counter.pk}/")
    return page, counter, OfficeService.objects.get(office=jakarta_office)


def test_the_no_show_key_asks_first_and_escape_keeps_the_ticket(
    console: tuple[Page, Counter, OfficeService],
) -> None:
    page, _counter, passport = console
    ticket = ticket_issue(office_service=passport, source=TicketSource.STAFF)
    page.reload()
    page.keyboard.press("n")
    expect(page.get_by_test_id("current-number")).to_have_text("A-001")

    page.keyboard.press("x")
    question = page.get_by_test_id("confirm-question")
    expect(question).to_contain_text("Mark number A-001 as a no-show?")
    assert _status(ticket) == TicketStatus.CALLED
    confirm = page.get_by_role("button", name="Yes, A-001 did not come")
    expect(confirm).to_be_focused()
    page.keyboard.press("x")  # a second press of the key is not the confirmation
    page.keyboard.press("n")
    assert _status(ticket) == TicketStatus.CALLED

    page.keyboard.press("Escape")
    expect(question).to_have_count(0)
    assert _status(ticket) == TicketStatus.CALLED

    page.keyboard.press("x")
    expect(confirm).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("confirm-question")).to_have_count(0)
    expect(page.get_by_text("No ticket. Call the next one.")).to_be_visible()
    assert _status(ticket) == TicketStatus.NO_SHOW


def test_the_no_show_asks_first_without_javascript(
    jakarta_office: Any,
    counter_clerk: Any,
    live_server: Any,
    browser: Any,
    sign_in: Callable[..., None],
) -> None:
    counter = Counter.objects.get(office=jakarta_office, number=1)
    counter_set_status(counter=counter, status=CounterStatus.OPEN, staff=counter_clerk)
    ticket_issue(
        office_service=OfficeService.objects.get(office=jakarta_office),
        source=TicketSource.STAFF,
    )
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, counter_clerk)
    page.goto(f"{live_server.url}/staf/loket/{counter.pk}/")
    page.locator("button[name=action][value=next]").click()
    page.locator("button[name=action][value=no-show]").click()
    expect(page.get_by_test_id("confirm-question")).to_contain_text("Tandai nomor A-001")
    ticket = Ticket.objects.get()
    assert _status(ticket) == TicketStatus.CALLED
    page.get_by_role("button", name="Ya, A-001 tidak hadir").click()
    expect(page.get_by_test_id("confirm-question")).to_have_count(0)
    assert _status(ticket) == TicketStatus.NO_SHOW
    context.close()


def test_a_clerk_turns_the_keys_off_then_remaps_them(
    console: tuple[Page, Counter, OfficeService],
) -> None:
    page, _counter, passport = console
    ticket = ticket_issue(office_service=passport, source=TicketSource.STAFF)
    shortcuts = page.locator("#shortcuts")
    shortcuts.get_by_label("Use single-key shortcuts").uncheck()
    shortcuts.get_by_role("button", name="Save shortcuts").click()
    expect(page.get_by_test_id("shortcuts-state")).to_contain_text("shortcuts are off")
    expect(page.locator("[data-console] kbd")).to_have_count(0)

    page.locator("body").press("n")  # off: nothing is called
    page.wait_for_timeout(500)  # a call would be a request and a swap: give it time to fail
    expect(page.get_by_test_id("current-number")).to_have_count(0)
    assert _status(ticket) == TicketStatus.WAITING

    shortcuts.get_by_label("Use single-key shortcuts").check()
    shortcuts.get_by_label("Call next").fill("1")
    shortcuts.get_by_role("button", name="Save shortcuts").click()
    expect(page.get_by_role("button", name="Call next")).to_contain_text("1")
    page.locator("body").press("n")  # the old key does nothing now
    page.wait_for_timeout(500)
    assert _status(ticket) == TicketStatus.WAITING
    page.locator("body").press("1")
    expect(page.get_by_test_id("current-number")).to_have_text("A-001")
    assert _status(ticket) == TicketStatus.CALLED
