"""What a citizen in the queue is told: their number, that their turn is near (once),
where they are called, and afterwards one survey question; and the end-of-day close."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from notifications.models import Message
from offices.models import Counter, OfficeService
from queueing.messages import TicketMessageKind
from queueing.models import ServiceRating, Ticket, TicketSource, TicketStatus
from queueing.services.calling import call_next, ticket_finish, ticket_recall, ticket_start
from queueing.services.check_in import check_in
from queueing.services.issue import ticket_issue
from queueing.tasks import close_past_days

pytestmark = pytest.mark.django_db


def _kinds(ticket: Ticket) -> list[str]:
    return list(Message.objects.filter(ticket=ticket).order_by("pk").values_list("kind", flat=True))


def test_checking_in_tells_the_citizen_their_number_and_who_is_ahead(
    passport: OfficeService, slot_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    ticket_issue(office_service=passport, source=TicketSource.KIOSK)
    booking = slot_for(passport, minutes_from_now=20)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ticket = check_in(office=passport.office, code=booking.code)
    assert _kinds(ticket) == [TicketMessageKind.QUEUED]
    assert mail.outbox[0].to == [booking.email]
    assert str(mail.outbox[0].subject) == f"Nomor Anda: {ticket.display_number}"
    assert "Orang di depan Anda: " in str(mail.outbox[0].body)
    assert reverse("ticket-live", kwargs={"token": ticket.public_token}) in str(mail.outbox[0].body)


def test_a_walk_in_without_contact_gets_no_messages(passport: OfficeService, clock: Any) -> None:
    ticket = ticket_issue(office_service=passport, source=TicketSource.KIOSK)
    assert _kinds(ticket) == []


def test_being_called_and_recalled_sends_the_counter_each_time(
    passport: OfficeService,
    counter_one: Counter,
    counter_clerk: Any,
    clock: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    ticket = ticket_issue(
        office_service=passport, source=TicketSource.REMOTE, contact_email="a@example.id"
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_next(counter=counter_one, staff=counter_clerk)
    clock.shift(timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        ticket_recall(counter=counter_one, staff=counter_clerk)
    assert [str(m.subject) for m in mail.outbox] == [f"{ticket.display_number}: loket 1"] * 2
    assert "silakan menuju loket 1 sekarang" in str(mail.outbox[0].body)


def test_almost_your_turn_goes_once_to_each_of_the_first_three_waiting(
    passport: OfficeService,
    counter_one: Counter,
    counter_clerk: Any,
    clock: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    tickets = []
    for n in range(6):
        tickets.append(
            ticket_issue(
                office_service=passport,
                source=TicketSource.REMOTE,
                contact_email=f"w{n}@example.id",
            )
        )
        clock.shift(timedelta(seconds=10))
    with django_capture_on_commit_callbacks(execute=True):
        call_next(counter=counter_one, staff=counter_clerk)  # calls tickets[0]
    told = set(
        Message.objects.filter(kind=TicketMessageKind.TURN_NEAR).values_list(
            "subject_id", flat=True
        )
    )
    assert told == {tickets[1].pk, tickets[2].pk, tickets[3].pk}
    ahead = dict(
        Message.objects.filter(kind=TicketMessageKind.TURN_NEAR).values_list(
            "subject_id", "context__ahead"
        )
    )
    assert ahead == {tickets[1].pk: 0, tickets[2].pk: 1, tickets[3].pk: 2}
    ticket_start(counter=counter_one, staff=counter_clerk)
    ticket_finish(counter=counter_one, staff=counter_clerk)
    with django_capture_on_commit_callbacks(execute=True):
        call_next(counter=counter_one, staff=counter_clerk)  # calls tickets[1]
    # only tickets[4] is new
    assert Message.objects.filter(kind=TicketMessageKind.TURN_NEAR).count() == 4
    assert Message.objects.filter(kind=TicketMessageKind.TURN_NEAR, ticket=tickets[4]).exists()


def test_after_service_the_citizen_is_asked_one_question(
    client: Client,
    passport: OfficeService,
    counter_one: Counter,
    counter_clerk: Any,
    clock: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    ticket = ticket_issue(
        office_service=passport, source=TicketSource.REMOTE, contact_email="a@example.id"
    )
    survey = reverse("ticket-survey", kwargs={"token": ticket.public_token})
    assert "setelah selesai" in client.get(survey).content.decode()  # not served yet
    call_next(counter=counter_one, staff=counter_clerk)
    ticket_start(counter=counter_one, staff=counter_clerk)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ticket_finish(counter=counter_one, staff=counter_clerk)
    assert survey in str(mail.outbox[0].body)
    bad = client.post(survey, {"score": "9"})
    assert bad.status_code == 400 and "Pilih nilai dari 1 sampai 5." in bad.content.decode()
    assert client.post(survey, {"score": "5", "comment": " Cepat dan ramah "}).status_code == 200
    assert client.post(survey, {"score": "1"}).status_code == 200  # answered already: thanks again
    rating = ServiceRating.objects.get(ticket=ticket)
    assert (rating.score, rating.comment) == (5, "Cepat dan ramah")
    assert "How was your visit?" in client.get("/en" + survey).content.decode()


def test_open_tickets_of_a_past_day_close_as_not_served(
    passport: OfficeService, clock: Any
) -> None:
    ticket = ticket_issue(office_service=passport, source=TicketSource.KIOSK)
    assert close_past_days() == 0  # today is not over
    clock.shift(timedelta(days=1))
    assert close_past_days() == 1
    assert close_past_days() == 0
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.NOT_SERVED
