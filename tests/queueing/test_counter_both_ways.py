"""Every counter action does the same through the console page and through the API
(both call queueing.services.counter_actions.counter_act): the same tickets, counter
states, ticket events and queued messages, and the same notice or refusal for the clerk.

Each case sets up the counter, then acts once through each entry point inside a
savepoint that is rolled back, so both start from the same rows; what they leave is
compared with pks left out (PostgreSQL does not roll sequences back)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from booking.models import Booking
from notifications.models import Message
from offices.models import Counter, OfficeService
from queueing.models import CounterState, CounterStatus, Ticket, TicketEvent, TicketSource
from queueing.services.calling import call_next, ticket_park, ticket_start
from queueing.services.counter_actions import CounterAction
from queueing.services.counters import counter_set_status
from queueing.services.issue import ticket_issue

pytestmark = pytest.mark.django_db


@dataclass
class Counters:
    """The morning at the Jakarta office: counter 1 (passport, A) is open, staffed by Dewi."""

    counter: Counter
    clerk: Any
    passport: OfficeService
    renewal: OfficeService
    slot_for: Any

    def walk_in(self, email: str = "") -> Ticket:
        return ticket_issue(
            office_service=self.passport, source=TicketSource.KIOSK, contact_email=email
        )

    def called(self) -> Ticket:
        self.walk_in("budi@example.id")
        ticket = call_next(counter=self.counter, staff=self.clerk)
        assert ticket is not None
        return ticket


@dataclass(frozen=True)
class Case:
    action: str
    prepare: Callable[[Counters], dict[str, Any]]  # what the action names
    subject: str  # after acting: a ticket's number and status, or the counter's status
    says: str = ""  # the notice, or the refusal, the clerk reads
    refused: bool = False
    changes: bool = True  # a refusal changes nothing, nor does calling an empty queue
    id: str = field(default="")


def _open(world: Counters) -> dict[str, Any]:
    return {}


def _closed(world: Counters) -> dict[str, Any]:
    counter_set_status(counter=world.counter, status=CounterStatus.CLOSED, staff=world.clerk)
    return {}


def _one_waiting(world: Counters) -> dict[str, Any]:
    world.walk_in("budi@example.id")
    return {}


def _pick_the_second(world: Counters) -> dict[str, Any]:
    world.walk_in("budi@example.id")
    return {"ticket": world.walk_in("siti@example.id")}


def _one_called(world: Counters) -> dict[str, Any]:
    world.called()
    return {}


def _confirmed_no_show(world: Counters) -> dict[str, Any]:
    return {"ticket": world.called(), "confirm": True}


def _one_serving(world: Counters) -> dict[str, Any]:
    world.called()
    ticket_start(counter=world.counter, staff=world.clerk)
    return {}


def _one_parked(world: Counters) -> dict[str, Any]:
    world.called()
    return {"ticket": ticket_park(counter=world.counter, staff=world.clerk)}


def _to_renewal(world: Counters) -> dict[str, Any]:
    world.called()
    return {"service": world.renewal}


def _walk_in_at_the_desk(world: Counters) -> dict[str, Any]:
    return {"service": world.passport, "priority_group": "elderly"}


def _booked_for_now(world: Counters) -> dict[str, Any]:
    booking = world.slot_for(world.passport, minutes_from_now=10)
    return {"code": booking.code}


def _transfer_without_service(world: Counters) -> dict[str, Any]:
    world.called()
    return {}


CASES = [
    Case(CounterAction.OPEN, _closed, "counter open"),
    Case(CounterAction.PAUSE, _open, "counter paused"),
    Case(CounterAction.CLOSE, _open, "counter closed"),
    Case(CounterAction.NEXT, _one_waiting, "A-001 called"),
    Case(
        CounterAction.NEXT,
        _open,
        "counter open",
        says="Nobody is waiting for this counter's services.",
        changes=False,
        id="next-nobody-waiting",
    ),
    Case(CounterAction.CALL, _pick_the_second, "A-002 called"),
    Case(CounterAction.RECALL, _one_called, "A-001 called"),
    Case(CounterAction.START, _one_called, "A-001 serving"),
    Case(CounterAction.FINISH, _one_serving, "A-001 finished"),
    Case(CounterAction.NO_SHOW, _confirmed_no_show, "A-001 no_show"),
    Case(
        CounterAction.NO_SHOW,
        _one_called,
        "A-001 called",
        refused=True,
        changes=False,
        says="Mark number A-001 as a no-show? The citizen leaves the queue and needs a new "
        "number. Confirm to go ahead.",
        id="no-show-unconfirmed",
    ),
    Case(CounterAction.PARK, _one_called, "A-001 parked"),
    Case(CounterAction.UNPARK, _one_parked, "A-001 waiting"),
    Case(CounterAction.TRANSFER, _to_renewal, "A-001 waiting"),
    Case(CounterAction.ISSUE, _walk_in_at_the_desk, "A-001 waiting", says="Issued number A-001."),
    Case(
        CounterAction.CHECK_IN,
        _booked_for_now,
        "A-001 waiting",
        says="Checked in: number A-001.",
    ),
    Case(
        CounterAction.FINISH,
        _one_called,
        "A-001 called",
        refused=True,
        changes=False,
        says="This ticket cannot do that now (it is Called).",
        id="finish-refused",
    ),
    Case(
        CounterAction.TRANSFER,
        _transfer_without_service,
        "A-001 called",
        refused=True,
        changes=False,
        says="Choose a service of this office.",
        id="transfer-without-a-service",
    ),
]


def _through_the_page(client: Client, counter: Counter, action: str, **names: Any) -> tuple:
    sent: dict[str, Any] = {"action": action}
    if "ticket" in names:
        sent["ticket"] = names["ticket"].pk
    if "service" in names:
        sent["service"] = names["service"].pk
    sent |= {key: names[key] for key in ("priority_group", "code") if key in names}
    if names.get("confirm"):
        sent["confirm"] = "1"  # what the confirmation step's button sends
    page = client.post(f"/en/staf/loket/{counter.pk}/", sent)
    assert page.status_code == 200
    text = page.content.decode()
    # The question of the confirmation step is the page's form of the API's refusal.
    error = re.search(r'<p class="error" role="alert">(.*?)</p>', text) or re.search(
        r'<p role="alert" data-testid="confirm-question">(.*?)</p>', text
    )
    notice = re.search(r'<p class="notice" role="status">(.*?)</p>', text)
    said = error or notice
    return (error is not None, html.unescape(said[1]) if said else "")


def _through_the_api(client: Client, counter: Counter, action: str, **names: Any) -> tuple:
    sent: dict[str, Any] = {}
    if "ticket" in names:
        sent["ticket"] = names["ticket"].display_number
    if "service" in names:
        sent["service"] = names["service"].service.code
    sent |= {key: names[key] for key in ("priority_group", "code", "confirm") if key in names}
    response = client.post(
        f"/api/v1/counters/{counter.pk}/{action}/",
        sent,
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )
    body = response.json()
    if response.status_code != 200:
        return (True, body["message"])
    return (False, body["notice"])


ENTRIES = {"page": _through_the_page, "api": _through_the_api}


def _person(user: Any) -> str | None:
    return user.username if user else None


def _effects(world: Counters) -> dict[str, list[tuple[Any, ...]]]:
    """What an action can change, by numbers and names instead of ids."""
    office = world.counter.office
    tickets = Ticket.objects.filter(office=office).select_related("counter", "office_service")
    events = TicketEvent.objects.filter(ticket__office=office).select_related(
        "ticket", "counter", "staff"
    )
    messages = Message.objects.filter(office=office).prefetch_related("subject")
    return {
        "tickets": sorted(
            (
                t.display_number,
                t.status,
                t.counter.number if t.counter else None,
                t.office_service.ticket_letter,
                t.recalls,
                t.source,
                t.priority_group,
                t.booking is not None,
                t.called_at,
                t.serving_at,
                t.finished_at,
            )
            for t in tickets
        ),
        "counters": sorted(
            (state.counter.number, state.status, _person(state.staff))
            for state in CounterState.objects.select_related("counter", "staff")
        ),
        "events": [
            (
                e.ticket.display_number,
                e.kind,
                e.counter.number if e.counter else None,
                _person(e.staff),
                e.at,
                e.details,
            )
            for e in events.order_by("pk")
        ],
        "messages": sorted(
            (
                m.kind,
                m.subject.display_number if isinstance(m.subject, Ticket) else None,
                m.channel,
                m.recipient,
                m.language,
                m.status,
                m.due_at,
            )
            for m in messages
        ),
        "bookings": sorted(Booking.objects.values_list("code", "status")),
    }


def _subject(world: Counters, subject: str) -> str:
    number = subject.split()[0]
    if number == "counter":
        return f"counter {CounterState.objects.get(counter=world.counter).status}"
    letter, digits = number.split("-")
    ticket = Ticket.objects.get(office=world.counter.office, letter=letter, number=int(digits))
    return f"{number} {ticket.status}"


@pytest.fixture
def world(
    passport: OfficeService,
    renewal: OfficeService,
    counter_one: Counter,
    counter_clerk: Any,
    slot_for: Any,
    clock: Any,
) -> Counters:
    return Counters(counter_one, counter_clerk, passport, renewal, slot_for)


@pytest.mark.parametrize("case", CASES, ids=[case.id or case.action for case in CASES])
def test_a_counter_action_does_the_same_through_the_page_and_the_api(
    world: Counters, case: Case
) -> None:
    names = case.prepare(world)
    before = _effects(world)
    outcomes: dict[str, tuple[Any, ...]] = {}
    for entry, act in ENTRIES.items():
        client = Client()
        client.force_login(world.clerk)
        with transaction.atomic():
            said = act(client, world.counter, case.action, **names)
            outcomes[entry] = (said, _subject(world, case.subject), _effects(world))
            transaction.set_rollback(True)
    assert outcomes["page"] == outcomes["api"]
    said, subject, after = outcomes["page"]
    assert said == (case.refused, case.says)
    assert subject == case.subject
    assert (after != before) is case.changes


def test_the_api_reads_a_counter_never_opened_as_closed_and_writes_nothing(
    client: Client, jakarta_office: Any, counter_clerk: Any, clock: Any
) -> None:
    counter = Counter.objects.get(office=jakarta_office, number=1)
    client.force_login(counter_clerk)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/v1/counters/{counter.pk}/")
    assert response.status_code == 200
    assert response.json()["status"] == "closed" and response.json()["current"] is None
    assert not CounterState.objects.exists()
    writes = [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].lstrip().split()[0].upper() in ("INSERT", "UPDATE", "DELETE")
    ]
    assert writes == []
    page = client.get(f"/en/staf/loket/{counter.pk}/").content.decode()
    assert 'data-testid="counter-status">Closed<' in page  # the page reads it the same way


def test_the_api_shows_what_the_console_shows(client: Client, world: Counters, clock: Any) -> None:
    """The counter's queue in calling order, its parked tickets and waiting counts, so
    `call` and `unpark` can name a ticket by its number."""
    _one_parked(world)
    world.walk_in()
    world.walk_in()
    client.force_login(world.clerk)
    body = client.get(f"/api/v1/counters/{world.counter.pk}/").json()
    assert [ticket["number"] for ticket in body["queue"]] == ["A-002", "A-003"]
    assert [ticket["number"] for ticket in body["parked"]] == ["A-001"]
    assert body["waiting"] == {"paspor-baru": 2} and body["status"] == "open"
    page = client.get(f"/en/staf/loket/{world.counter.pk}/").content.decode()
    assert 'data-testid="waiting-A">A · New passport: 2<' in page
