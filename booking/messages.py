"""What a citizen is told about their booking and when: codes, confirmations, reminders,
moves, cancellations, no-shows and the waiting list. Every function here queues outbox
rows (notifications/services/outbox.py) and must be called inside the transaction whose
change the message reports; nothing is sent before that transaction commits.

Contexts are built here, in the citizen's language, with times in the office's zone
and its name (WIB, WITA, WIT), so delivery only fills a template. What must be true at
delivery (the booking still confirmed, still at that time) and what is made only then
(the signed manage link, the calendar file) is registered with the outbox at the end
of this module, which BookingConfig.ready() imports."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from booking.documents import booking_ics
from booking.models import Booking, BookingStatus, Channel
from booking.tokens import manage_token
from core.templatetags.giliran import office_datetime
from notifications.models import Message
from notifications.registry import Attachment, message_kind_register, message_subject_register
from notifications.services.outbox import Recipient, message_queue


class BookingMessageKind(models.TextChoices):
    CODE = "code", _("One-time code")
    CONFIRMED = "confirmed", _("Booking confirmed")
    REMINDER_DAY_BEFORE = "reminder_day_before", _("Reminder the day before")
    REMINDER_SOON = "reminder_soon", _("Reminder shortly before")
    CANCELLED = "cancelled", _("Booking cancelled")
    RESCHEDULED = "rescheduled", _("Booking moved")
    MOVED = "moved", _("Booking moved by the office")
    NO_SHOW = "no_show", _("Missed appointment")
    WAITLIST_JOINED = "waitlist_joined", _("Joined the waiting list")
    WAITLIST_OFFER = "waitlist_offer", _("Freed place offered")
    LOOKUP_LOCKED = "lookup_locked", _("Booking look-up locked")
    OWNER_CODE = "owner_code", _("Code to change a booking")


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
    return f"{settings.GILIRAN_SITE_URL}{path}?t={manage_token(booking)}"


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
        subject=booking,
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
        moments.append((BookingMessageKind.REMINDER_DAY_BEFORE, day_before))
    if settings.GILIRAN_REMINDER_BEFORE_MINUTES:
        soon = slot.starts_at - timedelta(minutes=settings.GILIRAN_REMINDER_BEFORE_MINUTES)
        moments.append((BookingMessageKind.REMINDER_SOON, soon))
    queued = []
    for kind, due in moments:
        if due <= now:
            continue
        message = booking_message_send(
            booking=booking,
            kind=kind,
            occasion=str(slot.pk),
            due_at=due,
            stale_after=slot.starts_at,
        )
        if message:
            queued.append(message)
    return queued


# --- at delivery (registered below) ----------------------------------------------------


def _reminder_still_relevant(message: Message, booking: Booking | None) -> str | None:
    if booking is None or booking.status != BookingStatus.CONFIRMED:
        return "the booking is no longer confirmed"
    if booking.slot_id != message.context.get("slot_id"):
        return "the booking has moved to another time"
    return None


def _hold_still_open(message: Message, booking: Booking | None) -> str | None:
    held = booking is not None and booking.status == BookingStatus.HELD
    return None if held else "the hold has ended"


def _manage_link(message: Message, booking: Booking | None) -> dict[str, Any]:
    return {"manage_url": manage_url(booking)} if booking is not None else {}


def _booking_calendar(message: Message, booking: Booking | None) -> tuple[Attachment, ...]:
    if booking is None:
        return ()
    ics = booking_ics(booking, manage_url=manage_url(booking))
    return ((f"giliran-{booking.code}.ics", ics.decode(), "text/calendar"),)


Kind = BookingMessageKind
message_kind_register(Kind.CODE, subject=Booking, relevance=_hold_still_open, resendable=False)
message_kind_register(
    Kind.CONFIRMED, subject=Booking, at_delivery=_manage_link, attachments=_booking_calendar
)
for _reminder in (Kind.REMINDER_DAY_BEFORE, Kind.REMINDER_SOON):
    message_kind_register(
        _reminder, subject=Booking, relevance=_reminder_still_relevant, at_delivery=_manage_link
    )
# The cancellation carries the withdrawal of the calendar event the confirmation carried
# (booking.documents.booking_ics: same UID, METHOD:CANCEL), so the citizen's calendar drops it.
message_kind_register(Kind.CANCELLED, subject=Booking, attachments=_booking_calendar)
message_kind_register(
    Kind.RESCHEDULED, subject=Booking, at_delivery=_manage_link, attachments=_booking_calendar
)
message_kind_register(Kind.MOVED, subject=Booking, at_delivery=_manage_link)
message_kind_register(Kind.NO_SHOW, subject=Booking)
message_kind_register(Kind.WAITLIST_JOINED)  # about an entry, found by its dedup key
message_kind_register(Kind.WAITLIST_OFFER, subject=Booking, relevance=_hold_still_open)
message_kind_register(Kind.LOOKUP_LOCKED, subject=Booking)
message_kind_register(Kind.OWNER_CODE, subject=Booking, resendable=False)
message_subject_register(
    # What the hooks above read: the slot's office (reminders, links), its service (ics).
    Booking.objects.select_related("slot__office_service__office", "slot__office_service__service"),
    search=lambda term: Q(code=term),
)
