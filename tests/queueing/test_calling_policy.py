"""Who is called next, ticket by ticket (docs/queue-policy.md)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from core.errors import ApplicationError
from offices.models import OfficeService
from queueing.models import TicketEvent, TicketEventKind, TicketSource, TicketStatus
from queueing.services.calling import (
    NoShowUnconfirmed,
    call_next,
    ticket_finish,
    ticket_park,
    ticket_recall,
    ticket_start,
    ticket_transfer,
    ticket_unpark,
)
from queueing.services.issue import ticket_issue

pytestmark = pytest.mark.django_db


def _walk_in(
    office_service: OfficeService, clock: Any, minutes_later: int = 0, **extra: Any
) -> Any:
    clock.shift(timedelta(minutes=minutes_later))
    return ticket_issue(office_service=office_service, source=TicketSource.KIOSK, **extra)


def _called(counter: Any, staff: Any) -> Any:
    ticket = call_next(counter=counter, staff=staff)
    assert ticket is not None
    return ticket


def _serve(counter: Any, staff: Any) -> Any:
    ticket = _called(counter, staff)
    ticket_start(counter=counter, staff=staff)
    ticket_finish(counter=counter, staff=staff)
    return ticket


def test_numbers_per_letter_and_day(
    passport: OfficeService, renewal: OfficeService, clock: Any
) -> None:
    numbers = [
        _walk_in(passport, clock).display_number,
        _walk_in(passport, clock).display_number,
        _walk_in(renewal, clock).display_number,
    ]
    assert numbers == ["A-001", "A-002", "B-001"]
    clock.shift(timedelta(days=1))
    assert _walk_in(passport, clock).display_number == "A-001"


def test_first_come_first_served(
    passport: OfficeService, counter_one: Any, counter_clerk: Any, clock: Any
) -> None:
    first, second = _walk_in(passport, clock), _walk_in(passport, clock, 1)
    assert _serve(counter_one, counter_clerk).pk == first.pk
    assert _serve(counter_one, counter_clerk).pk == second.pk


def test_priority_groups_go_first_within_walk_ins(
    passport: OfficeService, counter_one: Any, counter_clerk: Any, clock: Any
) -> None:
    plain = _walk_in(passport, clock)
    elderly = _walk_in(passport, clock, 1, priority_group="elderly")
    assert [_serve(counter_one, counter_clerk).pk for _ in range(2)] == [elderly.pk, plain.pk]


def test_appointments_whose_time_has_come_go_before_walk_ins(
    passport: OfficeService, counter_one: Any, counter_clerk: Any, clock: Any, slot_for: Any
) -> None:
    walk_in = _walk_in(passport, clock)
    booking = slot_for(passport, minutes_from_now=0)
    appointment = ticket_issue(
        office_service=passport, source=TicketSource.APPOINTMENT, booking=booking
    )
    early = ticket_issue(
        office_service=passport,
        source=TicketSource.APPOINTMENT,
        booking=slot_for(passport, minutes_from_now=60, nik_seq=2),
    )
    order = [_serve(counter_one, counter_clerk).pk for _ in range(3)]
    assert order == [appointment.pk, walk_in.pk, early.pk]  # early: queues from its own time


def test_no_ticket_waits_beyond_the_starvation_bound(
    passport: OfficeService, counter_one: Any, counter_clerk: Any, clock: Any
) -> None:
    old = _walk_in(passport, clock)
    clock.shift(timedelta(minutes=50))  # beyond the office's 45 minutes
    elderly = _walk_in(passport, clock, priority_group="elderly")
    assert [_serve(counter_one, counter_clerk).pk for _ in range(2)] == [old.pk, elderly.pk]


def test_a_parked_ticket_returns_at_its_original_place(
    passport: OfficeService, counter_one: Any, counter_clerk: Any, clock: Any
) -> None:
    first, second, third = (_walk_in(passport, clock, i) for i in range(3))
    assert _called(counter_one, counter_clerk).pk == first.pk
    ticket_park(counter=counter_one, staff=counter_clerk)
    assert _serve(counter_one, counter_clerk).pk == second.pk
    ticket_unpark(ticket=first, staff=counter_clerk)
    assert _serve(counter_one, counter_clerk).pk == first.pk
    assert _serve(counter_one, counter_clerk).pk == third.pk


def test_transfer_keeps_the_original_time(
    passport: OfficeService,
    renewal: OfficeService,
    counter_one: Any,
    counter_two: Any,
    counter_clerk: Any,
    clock: Any,
) -> None:
    moved = _walk_in(passport, clock)
    later_renewal = _walk_in(renewal, clock, 5)
    assert _called(counter_one, counter_clerk).pk == moved.pk
    ticket_transfer(counter=counter_one, staff=counter_clerk, to_service=renewal)
    assert _called(counter_two, counter_clerk).pk == moved.pk  # ahead of B-001
    assert later_renewal.status == TicketStatus.WAITING


def test_a_ticket_is_not_transferred_to_its_own_service(
    client: Client, passport: OfficeService, counter_one: Any, counter_clerk: Any, clock: Any
) -> None:
    moved = _walk_in(passport, clock)
    _called(counter_one, counter_clerk)
    with pytest.raises(ApplicationError) as refused:
        ticket_transfer(counter=counter_one, staff=counter_clerk, to_service=passport)
    assert refused.value.code == "same_service"
    moved.refresh_from_db()
    assert (moved.status, moved.counter_id) == (TicketStatus.CALLED, counter_one.pk)
    assert not moved.events.filter(kind=TicketEventKind.TRANSFERRED).exists()
    # The console offers only the other services, and nothing chosen beforehand.
    client.force_login(counter_clerk)
    console = client.get(reverse("staff:console", args=[counter_one.pk])).content.decode()
    select = console.split('id="transfer-service"')[1].split("</select>")[0]
    assert '<option value="">Pilih layanan</option>' in select
    assert f'value="{passport.pk}"' not in select


def test_recalls_then_no_show(
    passport: OfficeService, counter_one: Any, counter_clerk: Any, clock: Any
) -> None:
    ticket = _walk_in(passport, clock)
    call_next(counter=counter_one, staff=counter_clerk)
    ticket_recall(counter=counter_one, staff=counter_clerk)
    ticket_recall(counter=counter_one, staff=counter_clerk)
    # The third is beyond the limit of 2: a no-show, which the clerk confirms.
    with pytest.raises(NoShowUnconfirmed):
        ticket_recall(counter=counter_one, staff=counter_clerk)
    after = ticket_recall(counter=counter_one, staff=counter_clerk, confirmed=True)
    assert after.pk == ticket.pk and after.status == TicketStatus.NO_SHOW
    kinds = list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert kinds == ["issued", "called", "recalled", "recalled", "no_show"]


def test_a_counter_serves_only_its_skills(
    passport: OfficeService,
    renewal: OfficeService,
    counter_one: Any,
    counter_clerk: Any,
    clock: Any,
) -> None:
    _walk_in(renewal, clock)
    assert call_next(counter=counter_one, staff=counter_clerk) is None  # counter 1: passports only


def test_wrong_state_is_refused_and_changes_nothing(
    passport: OfficeService, counter_one: Any, counter_clerk: Any, clock: Any
) -> None:
    _walk_in(passport, clock)
    call_next(counter=counter_one, staff=counter_clerk)
    with pytest.raises(ApplicationError) as refused:
        ticket_finish(counter=counter_one, staff=counter_clerk)  # not started
    assert refused.value.code == "wrong_state"
    with pytest.raises(ApplicationError) as busy:
        call_next(counter=counter_one, staff=counter_clerk)
    assert busy.value.code == "counter_busy"


def test_staff_of_another_office_cannot_call(
    passport: OfficeService, counter_one: Any, supervisor_of_another_office: Any, clock: Any
) -> None:
    from django.core.exceptions import PermissionDenied

    _walk_in(passport, clock)
    with pytest.raises(PermissionDenied):
        call_next(counter=counter_one, staff=supervisor_of_another_office)


def test_a_late_arrival_turned_walk_in_waits_behind_earlier_walk_ins(
    passport: OfficeService, counter_one: Any, counter_clerk: Any, clock: Any, slot_for: Any
) -> None:
    from queueing.services.check_in import check_in

    walk_ins = [_walk_in(passport, clock), _walk_in(passport, clock, 1)]
    late = check_in(office=passport.office, code=slot_for(passport, minutes_from_now=-40).code)
    assert late.source == TicketSource.KIOSK and late.appointment_at is None
    order = [_serve(counter_one, counter_clerk).pk for _ in range(3)]
    assert order == [walk_ins[0].pk, walk_ins[1].pk, late.pk]
