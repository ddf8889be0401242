"""The outbox knows no app that sends messages: each registers its kinds with it
(notifications/registry.py), and the outbox applies what they registered. A kind nobody
registered, or a subject of the wrong model, is refused when queued; each kind's
relevance check runs at delivery; a message whose subject was deleted stays in the log
and is not sent; a booking code finds the messages of its ticket too."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client
from django.urls import reverse

from booking.messages import BookingMessageKind, booking_message_send
from booking.models import Booking
from notifications import registry
from notifications.models import Message, MessageStatus
from notifications.registry import UnknownMessageKind, message_kind, message_kind_register
from notifications.services.outbox import Recipient, message_queue, outbox_dispatch_due
from offices.models import OfficeService
from queueing.messages import TicketMessageKind, ticket_message_send
from queueing.models import Ticket, TicketSource, TicketStatus
from queueing.services.check_in import check_in
from queueing.services.issue import ticket_issue
from tests.queueing.conftest import clock, passport, slot_for

__all__ = ["clock", "passport", "slot_for"]

pytestmark = pytest.mark.django_db

SITI = Recipient(channel="email", address="siti@example.id", language="id")


def test_a_kind_no_app_registered_cannot_be_queued(jakarta_office: Any) -> None:
    with pytest.raises(UnknownMessageKind, match="reminder_sooon"), transaction.atomic():
        message_queue(
            kind="reminder_sooon",
            dedup_key="typo",
            recipient=SITI,
            context={},
            office=jakarta_office,
        )
    assert not Message.objects.exists()


def test_a_message_about_a_row_of_another_model_cannot_be_queued(
    passport: OfficeService, clock: Any
) -> None:
    ticket = ticket_issue(office_service=passport, source=TicketSource.KIOSK)
    with pytest.raises(
        ValueError,
        match=r"'confirmed' message is about booking.Booking \(a saved row\), not <Ticket",
    ):
        message_queue(
            kind=BookingMessageKind.CONFIRMED,
            dedup_key="wrong",
            recipient=SITI,
            context={},
            subject=ticket,
        )
    assert not Message.objects.exists()


def test_a_kind_is_registered_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_KINDS", dict(registry._KINDS))
    with pytest.raises(ValueError, match="'cancelled' is registered twice"):
        message_kind_register(BookingMessageKind.CANCELLED, subject=Ticket)
    assert message_kind(BookingMessageKind.CANCELLED).subject is Booking


def test_each_kind_is_checked_at_delivery_by_the_app_that_registered_it(
    passport: OfficeService, clock: Any
) -> None:
    waiting, gone = (
        ticket_issue(office_service=passport, source=TicketSource.REMOTE, contact_email=email)
        for email in ("a@example.id", "b@example.id")
    )
    with transaction.atomic():
        for ticket in (waiting, gone):
            ticket_message_send(
                ticket=ticket, kind=TicketMessageKind.TURN_NEAR, context={"ahead": 0}
            )
    Ticket.objects.filter(pk=gone.pk).update(status=TicketStatus.LEFT)
    outbox_dispatch_due()
    turn_near = Message.objects.filter(kind=TicketMessageKind.TURN_NEAR)
    assert turn_near.get(ticket=waiting).status == MessageStatus.SENT
    skipped = turn_near.get(ticket=gone)
    # queueing/messages.py's own reason: the outbox knows nothing of tickets.
    assert (skipped.status, skipped.last_error) == (
        MessageStatus.SKIPPED,
        "the ticket is no longer waiting",
    )


def test_a_message_whose_subject_was_deleted_stays_in_the_log_and_is_not_sent(
    passport: OfficeService, slot_for: Any
) -> None:
    booking = slot_for(passport, minutes_from_now=120)
    with transaction.atomic():
        reminder = booking_message_send(booking=booking, kind=BookingMessageKind.REMINDER_SOON)
        cancelled = booking_message_send(booking=booking, kind=BookingMessageKind.CANCELLED)
    deleted = booking.pk
    booking.delete()
    assert outbox_dispatch_due() == 2
    for message in (reminder, cancelled):
        assert message is not None
        message.refresh_from_db()  # not deleted with the booking, unlike a plain relation
        assert message.subject_id == deleted and message.subject is None
        assert message.status == MessageStatus.SKIPPED
        assert message.last_error == "what the message is about no longer exists"
    assert mail.outbox == []


def _checked_in_and_walk_in(passport: OfficeService, slot_for: Any) -> tuple[str, Ticket, Ticket]:
    """A booking's code and its ticket after check-in, and a walk-in's ticket: each has
    its "queue number" message, which names the ticket number, not the booking code."""
    booking = slot_for(passport, minutes_from_now=20)
    with transaction.atomic():
        ticket = check_in(office=passport.office, code=booking.code)
        walk_in = ticket_issue(
            office_service=passport, source=TicketSource.REMOTE, contact_email="a@example.id"
        )
    return booking.code, ticket, walk_in


def test_a_booking_code_finds_its_tickets_messages_in_the_log(
    client: Client, passport: OfficeService, slot_for: Any, supervisor: Any
) -> None:
    code, ticket, walk_in = _checked_in_and_walk_in(passport, slot_for)
    client.force_login(supervisor)
    log = reverse("staff:messages", args=[passport.office.code])
    page = client.get(log, {"cari": code.lower()}).content.decode()
    # The "queue number" message names the ticket, not the code: found through its subject.
    assert ticket.display_number in page and "Nomor antrean" in page
    assert walk_in.display_number not in page


def test_the_admin_names_kinds_and_finds_a_tickets_messages_by_booking_code(
    client: Client, passport: OfficeService, slot_for: Any, national_admin: Any
) -> None:
    code, ticket, walk_in = _checked_in_and_walk_in(passport, slot_for)
    client.force_login(national_admin)
    listing = reverse("admin:notifications_message_changelist")
    found = client.get(listing, {"q": code}).content.decode()
    assert ticket.display_number in found and walk_in.display_number not in found
    queued = client.get(listing, {"kind": TicketMessageKind.QUEUED}).content.decode()
    assert "Nomor antrean" in queued and "2 pesan" in queued
    message = Message.objects.get(ticket=ticket)
    page = client.get(reverse("admin:notifications_message_change", args=[message.pk]))
    assert page.status_code == 200 and ticket.display_number in page.content.decode()
