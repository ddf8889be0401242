"""Upgrades of the outbox keep what it holds: a code message queued before its text named
the code's minutes still renders, and every message keeps its link to the booking or
ticket it is about when the per-app foreign keys become one generic subject."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.apps.registry import Apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import override_settings
from django.utils import timezone

from booking.models import Booking
from notifications.models import Message
from offices.models import OfficeService
from queueing.models import Ticket, TicketSource
from tests.queueing.conftest import clock, passport, slot_for

__all__ = ["clock", "passport", "slot_for"]

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("latest_schema_restored"),
]

BEFORE = [("notifications", "0006_message_kinds")]
AFTER = [("notifications", "0007_code_messages_name_their_minutes")]
WITH_BOTH = [("notifications", "0009_message_subject")]  # the keys and the subject
SUBJECT_ONLY = [("notifications", "0012_kinds_from_registry")]


def _migrate(target: list[tuple[str, str]]) -> Apps:
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@override_settings(GILIRAN_CODE_MINUTES=7)
def test_waiting_code_messages_get_the_minutes_and_sent_ones_are_left_alone() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    Message = executor.loader.project_state(BEFORE).apps.get_model("notifications", "Message")
    fields = {"channel": "sms", "recipient": "+6281234567890", "due_at": timezone.now()}
    waiting = Message.objects.create(
        dedup_key="a", kind="code", status="pending", context={"code": "123456"}, **fields
    )
    sent = Message.objects.create(
        dedup_key="b", kind="code", status="sent", context={"service": "Paspor"}, **fields
    )
    other = Message.objects.create(
        dedup_key="c", kind="confirmed", status="pending", context={}, **fields
    )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    Message = executor.loader.project_state(AFTER).apps.get_model("notifications", "Message")
    assert Message.objects.get(pk=waiting.pk).context == {"code": "123456", "minutes": 7}
    assert Message.objects.get(pk=sent.pk).context == {"service": "Paspor"}
    assert Message.objects.get(pk=other.pk).context == {}
    assert Message.objects.count() == 3


def _ticket(passport: OfficeService, number: int, booking: Booking | None = None) -> Ticket:
    return Ticket.objects.create(
        office=passport.office,
        office_service=passport,
        local_date=timezone.localdate(),
        letter="A",
        number=number,
        source=TicketSource.APPOINTMENT if booking else TicketSource.KIOSK,
        booking=booking,
        queued_at=timezone.now(),
        public_token=f"t{number}",
    )


def test_every_booking_and_ticket_link_is_kept_in_the_subject_and_back(
    passport: OfficeService, slot_for: Any
) -> None:
    siti = slot_for(passport, minutes_from_now=20, nik_seq=1)
    budi = slot_for(passport, minutes_from_now=40, nik_seq=2)
    siti_ticket = _ticket(passport, 1, booking=siti)
    walk_in = _ticket(passport, 2)
    # The way back: a row written today, about a ticket, gets both keys again.
    today = Message.objects.create(
        dedup_key="today",
        kind="called",
        channel="email",
        recipient="a@example.id",
        due_at=timezone.now(),
        subject=siti_ticket,
    )

    # The model as it was at that step (mypy would take it for today's).
    old: Any = _migrate(WITH_BOTH).get_model("notifications", "Message")
    assert old.objects.filter(pk=today.pk, booking_id=siti.pk, ticket_id=siti_ticket.pk).exists()
    fields = {"channel": "email", "recipient": "a@example.id", "due_at": timezone.now()}
    rows = {
        "booking": old.objects.create(
            dedup_key="b", kind="confirmed", booking_id=budi.pk, **fields
        ),
        "ticket and its booking": old.objects.create(
            dedup_key="tb", kind="queued", booking_id=siti.pk, ticket_id=siti_ticket.pk, **fields
        ),
        "walk-in ticket": old.objects.create(
            dedup_key="t", kind="queued", ticket_id=walk_in.pk, **fields
        ),
        "nothing": old.objects.create(dedup_key="n", kind="privacy_done", **fields),
    }

    _migrate(SUBJECT_ONLY)
    subjects = {name: Message.objects.get(pk=row.pk).subject for name, row in rows.items()}
    assert subjects == {
        "booking": budi,
        "ticket and its booking": siti_ticket,
        "walk-in ticket": walk_in,
        "nothing": None,
    }
    assert Message.objects.get(pk=today.pk).subject == siti_ticket
    # The booking of a ticket's message is still found through the ticket.
    through_ticket = Message.objects.filter(ticket__booking=siti)
    assert set(through_ticket.values_list("dedup_key", flat=True)) == {"today", "tb"}
    assert list(Message.objects.filter(booking=budi).values_list("dedup_key", flat=True)) == ["b"]
    types = set(Message.objects.values_list("subject_type", flat=True))
    assert types == {
        None,
        ContentType.objects.get_for_model(Booking).pk,
        ContentType.objects.get_for_model(Ticket).pk,
    }


def test_a_message_naming_a_booking_other_than_its_tickets_stops_the_upgrade(
    passport: OfficeService, slot_for: Any
) -> None:
    siti = slot_for(passport, minutes_from_now=20)
    walk_in = _ticket(passport, 1)
    old: Any = _migrate(WITH_BOTH).get_model("notifications", "Message")
    odd = old.objects.create(
        dedup_key="odd",
        kind="queued",
        channel="email",
        recipient="a@example.id",
        due_at=timezone.now() + timedelta(hours=1),
        booking_id=siti.pk,
        ticket_id=walk_in.pk,
    )
    with pytest.raises(RuntimeError, match=rf"messages \[{odd.pk}\] link a booking other"):
        _migrate(SUBJECT_ONLY)
    # Nothing was copied: the outbox is still at the step before, with both keys.
    assert old.objects.filter(pk=odd.pk, booking_id=siti.pk, subject_id=None).exists()
    odd.delete()
