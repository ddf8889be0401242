"""Which bookings this browser may see: remembered in the session after the citizen
proved who they are (confirmed it here, looked it up, or followed a signed link)."""

from __future__ import annotations

from django.http import HttpRequest

HOLD_KEY = "giliran_hold"
BOOKINGS_KEY = "giliran_bookings"


def remember_booking(request: HttpRequest, booking_id: int) -> None:
    allowed = set(request.session.get(BOOKINGS_KEY, []))
    allowed.add(booking_id)
    request.session[BOOKINGS_KEY] = sorted(allowed)[-20:]
    request.session.cycle_key()  # a new session id whenever it gains access


def may_see(request: HttpRequest, booking_id: int) -> bool:
    return booking_id in request.session.get(BOOKINGS_KEY, [])
