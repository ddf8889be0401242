"""The citizen's booking flows, one service each, shared by the pages
(booking/views/booking_flow.py, manage.py, waitlist.py) and the API (booking/api/):

- start: the abuse limits, then the hold and its first code (`booking_start`);
- a new code for a hold (`code_resend`);
- confirm with the code (`booking.services.booking.code_verify`);
- find a booking by its code and a secret (`booking_lookup`);
- cancel and reschedule (`booking.services.booking.booking_cancel`, `booking_reschedule`).

The edges only parse input (forms, serializers), find the hold or booking the request
may act on (the session on a page, a token in the API), and answer (redirects, JSON,
idempotent replays). Rate limits and the challenge count requests in the cache, so they
are checked here before any transaction, never inside the deadlock retry: a retried
transaction does not count twice."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest

from booking.models import Booking, BookingStatus, VerificationCode
from booking.services.booking import (
    CitizenDetails,
    booking_find,
    booking_hold_and_send_code,
    code_send,
)
from core import personal_data
from core.challenge import challenge_gate
from core.ratelimit import client_ip, rate_limit, rate_limit_code_send


@dataclass(frozen=True)
class Caller:
    """The request a flow counts against the abuse limits: its client address is the
    rate-limit bucket. `challenge_token` and `challenge_solution` are its answer to a
    challenge (core.challenge), which the edge reads from the form or the headers."""

    request: HttpRequest
    challenge_token: str = ""
    challenge_solution: str = ""


def hold_limits_check(*, caller: Caller, nik: str) -> None:
    """What every request that would hold a place passes first (a hold, joining a
    waiting list): the challenge beyond the soft per-address limit, then the hard limits
    per address and per NIK (keyed hash, never the NIK itself)."""
    request = caller.request
    challenge_gate(request, token=caller.challenge_token, solution=caller.challenge_solution)
    rate_limit(
        request, group="hold-ip", key=client_ip(request), rate=settings.GILIRAN_RATE_HOLD_PER_IP
    )
    rate_limit(
        request,
        group="hold-nik",
        key=personal_data.keyed_hash(nik),
        rate=settings.GILIRAN_RATE_HOLD_PER_NIK,
    )


def booking_start(*, caller: Caller, slot_id: int, details: CitizenDetails, source: str) -> Booking:
    """Hold a place in `slot_id` and send its first one-time code: the limits are
    checked, then the hold is claimed and the code sent in one transaction
    (`booking_hold_and_send_code`, which also runs it again after a deadlock)."""
    hold_limits_check(caller=caller, nik=details.nik)
    # Before the claim: a refused code must not leave a place held (finding 4).
    rate_limit_code_send(caller.request, contact=details.phone or details.email)
    return booking_hold_and_send_code(slot_id=slot_id, details=details, source=source)


def code_resend(*, caller: Caller, booking: Booking) -> VerificationCode:
    """A new one-time code for a hold, within the per-address and per-contact limits
    on sending codes; the previous code stops working."""
    rate_limit_code_send(caller.request, contact=booking.phone or booking.email)
    return code_send(booking=booking)


def booking_lookup(*, caller: Caller, code: str, secret: str) -> Booking | None:
    """The booking with this code, if `secret` proves the caller's claim to it (see
    `booking_find`, which also locks a code after too many wrong secrets). A hold or an
    expired hold is nobody's booking yet: None, as for a wrong secret."""
    request = caller.request
    rate_limit(
        request,
        group="lookup-ip",
        key=client_ip(request),
        rate=settings.GILIRAN_RATE_LOOKUP_PER_IP,
    )
    booking = booking_find(code=code, secret=secret)
    if booking is None or booking.status in (BookingStatus.HELD, BookingStatus.EXPIRED):
        return None
    return booking
