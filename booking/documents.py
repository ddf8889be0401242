"""Files a citizen takes away: the calendar entry (.ics) and the QR code of the booking."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr

import qrcode
import qrcode.image.svg
from django.conf import settings
from icalendar import Alarm, Calendar, Event, vCalAddress, vText

from booking.models import Booking


def booking_ics(booking: Booking, *, manage_url: str) -> bytes:
    """The booking's calendar entry. While the booking is usable it is the event
    (METHOD:PUBLISH); once it is not (`Booking.usable`), it is the withdrawal of that
    same event: METHOD:CANCEL, STATUS:CANCELLED, the same UID and a higher SEQUENCE, so
    a calendar that holds the event drops it or marks it cancelled.

    SEQUENCE is the booking's `manage_token_version`, which every change (reschedule,
    cancel) raises; a withdrawal adds one, so it always outranks the last event sent."""
    slot = booking.slot
    office = slot.office_service.office
    service = slot.office_service.service
    calendar = Calendar()
    calendar.add("prodid", "-//Giliran//giliran//ID")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH" if booking.usable else "CANCEL")
    event = Event()
    event.add("uid", f"{booking.code}@giliran")
    event.add("sequence", booking.manage_token_version + (0 if booking.usable else 1))
    event.add("status", "CONFIRMED" if booking.usable else "CANCELLED")
    event.add("dtstamp", datetime.now(UTC))
    event.add("dtstart", slot.starts_at.astimezone(UTC))
    event.add("dtend", slot.ends_at.astimezone(UTC))
    event.add("organizer", _organizer(office.name))
    event.add("summary", f"{service.name} · {office.name} ({booking.code})")
    event.add("location", vText(f"{office.name}, {office.address}, {office.regency}"))
    event.add("geo", (float(office.latitude), float(office.longitude)))
    checklist = "\n".join(f"- {item}" for item in service.requirements)
    event.add("description", f"{booking.code}\n\n{checklist}\n\n{manage_url}")
    event.add("url", manage_url)
    if booking.usable:
        reminder = Alarm()
        reminder.add("action", "DISPLAY")
        reminder.add("description", f"{service.name} · {office.name}")
        reminder.add("trigger", timedelta(hours=-2))
        event.add_component(reminder)
    calendar.add_component(event)
    return calendar.to_ical()


def _organizer(office_name: str) -> vCalAddress:
    """The sender of the booking's messages, named after the office: iTIP (RFC 5546) asks
    for an ORGANIZER on a published event and on its cancellation, and calendars match a
    cancellation to the event by UID and organizer."""
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["cn"] = vText(office_name)
    return organizer


def qr_svg(text: str) -> bytes:
    """An SVG QR code (no raster library needed, sharp at any print size)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=12, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


def booking_qr_svg(booking: Booking) -> bytes:
    """The booking code as a QR code, for the kiosk's camera at check-in."""
    return qr_svg(booking.code)
