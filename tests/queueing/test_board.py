"""The display board's "last calls": the calls of the office's today, newest first, kept
after their tickets are served, so a citizen who looked away can still find their
number (issue 12, item 9)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from offices.models import Counter, OfficeService
from queueing.models import TicketSource
from queueing.selectors import BOARD_LAST_CALLS
from queueing.services.calling import call_next, ticket_finish, ticket_no_show, ticket_start
from queueing.services.issue import ticket_issue

pytestmark = pytest.mark.django_db


def _board(client: Client, passport: OfficeService) -> list[str]:
    feed = client.get(reverse("board-feed", args=[passport.office.code])).json()
    return [call["number"] for call in feed["calls"]]


def test_a_called_then_finished_ticket_stays_on_the_board(
    client: Client, passport: OfficeService, counter_one: Counter, counter_clerk: Any, clock: Any
) -> None:
    for _ in range(2):
        ticket_issue(office_service=passport, source=TicketSource.KIOSK)
    call_next(counter=counter_one, staff=counter_clerk)
    ticket_start(counter=counter_one, staff=counter_clerk)
    clock.shift(timedelta(minutes=10))
    ticket_finish(counter=counter_one, staff=counter_clerk)
    clock.shift(timedelta(minutes=1))
    call_next(counter=counter_one, staff=counter_clerk)
    ticket_no_show(counter=counter_one, staff=counter_clerk, confirmed=True)
    assert _board(client, passport) == ["A-002", "A-001"]
    page = client.get(reverse("board", args=[passport.office.code])).content.decode()
    assert "data-latest-number>A-002<" in page and '<span class="n">A-001</span>' in page


def test_the_board_keeps_the_last_calls_of_today_only(
    client: Client, passport: OfficeService, counter_one: Counter, counter_clerk: Any, clock: Any
) -> None:
    ticket_issue(office_service=passport, source=TicketSource.STAFF)
    call_next(counter=counter_one, staff=counter_clerk)
    ticket_no_show(counter=counter_one, staff=counter_clerk, confirmed=True)
    clock.shift(timedelta(days=1))  # Thursday: yesterday's call is gone
    assert _board(client, passport) == []
    for _minute in range(BOARD_LAST_CALLS + 2):
        clock.shift(timedelta(minutes=1))
        ticket_issue(office_service=passport, source=TicketSource.STAFF)
        call_next(counter=counter_one, staff=counter_clerk)
        ticket_start(counter=counter_one, staff=counter_clerk)
        ticket_finish(counter=counter_one, staff=counter_clerk)
    shown = _board(client, passport)
    assert len(shown) == BOARD_LAST_CALLS
    assert shown[0] == f"A-{BOARD_LAST_CALLS + 2:03d}" and shown[-1] == "A-003"
