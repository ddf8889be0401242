"""A no-show is never one press: the service changes nothing until it is confirmed, and
the confirmation names the ticket (issue 12, item 5; docs/counter-console.md). The same
through the service, the API and the console page with and without htmx."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from core.errors import ApplicationError
from offices.models import Counter, OfficeService
from queueing.models import Ticket, TicketEvent, TicketSource, TicketStatus
from queueing.services.calling import NoShowUnconfirmed, call_next, ticket_start
from queueing.services.counter_actions import CounterAction, counter_act
from queueing.services.issue import ticket_issue

pytestmark = pytest.mark.django_db


def _called(passport: OfficeService, counter: Counter, clerk: Any) -> Ticket:
    ticket_issue(office_service=passport, source=TicketSource.KIOSK)
    called = call_next(counter=counter, staff=clerk)
    assert called is not None
    return called


def _state(ticket: Ticket) -> tuple[str, int | None, int]:
    ticket.refresh_from_db()
    return (ticket.status, ticket.counter_id, ticket.events.count())


def test_a_no_show_without_confirmation_changes_nothing_and_says_why(
    passport: OfficeService, counter_one: Counter, counter_clerk: Any, clock: Any
) -> None:
    ticket = _called(passport, counter_one, counter_clerk)
    before = _state(ticket)
    with translation.override("id"), pytest.raises(NoShowUnconfirmed) as asked:
        counter_act(counter=counter_one, staff=counter_clerk, action=CounterAction.NO_SHOW)
    assert asked.value.code == "confirm_required" and asked.value.status_code == 409
    assert asked.value.ticket.pk == ticket.pk
    assert str(asked.value.message).startswith("Tandai nomor A-001 tidak hadir?")
    assert _state(ticket) == before == (TicketStatus.CALLED, counter_one.pk, 2)


def test_a_confirmed_no_show_ends_the_ticket(
    passport: OfficeService, counter_one: Counter, counter_clerk: Any, clock: Any
) -> None:
    ticket = _called(passport, counter_one, counter_clerk)
    outcome = counter_act(
        counter=counter_one,
        staff=counter_clerk,
        action=CounterAction.NO_SHOW,
        ticket=ticket,
        confirm=True,
    )
    assert outcome.ticket is not None and outcome.ticket.status == TicketStatus.NO_SHOW
    assert TicketEvent.objects.filter(ticket=ticket).latest("pk").kind == "no_show"


def test_a_confirmation_of_another_ticket_marks_nothing(
    passport: OfficeService, counter_one: Counter, counter_clerk: Any, clock: Any
) -> None:
    """The clerk confirmed A-001; meanwhile (another tab) A-001 was parked and A-002
    called: the confirmation must not mark A-002."""
    first = _called(passport, counter_one, counter_clerk)
    counter_act(counter=counter_one, staff=counter_clerk, action=CounterAction.PARK)
    second = _called(passport, counter_one, counter_clerk)
    with translation.override("en"), pytest.raises(ApplicationError) as refused:
        counter_act(
            counter=counter_one,
            staff=counter_clerk,
            action=CounterAction.NO_SHOW,
            ticket=first,
            confirm=True,
        )
    assert refused.value.code == "ticket_changed"
    assert "A-001 is no longer this counter's ticket" in str(refused.value)
    assert _state(second)[0] == TicketStatus.CALLED
    assert _state(first)[0] == TicketStatus.PARKED


def test_a_recall_past_the_limit_asks_before_it_makes_a_no_show(
    passport: OfficeService, counter_one: Counter, counter_clerk: Any, clock: Any
) -> None:
    ticket = _called(passport, counter_one, counter_clerk)
    for _ in range(counter_one.office.queue_max_recalls):
        counter_act(counter=counter_one, staff=counter_clerk, action=CounterAction.RECALL)
    before = _state(ticket)
    with pytest.raises(NoShowUnconfirmed):
        counter_act(counter=counter_one, staff=counter_clerk, action=CounterAction.RECALL)
    assert _state(ticket) == before
    counter_act(counter=counter_one, staff=counter_clerk, action=CounterAction.RECALL, confirm=True)
    assert _state(ticket)[0] == TicketStatus.NO_SHOW


def test_a_no_show_of_a_ticket_being_served_is_refused_without_asking(
    passport: OfficeService, counter_one: Counter, counter_clerk: Any, clock: Any
) -> None:
    ticket = _called(passport, counter_one, counter_clerk)
    ticket_start(counter=counter_one, staff=counter_clerk)
    with pytest.raises(ApplicationError) as refused:
        counter_act(counter=counter_one, staff=counter_clerk, action=CounterAction.NO_SHOW)
    assert refused.value.code == "wrong_state"
    assert _state(ticket)[0] == TicketStatus.SERVING


def test_the_api_asks_for_confirmation_then_marks_the_named_ticket(
    client: Client, passport: OfficeService, counter_one: Counter, counter_clerk: Any, clock: Any
) -> None:
    ticket = _called(passport, counter_one, counter_clerk)
    client.force_login(counter_clerk)
    url = f"/api/v1/counters/{counter_one.pk}/no-show/"
    asked = client.post(url, {}, content_type="application/json", headers={"Accept-Language": "id"})
    assert asked.status_code == 409
    body = asked.json()
    assert body["code"] == "confirm_required" and body["ticket"] == "A-001"
    assert body["message"].startswith("Tandai nomor A-001 tidak hadir?")
    assert _state(ticket)[0] == TicketStatus.CALLED
    as_json = "application/json"
    unknown = client.post(url, {"confirm": True, "ticket": "Z-999"}, content_type=as_json)
    assert unknown.status_code == 400 and _state(ticket)[0] == TicketStatus.CALLED
    done = client.post(url, {"confirm": True, "ticket": "A-001"}, content_type=as_json)
    assert done.status_code == 200 and done.json()["ticket"]["status"] == "no_show"


@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
def test_the_console_shows_a_confirmation_step_naming_the_ticket(
    client: Client,
    passport: OfficeService,
    counter_one: Counter,
    counter_clerk: Any,
    clock: Any,
    htmx: bool,
) -> None:
    ticket = _called(passport, counter_one, counter_clerk)
    client.force_login(counter_clerk)
    url = f"/en/staf/loket/{counter_one.pk}/"
    headers = {"HX-Request": "true"} if htmx else {}
    page = client.post(url, {"action": "no-show"}, headers=headers).content.decode()
    assert "data-confirm" in page and "Mark number A-001 as a no-show?" in page
    assert f'name="ticket" value="{ticket.pk}"' in page and 'name="confirm" value="1"' in page
    assert "Yes, A-001 did not come" in page and "No, keep the ticket" in page
    assert _state(ticket)[0] == TicketStatus.CALLED
    kept = client.get(url, headers=headers).content.decode()
    assert "data-confirm" not in kept and _state(ticket)[0] == TicketStatus.CALLED
    sent = {"action": "no-show", "ticket": ticket.pk, "confirm": "1"}
    done = client.post(url, sent, headers=headers).content.decode()
    assert "data-confirm" not in done and _state(ticket)[0] == TicketStatus.NO_SHOW
