"""Which bookings this browser may see: remembered in the session after the citizen
proved who they are (confirmed it here, looked it up, or followed a signed link).

A grant is for the booking's current `manage_token_version`: revoking its manage
tokens (booking.tokens.manage_tokens_revoke) ends the grants too, and a citizen who
changes the booking in this browser is granted the new version by the change."""

from __future__ import annotations

from django.http import HttpRequest

from booking.models import Booking

HOLD_KEY = "giliran_hold"
BOOKINGS_KEY = "giliran_booking_grants"


def remember_booking(request: HttpRequest, booking: Booking) -> None:
    grants = request.session.get(BOOKINGS_KEY, {})
    grants = dict(grants) if isinstance(grants, dict) else {}
    grants.pop(str(booking.pk), None)
    grants[str(booking.pk)] = booking.manage_token_version
    request.session[BOOKINGS_KEY] = dict(list(grants.items())[-20:])
    request.session.cycle_key()  # a new session id whenever it gains access


def may_see(request: HttpRequest, booking: Booking) -> bool:
    grants = request.session.get(BOOKINGS_KEY, {})
    return isinstance(grants, dict) and grants.get(str(booking.pk)) == booking.manage_token_version
