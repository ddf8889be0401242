"""What each message to a citizen says and when it is due: bookings, reminders,
tickets and the waiting list. Every function here queues outbox rows (see
notifications/services/outbox.py) and must be called inside the transaction whose
change the message reports; nothing is sent before that transaction commits.

Contexts are built here, in the citizen's language, with times in the office's zone
and its name (WIB, WITA, WIT), so delivery only fills a template."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from booking.documents import booking_ics
from booking.models import Booking, BookingStatus, Channel
from booking.tokens import manage_token
from core.templatetags.giliran import office_datetime
from notifications.models import Message, MessageKind
from notifications.services.outbox import (
    ATTACHMENTS,
    SEND_CONTEXT,
    Facts,
    Recipient,
    message_queue,
    relevance_check,
)
from queueing.models import Ticket, TicketStatus


def _url(path: str) -> str:
    return settings.GILIRAN_SITE_URL + path


def booking_recipient(booking: Booking) -> Recipient | None:
    """None for a citizen booked at the office without phone or email."""
    if booking.channel == Channel.NONE:
        return None
    address = booking.email if booking.channel == Channel.EMAIL else booking.phone
    return Recipient(channel=booking.channel, address=address, language=booking.language)


def booking_context(booking: Booking) -> dict[str, Any]:
    """Call with the citizen's language active."""
    slot = booking.slot
    office = slot.office_service.office
    service = slot.office_service.service
    return {
        "reference": booking.code,
        "booking_code": booking.code,
        "service": service.name,
        "office": office.name,
        "address": office.address,
        "when": office_datetime(slot.starts_at, office.timezone),
        "slot_id": slot.pk,
        "requirements": service.requirements,
    }


def manage_url(booking: Booking) -> str:
    """A signed link to manage the booking, minted when a message is sent and never
    stored (booking.tokens)."""
    path = reverse("booking-detail", kwargs={"code": booking.code})
    return _url(f"{path}?t={manage_token(booking)}")


def _manage_link(message: Message, facts: Facts) -> dict[str, Any]:
    booking = facts.bookings.get(message.booking_id or 0)
    return {"manage_url": manage_url(booking)} if booking is not None else {}


for _kind in (
    MessageKind.CONFIRMED, MessageKind.RESCHEDULED, MessageKind.MOVED,
    MessageKind.REMINDER_DAY_BEFORE, MessageKind.REMINDER_SOON,
):  # fmt: skip
    SEND_CONTEXT[_kind] = _manage_link


def booking_message_send(
    *,
    booking: Booking,
    kind: str,
    context: dict[str, Any] | None = None,
    occasion: str = "",
    due_at: datetime | None = None,
    stale_after: datetime | None = None,
) -> Message | None:
    """Queue message `kind` about this booking. `occasion` tells apart messages of one
    kind that may each happen once (the n-th code, a move to slot 42)."""
    recipient = booking_recipient(booking)
    if recipient is None:
        return None
    with translation.override(recipient.language):
        full_context = {**booking_context(booking), **(context or {})}
    return message_queue(
        kind=kind,
        dedup_key=f"booking:{booking.pk}:{kind}:{occasion}",
        recipient=recipient,
        context=full_context,
        office=booking.slot.office_service.office,
        booking=booking,
        due_at=due_at,
        stale_after=stale_after,
    )


def booking_reminders_queue(*, booking: Booking, now: datetime) -> list[Message]:
    """The day-before and shortly-before reminders for the booking's current slot.

    A reminder whose moment has already passed is not queued: the confirmation the
    citizen just received says the same, more recently. Rows are keyed by slot, so a
    moved booking gets new reminders and the old ones are skipped at delivery."""
    slot = booking.slot
    zone = slot.office_service.office.zone
    moments: list[tuple[str, datetime]] = []
    if settings.GILIRAN_REMINDER_DAY_BEFORE_AT:
        at = time.fromisoformat(settings.GILIRAN_REMINDER_DAY_BEFORE_AT)
        day_before = datetime.combine(slot.local_date - timedelta(days=1), at, tzinfo=zone)
        moments.append((MessageKind.REMINDER_DAY_BEFORE, day_before))
    if settings.GILIRAN_REMINDER_BEFORE_MINUTES:
        soon = slot.starts_at - timedelta(minutes=settings.GILIRAN_REMINDER_BEFORE_MINUTES)
        moments.append((MessageKind.REMINDER_SOON, soon))
    queued = []
    for kind, due in moments:
        if due <= now:
            continue
        message = booking_message_send(
            booking=booking, kind=kind, occasion=str(slot.pk), due_at=due,
            stale_after=slot.starts_at,
        )  # fmt: skip
        if message:
            queued.append(message)
    return queued


@relevance_check(MessageKind.REMINDER_DAY_BEFORE, MessageKind.REMINDER_SOON)
def _reminder_still_relevant(message: Message, facts: Facts) -> str | None:
    booking_id = message.booking_id or 0
    if facts.booking_status.get(booking_id) != BookingStatus.CONFIRMED:
        return "the booking is no longer confirmed"
    if facts.booking_slot.get(booking_id) != message.context.get("slot_id"):
        return "the booking has moved to another time"
    return None


@relevance_check(MessageKind.CODE, MessageKind.WAITLIST_OFFER)
def _hold_still_open(message: Message, facts: Facts) -> str | None:
    status = facts.booking_status.get(message.booking_id or 0)
    return None if status == BookingStatus.HELD else "the hold has ended"


def _booking_calendar(message: Message) -> tuple[tuple[str, str, str], ...]:
    booking = (
        Booking.objects.select_related(
            "slot__office_service__office", "slot__office_service__service"
        )
        .filter(messages=message)
        .first()
    )
    if booking is None:
        return ()
    ics = booking_ics(booking, manage_url=manage_url(booking))
    return ((f"giliran-{booking.code}.ics", ics.decode(), "text/calendar"),)


ATTACHMENTS[MessageKind.CONFIRMED] = _booking_calendar
ATTACHMENTS[MessageKind.RESCHEDULED] = _booking_calendar


# --- tickets ---------------------------------------------------------------------------


def ticket_recipient(ticket: Ticket) -> Recipient | None:
    """An appointment's ticket reaches the citizen as their booking does; a walk-in's
    only if they left a phone number or email when taking it."""
    if ticket.booking is not None:
        return booking_recipient(ticket.booking)
    if ticket.contact_email:
        return Recipient(channel=Channel.EMAIL, address=ticket.contact_email,
                         language=ticket.language)  # fmt: skip
    if ticket.contact_phone:
        return Recipient(channel=Channel.SMS, address=ticket.contact_phone,
                         language=ticket.language)  # fmt: skip
    return None


def ticket_message_send(
    *, ticket: Ticket, kind: str, context: dict[str, Any] | None = None, occasion: str = "",
    stale_after: datetime | None = None,
) -> Message | None:  # fmt: skip
    recipient = ticket_recipient(ticket)
    if recipient is None:
        return None
    office = ticket.office
    with translation.override(recipient.language):
        full_context = {
            "reference": ticket.display_number,
            "number": ticket.display_number,
            "office": office.name,
            "service": ticket.office_service.service.name,
            "live_url": _url(reverse("ticket-live", kwargs={"token": ticket.public_token})),
            **(context or {}),
        }
    return message_queue(
        kind=kind,
        dedup_key=f"ticket:{ticket.pk}:{kind}:{occasion}",
        recipient=recipient,
        context=full_context,
        office=office,
        booking=ticket.booking,
        ticket=ticket,
        stale_after=stale_after,
    )


@relevance_check(MessageKind.TURN_NEAR)
def _still_waiting(message: Message, facts: Facts) -> str | None:
    status = facts.ticket_status.get(message.ticket_id or 0)
    return None if status == TicketStatus.WAITING else "the ticket is no longer waiting"


@relevance_check(MessageKind.CALLED)
def _still_called(message: Message, facts: Facts) -> str | None:
    status = facts.ticket_status.get(message.ticket_id or 0)
    return None if status == TicketStatus.CALLED else "the citizen is no longer being called"


def called_stale_after(now: datetime) -> datetime:
    """A call announced later than this is no use: the counter has moved on."""
    return now + timedelta(minutes=10)
