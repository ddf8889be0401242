"""The one interface for messages to citizens: message_send(booking=…, kind=…).

Messages go out after the surrounding transaction commits, in the citizen's language,
with times in the office's zone. Email goes through Django's email backend (with the
.ics for confirmations); SMS and WhatsApp get their HTTP gateways in the next issue,
and until then go to the console channel in development only."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from booking.documents import booking_ics
from booking.models import Booking, Channel
from booking.tokens import manage_token

logger = logging.getLogger("giliran.messages")

KINDS = ("code", "confirmed", "cancelled", "rescheduled")


def message_send(*, booking: Booking, kind: str, context: dict[str, Any] | None = None) -> None:
    """Queue message `kind` for the booking's citizen; it leaves when the transaction commits."""
    assert kind in KINDS, kind
    extra = dict(context or {})
    transaction.on_commit(lambda: _deliver(booking.pk, kind, extra))


def _deliver(booking_id: int, kind: str, extra: dict[str, Any]) -> None:
    booking = Booking.objects.select_related(
        "slot__office_service__office", "slot__office_service__service"
    ).get(pk=booking_id)
    with translation.override(booking.language):
        context = _context(booking, extra)
        subject = render_to_string(f"notifications/{kind}_subject.txt", context).strip()
        text = render_to_string(f"notifications/{kind}.txt", context).strip()
        channel = (
            booking.channel if booking.channel != Channel.EMAIL or booking.email else Channel.SMS
        )
        if channel == Channel.NONE or not (booking.phone or booking.email):
            return  # booked at the office by staff for a citizen without phone or email
        if channel == Channel.EMAIL:
            _send_email(booking, kind, subject, text, context)
        elif settings.GILIRAN_CONSOLE_MESSAGES:
            logger.info("[%s to %s] %s", channel, booking.phone, text)
        elif booking.email:
            _send_email(booking, kind, subject, text, context)
        else:
            logger.error(
                "No gateway for %s; message %s for booking %s not sent", channel, kind, booking.code
            )


def _context(booking: Booking, extra: dict[str, Any]) -> dict[str, Any]:
    slot = booking.slot
    office = slot.office_service.office
    return {
        "booking": booking,
        "slot": slot,
        "office": office,
        "service": slot.office_service.service,
        "manage_url": settings.GILIRAN_SITE_URL
        + reverse("booking-detail", kwargs={"code": booking.code})
        + "?t="
        + manage_token(booking.pk),
        **extra,
    }


def _send_email(
    booking: Booking, kind: str, subject: str, text: str, context: dict[str, Any]
) -> None:
    message = EmailMultiAlternatives(subject=subject, body=text, to=[booking.email])
    message.attach_alternative(
        render_to_string("notifications/email.html", {**context, "text": text}), "text/html"
    )
    if kind in ("confirmed", "rescheduled"):
        ics = booking_ics(booking, manage_url=context["manage_url"])
        message.attach(f"giliran-{booking.code}.ics", ics, "text/calendar")
    message.send()
