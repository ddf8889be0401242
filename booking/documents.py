"""Files a citizen takes away: the calendar entry (.ics) and the QR code of the booking."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import qrcode
import qrcode.image.svg
from icalendar import Alarm, Calendar, Event, vText

from booking.models import Booking


def booking_ics(booking: Booking, *, manage_url: str) -> bytes:
    slot = booking.slot
    office = slot.office_service.office
    service = slot.office_service.service
    calendar = Calendar()
    calendar.add("prodid", "-//Giliran//giliran//ID")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{booking.code}@giliran")
    event.add("dtstamp", datetime.now(UTC))
    event.add("dtstart", slot.starts_at.astimezone(UTC))
    event.add("dtend", slot.ends_at.astimezone(UTC))
    event.add("summary", f"{service.name} · {office.name} ({booking.code})")
    event.add("location", vText(f"{office.name}, {office.address}, {office.regency}"))
    event.add("geo", (float(office.latitude), float(office.longitude)))
    checklist = "\n".join(f"- {item}" for item in service.requirements)
    event.add("description", f"{booking.code}\n\n{checklist}\n\n{manage_url}")
    event.add("url", manage_url)
    reminder = Alarm()
    reminder.add("action", "DISPLAY")
    reminder.add("description", f"{service.name} · {office.name}")
    reminder.add("trigger", timedelta(hours=-2))
    event.add_component(reminder)
    calendar.add_component(event)
    return calendar.to_ical()


def qr_svg(text: str) -> bytes:
    """An SVG QR code (no raster library needed, sharp at any print size)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=12, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


def booking_qr_svg(booking: Booking) -> bytes:
    """The booking code as a QR code, for the kiosk's camera at check-in."""
    return qr_svg(booking.code)
