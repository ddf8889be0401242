"""Copy every message's link to its cause into the generic subject: a ticket's message
is about the ticket, a booking's about the booking. A ticket's message also linked the
ticket's booking; that link stays readable through the ticket (`Ticket.booking`, which
never changes), and the copy refuses to run if any row says otherwise, so no link is
lost. One UPDATE per kind of link, the same on PostgreSQL and SQLite. Reversible: the
way back refills both keys (for subjects that still exist, as the keys require)."""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.db.models import F, OuterRef, Subquery


def _types(apps: Any, db: str) -> tuple[Any, Any]:
    ContentType = apps.get_model("contenttypes", "ContentType")
    booking, _ = ContentType.objects.using(db).get_or_create(app_label="booking", model="booking")
    ticket, _ = ContentType.objects.using(db).get_or_create(app_label="queueing", model="ticket")
    return booking, ticket


def links_to_subject(apps: Any, schema_editor: Any) -> None:
    db = schema_editor.connection.alias
    messages = apps.get_model("notifications", "Message").objects.using(db)
    both = messages.filter(ticket__isnull=False, booking__isnull=False)
    other_booking = both.exclude(booking_id=F("ticket__booking_id"))
    if other_booking.exists():
        ids = list(other_booking.values_list("pk", flat=True)[:20])
        raise RuntimeError(
            f"messages {ids} link a booking other than their ticket's; the generic subject "
            "can hold one link: decide which before migrating"
        )
    booking_type, ticket_type = _types(apps, db)
    messages.filter(ticket__isnull=False).update(
        subject_type=ticket_type, subject_id=F("ticket_id")
    )
    messages.filter(ticket__isnull=True, booking__isnull=False).update(
        subject_type=booking_type, subject_id=F("booking_id")
    )


def subject_to_links(apps: Any, schema_editor: Any) -> None:
    db = schema_editor.connection.alias
    messages = apps.get_model("notifications", "Message").objects.using(db)
    Booking = apps.get_model("booking", "Booking")
    Ticket = apps.get_model("queueing", "Ticket")
    booking_type, ticket_type = _types(apps, db)
    messages.filter(
        subject_type=booking_type, subject_id__in=Booking.objects.using(db).values("pk")
    ).update(booking_id=F("subject_id"))
    tickets = Ticket.objects.using(db)
    messages.filter(subject_type=ticket_type, subject_id__in=tickets.values("pk")).update(
        ticket_id=F("subject_id"),
        booking_id=Subquery(tickets.filter(pk=OuterRef("subject_id")).values("booking_id")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0010_booking_manage_token_version"),
        ("queueing", "0004_kiosk_devices"),
        ("notifications", "0009_message_subject"),
    ]

    operations = [migrations.RunPython(links_to_subject, subject_to_links)]
