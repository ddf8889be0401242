"""Eight counters calling at once over 500 tickets, on real PostgreSQL with real threads:
every ticket is called exactly once, none is skipped, and the policy's order holds.

Order is checked per counter: each counter must take tickets in strictly increasing
policy rank (it always gets the first ticket nobody else holds). That holds whatever
the scheduler does to the threads, unlike the global order of log rows, which a thread
paused between its SELECT and its INSERT would shuffle."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection

from offices.models import Counter
from queueing.models import CounterStatus, Ticket, TicketEvent, TicketSource, TicketStatus
from queueing.policy import waiting_order
from queueing.services.calling import call_next, ticket_finish, ticket_start
from queueing.services.counters import counter_set_status
from queueing.services.issue import ticket_issue
from tests.factories import CounterFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

COUNTERS = 8
TICKETS = 500
OPENING = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)  # 08:00 WIB
CALLING = OPENING + timedelta(minutes=30)


def _serve_until_empty(
    counter: Counter,
    staff: Any,
    called: list[int],
    errors: list[BaseException],
    start: threading.Barrier,
) -> None:
    try:
        start.wait()
        while True:
            ticket = call_next(counter=counter, staff=staff, now=CALLING)
            if ticket is None:
                return
            called.append(ticket.pk)
            ticket_start(counter=counter, staff=staff, now=CALLING)
            ticket_finish(counter=counter, staff=staff, now=CALLING)
    except BaseException as error:  # reported by the test, not swallowed
        errors.append(error)
    finally:
        connection.close()


def test_eight_counters_call_every_ticket_exactly_once_in_policy_order(
    jakarta_office: Any, counter_clerk: Any
) -> None:
    office_service = jakarta_office.office_services.get()
    counters = [Counter.objects.get(office=jakarta_office, number=1)] + [
        CounterFactory.create(office=jakarta_office, number=n, services=[office_service.service])
        for n in range(2, COUNTERS + 1)
    ]
    for counter in counters:
        counter_set_status(counter=counter, status=CounterStatus.OPEN, staff=counter_clerk)
    for i in range(TICKETS):
        ticket_issue(
            office_service=office_service,
            source=TicketSource.KIOSK,
            now=OPENING + timedelta(seconds=3 * i),
            priority_group="elderly" if i % 10 == 7 else "",
        )
    policy = list(
        Ticket.objects.filter(status=TicketStatus.WAITING)
        .order_by(*waiting_order(CALLING, jakarta_office.queue_starvation_minutes))
        .values_list("pk", flat=True)
    )

    called_by: dict[int, list[int]] = {counter.pk: [] for counter in counters}
    errors: list[BaseException] = []
    start = threading.Barrier(COUNTERS)
    threads = [
        threading.Thread(
            target=_serve_until_empty,
            args=(counter, counter_clerk, called_by[counter.pk], errors, start),
        )
        for counter in counters
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    called = [pk for calls in called_by.values() for pk in calls]
    assert sorted(called) == sorted(policy)  # none skipped, none twice
    assert Ticket.objects.filter(status=TicketStatus.FINISHED).count() == TICKETS
    calls_per_ticket = TicketEvent.objects.filter(kind="called").values_list("ticket_id", flat=True)
    assert len(calls_per_ticket) == len(set(calls_per_ticket)) == TICKETS
    rank = {pk: position for position, pk in enumerate(policy)}
    for calls in called_by.values():
        ranks = [rank[pk] for pk in calls]
        assert ranks == sorted(ranks), "a counter called a ticket out of the policy's order"
    assert sum(1 for calls in called_by.values() if calls) > 1  # the work was really shared
