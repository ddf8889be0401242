"""What a citizen in the queue is told: their number, that their turn is near, that they
are called, and the survey after the visit. Every function here queues outbox rows
(notifications/services/outbox.py) inside the caller's transaction. What must still be
true at delivery (the ticket still waiting, still called) is registered with the outbox
at the end of this module, which QueueingConfig.ready() imports."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from booking.messages import booking_recipient
from booking.models import Channel
from notifications.models import Message
from notifications.registry import message_kind_register, message_subject_register
from notifications.services.outbox import Recipient, message_queue
from queueing.models import Ticket, TicketStatus


class TicketMessageKind(models.TextChoices):
    QUEUED = "queued", _("Queue number")
    TURN_NEAR = "turn_near", _("Almost your turn")
    CALLED = "called", _("Called to a counter")
    SURVEY = "survey", _("Satisfaction survey")


def ticket_recipient(ticket: Ticket) -> Recipient | None:
    """An appointment's ticket reaches the citizen as their booking does; a walk-in's
    only if they left a phone number or email when taking it."""
    if ticket.booking is not None:
        return booking_recipient(ticket.booking)
    if ticket.contact_email:
        return Recipient(
            channel=Channel.EMAIL, address=ticket.contact_email, language=ticket.language
        )
    if ticket.contact_phone:
        return Recipient(
            channel=Channel.SMS, address=ticket.contact_phone, language=ticket.language
        )
    return None


def ticket_message_send(
    *,
    ticket: Ticket,
    kind: str,
    context: dict[str, Any] | None = None,
    occasion: str = "",
    stale_after: datetime | None = None,
) -> Message | None:
    recipient = ticket_recipient(ticket)
    if recipient is None:
        return None
    office = ticket.office
    with translation.override(recipient.language):  # the links in their language too
        live_path = reverse("ticket-live", kwargs={"token": ticket.public_token})
        full_context = {
            "reference": ticket.display_number,
            "number": ticket.display_number,
            "office": office.name,
            "service": ticket.office_service.service.name,
            "live_url": settings.GILIRAN_SITE_URL + live_path,
            **(context or {}),
        }
    return message_queue(
        kind=kind,
        dedup_key=f"ticket:{ticket.pk}:{kind}:{occasion}",
        recipient=recipient,
        context=full_context,
        office=office,
        subject=ticket,
        stale_after=stale_after,
    )


def called_stale_after(now: datetime) -> datetime:
    """A call announced later than this is no use: the counter has moved on."""
    return now + timedelta(minutes=10)


# --- at delivery (registered below) ----------------------------------------------------


def _still_waiting(message: Message, ticket: Ticket | None) -> str | None:
    waiting = ticket is not None and ticket.status == TicketStatus.WAITING
    return None if waiting else "the ticket is no longer waiting"


def _still_called(message: Message, ticket: Ticket | None) -> str | None:
    called = ticket is not None and ticket.status == TicketStatus.CALLED
    return None if called else "the citizen is no longer being called"


message_kind_register(TicketMessageKind.QUEUED, subject=Ticket)
message_kind_register(TicketMessageKind.TURN_NEAR, subject=Ticket, relevance=_still_waiting)
message_kind_register(TicketMessageKind.CALLED, subject=Ticket, relevance=_still_called)
message_kind_register(TicketMessageKind.SURVEY, subject=Ticket)
message_subject_register(
    # Only the status is read at delivery.
    Ticket.objects.only("pk", "status"),
    # A booking code finds the messages of its ticket too, as it finds the booking's.
    search=lambda term: Q(booking__code=term),
)
