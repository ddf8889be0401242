"""Check-in: today's confirmed booking becomes a ticket, inside its check-in window."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from booking.models import Booking, BookingStatus, Slot
from core.errors import ApplicationError
from core.timezones import format_local_time
from offices.models import Office
from queueing.models import Ticket, TicketSource
from queueing.services.common import office_today
from queueing.services.issue import ticket_issue


def _unknown_booking() -> ApplicationError:
    return ApplicationError(
        "unknown_booking",
        _(
            "No confirmed booking at this office has this code. Check the code and the "
            "office in your booking message, or ask the staff."
        ),
        status_code=409,
    )


def check_in_window(slot: Slot) -> tuple[datetime, datetime]:
    """When a booking of this slot checks in: from the office-service's
    `checkin_opens_minutes` before the start to `checkin_closes_minutes` after it (a
    later arrival is a late one). Needs `slot.office_service` (select it with the slot)."""
    office_service = slot.office_service
    return (
        slot.starts_at - timedelta(minutes=office_service.checkin_opens_minutes),
        slot.starts_at + timedelta(minutes=office_service.checkin_closes_minutes),
    )


def _not_confirmed(booking: Booking, office: Office) -> ApplicationError:
    """Why this office's booking that is not confirmed cannot be checked in. Only the
    booking's state and the date it was cancelled are said: nothing about the person."""
    if booking.status == BookingStatus.CANCELLED:
        if booking.cancelled_at is None:
            message = str(
                _("This booking was cancelled. Please take a walk-in number or book again.")
            )
        else:
            message = _(
                "This booking was cancelled on %(day)s. Please take a walk-in number or book again."
            ) % {"day": date_format(booking.cancelled_at.astimezone(office.zone), "j F Y")}
        return ApplicationError("booking_cancelled", message, status_code=409)
    return ApplicationError(
        "booking_not_confirmed",
        _(
            "This booking was never confirmed with its one-time code, so it cannot be "
            "checked in. Please take a walk-in number or book again."
        ),
        status_code=409,
    )


def _another_day(
    booking: Booking, today: date, opens: datetime, office: Office
) -> ApplicationError:
    """A booking of this office for another day: its day is said, so the citizen sees at
    once that they came on the wrong day."""
    if booking.slot.local_date < today:
        return ApplicationError(
            "booking_past",
            _(
                "This booking was for %(day)s. That day has passed: please take a walk-in "
                "number or book again."
            )
            % {"day": date_format(booking.slot.local_date, "l, j F Y")},
            status_code=409,
        )
    return ApplicationError(
        "too_early",
        _("This booking is for %(day)s. Check-in opens that day at %(time)s.")
        % {
            "day": date_format(booking.slot.local_date, "l, j F Y"),
            "time": format_local_time(opens, office.zone),
        },
        status_code=409,
    )


def check_in(
    *, office: Office, code: str, now: datetime | None = None, staff: User | None = None
) -> Ticket:
    """Turn today's confirmed booking into a ticket, inside its check-in window. A late
    arrival becomes a walk-in or is refused, as the office-service says."""
    now = now or timezone.now()
    booking = (
        Booking.objects.select_related(
            "slot__office_service__office", "slot__office_service__service"
        )
        .filter(code="".join(code.split()).upper())
        .first()
    )
    # A code unknown here and any code of another office, whatever its state or time
    # there, get one and the same answer: a kiosk or counter of this office learns
    # nothing about bookings elsewhere. Only this office's bookings are told apart.
    if booking is None or booking.slot.office_service.office_id != office.pk:
        raise _unknown_booking()
    if booking.status == BookingStatus.ATTENDED:
        raise ApplicationError(
            "already_checked_in", _("This booking is already checked in."), status_code=409
        )
    if booking.status == BookingStatus.NO_SHOW:
        raise ApplicationError(
            "released_as_no_show",
            _(
                "Check-in for this booking has closed and its place was released. "
                "Please take a walk-in number."
            ),
            status_code=409,
        )
    if booking.status != BookingStatus.CONFIRMED:
        raise _not_confirmed(booking, office)
    office_service = booking.slot.office_service
    if Ticket.objects.filter(booking=booking).exists():
        raise ApplicationError(
            "already_checked_in", _("This booking is already checked in."), status_code=409
        )
    opens, closes = check_in_window(booking.slot)
    local_day = office_today(office, now).date()
    if booking.slot.local_date != local_day:
        raise _another_day(booking, local_day, opens, office)
    if now < opens:
        raise ApplicationError(
            "too_early",
            _("Check-in for this booking opens at %(time)s on its day.")
            % {"time": format_local_time(opens, office.zone)},
            status_code=409,
        )
    source, booked = TicketSource.APPOINTMENT, booking
    if now > closes:
        if office_service.late_arrival != "walk_in":
            raise ApplicationError(
                "too_late",
                _("Check-in for this booking closed at %(time)s.")
                % {"time": format_local_time(closes, office.zone)},
                status_code=409,
            )
        source = TicketSource.STAFF if staff else TicketSource.KIOSK
    try:
        with transaction.atomic():
            if not Booking.objects.filter(pk=booking.pk, status=BookingStatus.CONFIRMED).update(
                status=BookingStatus.ATTENDED
            ):
                raise ApplicationError(
                    "already_checked_in", _("This booking is already checked in."), status_code=409
                )
            return ticket_issue(
                office_service=office_service,
                source=source,
                now=now,
                booking=booked,
                priority_group=booking.priority_group,
                staff=staff,
                contact_phone=booking.phone,
                contact_email=booking.email,
                language=booking.language,
            )
    except IntegrityError:
        raise ApplicationError(
            "already_checked_in", _("This booking is already checked in."), status_code=409
        ) from None
