"""The counter console reads its buttons through one form: a bad button or a value that
names nothing usable of this office gets the console's translated error and changes
nothing; looking at a counter never opened writes no row (issue 11, items 3 and 4)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from offices.models import Counter, OfficeService
from queueing.models import CounterState, Ticket, TicketSource
from queueing.services.issue import ticket_issue

pytestmark = pytest.mark.django_db


def _console(counter: Counter) -> str:
    return f"/staf/loket/{counter.pk}/"


def test_looking_at_a_counter_never_opened_writes_nothing(
    client: Client, jakarta_office: Any, counter_clerk: Any, clock: Any
) -> None:
    counter = Counter.objects.get(office=jakarta_office, number=1)
    client.force_login(counter_clerk)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(_console(counter))
    assert page.status_code == 200
    assert 'data-testid="counter-status">Tutup<' in page.content.decode()
    assert not CounterState.objects.exists()
    assert not [
        q for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("INSERT")
    ]


def test_the_first_action_opens_the_counter_and_creates_its_state(
    client: Client, jakarta_office: Any, counter_clerk: Any, clock: Any
) -> None:
    counter = Counter.objects.get(office=jakarta_office, number=1)
    client.force_login(counter_clerk)
    page = client.post(_console(counter), {"action": "open"})
    assert page.status_code == 200
    assert CounterState.objects.get(counter=counter).status == "open"


def _state(counter: Counter) -> tuple[object, ...]:
    state = CounterState.objects.get(counter=counter)
    return (state.status, state.staff_id)


@pytest.mark.parametrize(
    ("sent", "error"),
    [
        ({"action": "dance"}, "Tindakan tidak dikenal."),
        ({}, "Tindakan tidak dikenal."),
        ({"action": "transfer"}, "Pilih layanan di kantor ini."),
        ({"action": "issue", "service": "abc"}, "Pilih layanan di kantor ini."),
        ({"action": "call", "ticket": ""}, "Nomor ini tidak ada dalam antrean kantor ini."),
        ({"action": "unpark", "ticket": "²"}, "Nomor ini tidak ada dalam antrean kantor ini."),
    ],
)
def test_a_bad_button_gets_the_consoles_error_and_changes_nothing(
    client: Client, counter_one: Counter, counter_clerk: Any, clock: Any, sent: Any, error: str
) -> None:
    client.force_login(counter_clerk)
    before = _state(counter_one)
    page = client.post(_console(counter_one), sent)
    assert page.status_code == 200
    assert f'<p class="error" role="alert">{error}</p>' in page.content.decode()
    assert _state(counter_one) == before and not Ticket.objects.exists()


def test_the_error_is_in_the_language_of_the_page(
    client: Client, counter_one: Counter, counter_clerk: Any, clock: Any
) -> None:
    client.force_login(counter_clerk)
    page = client.post("/en" + _console(counter_one), {"action": "dance"})
    assert "Unknown action." in page.content.decode()


def test_a_service_or_ticket_of_another_office_is_refused(
    client: Client,
    counter_one: Counter,
    counter_clerk: Any,
    denpasar_office: Any,
    clock: Any,
) -> None:
    elsewhere = OfficeService.objects.filter(office=denpasar_office).first()
    assert elsewhere is not None
    their_ticket = ticket_issue(office_service=elsewhere, source=TicketSource.KIOSK)
    client.force_login(counter_clerk)
    issued = client.post(_console(counter_one), {"action": "issue", "service": elsewhere.pk})
    assert "Pilih layanan di kantor ini." in issued.content.decode()
    called = client.post(_console(counter_one), {"action": "call", "ticket": their_ticket.pk})
    assert "Nomor ini tidak ada dalam antrean kantor ini." in called.content.decode()
    their_ticket.refresh_from_db()
    assert their_ticket.counter_id is None and Ticket.objects.count() == 1


def test_an_inactive_service_cannot_be_issued_at_the_counter(
    client: Client, counter_one: Counter, counter_clerk: Any, passport: OfficeService, clock: Any
) -> None:
    OfficeService.objects.filter(pk=passport.pk).update(is_active=False)
    client.force_login(counter_clerk)
    page = client.post(_console(counter_one), {"action": "issue", "service": passport.pk})
    assert "Pilih layanan di kantor ini." in page.content.decode()
    assert not Ticket.objects.exists()


def test_a_staff_issued_number_with_an_unknown_priority_group_has_none(
    client: Client, counter_one: Counter, counter_clerk: Any, passport: OfficeService, clock: Any
) -> None:
    client.force_login(counter_clerk)
    page = client.post(
        _console(counter_one),
        {"action": "issue", "service": passport.pk, "priority_group": "vip"},
    )
    assert page.status_code == 200
    ticket = Ticket.objects.get()
    assert ticket.priority_group == "" and ticket.source == TicketSource.STAFF
