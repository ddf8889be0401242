"""The citizen's booking flows, one service each, shared by the pages
(booking/views/booking_flow.py, manage.py, waitlist.py) and the API (booking/api/):

- start: the abuse limits, then the hold and its first code (`booking_start`);
- a new code for a hold (`code_resend`);
- confirm with the code (`booking.services.booking.code_verify`);
- find a booking by its code and a secret (`booking_lookup`);
- cancel and reschedule (`booking.services.booking.booking_cancel`, `booking_reschedule`);
- the same for a chat, which has no HTTP request (`booking_start_for_chat`,
  `code_resend_for_chat`, `booking_lookup_for_chat`), and the one-time code a chat must
  also show before it changes a confirmed booking (`owner_code_send`, `owner_code_verify`).

The edges only parse input (forms, serializers), find the hold or booking the request
may act on (the session on a page, a token in the API), and answer (redirects, JSON,
idempotent replays). Rate limits and the challenge count requests in the cache, so they
are checked here before any transaction, never inside the deadlock retry: a retried
transaction does not count twice."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booking.messages import BookingMessageKind
from booking.models import Booking, BookingStatus, Channel, VerificationCode
from booking.one_time_codes import one_time_code_clean, one_time_code_new
from booking.selectors.availability import booking_window, days_availability
from booking.services.booking import (
    CitizenDetails,
    booking_find,
    booking_hold_and_send_code,
    code_send,
)
from core import personal_data
from core.challenge import challenge_gate
from core.client_marks import client_mark
from core.errors import ApplicationError
from core.message_budget import message_budget_spend
from core.ratelimit import client_ip, rate_limit, rate_limit_code_send
from notifications.services.outbox import Recipient, message_queue
from offices.models import OfficeService
from releases.rooms import Pass, admission_check, room_for, room_sold_out


@dataclass(frozen=True)
class Caller:
    """The request a flow counts against the abuse limits: its client address is the
    rate-limit bucket. `challenge_token` and `challenge_solution` are its answer to a
    challenge (core.challenge), which the edge reads from the form or the headers."""

    request: HttpRequest
    challenge_token: str = ""
    challenge_solution: str = ""
    # What the caller shows at a release's waiting room gate (releases.rooms): the
    # signed admission and the ticket it was issued to. Empty outside a release.
    admission: str = ""
    ticket: str = ""


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
    (`booking_hold_and_send_code`, which also runs it again after a deadlock). The hold
    records the caller's network and device (core/client_marks.py) for the anti-calo
    report."""
    hold_limits_check(caller=caller, nik=details.nik)
    # Before the claim: a refused code must not leave a place held (finding 4).
    rate_limit_code_send(caller.request, contact=details.phone or details.email)
    gate = waiting_room_gate(
        slot_id=slot_id, nik=details.nik, admission=caller.admission, ticket=caller.ticket
    )
    try:
        return booking_hold_and_send_code(
            slot_id=slot_id,
            details=details,
            source=source,
            client=client_mark(caller.request),
        )
    except ApplicationError as refused:
        gate.give_back()  # a hold that failed has not used the citizen's turn
        if refused.code == "slot_full":
            release_sold_out_check(slot_id=slot_id, now=timezone.now())
        raise
    except BaseException:
        gate.give_back()
        raise


def release_sold_out_check(
    *, now: datetime, office_service: OfficeService | None = None, slot_id: int | None = None
) -> None:
    """While a release's waiting room is open, when no day of the booking window has a
    free place left, tell the room (releases.rooms.room_sold_out): the citizens still in
    line hear it at once instead of waiting for nothing. Asked when a hold finds its
    time taken and when a calendar or the API shows full days; reads the cached
    availability, so it costs little."""
    if office_service is None:
        office_service = (
            OfficeService.objects.select_related("office", "service").filter(slots=slot_id).first()
        )
    if office_service is None or room_for(office_service, now) is None:
        return
    window = booking_window(office_service, now)
    days = days_availability(office_service, window.first_day, window.last_day, now)
    if not any(day.status == "available" for day in days):
        room_sold_out(office_service=office_service, now=now)


def waiting_room_gate(
    *, slot_id: int, nik: str, admission: str, ticket: str, now: datetime | None = None
) -> Pass:
    """While a release's waiting room is open for the slot's office-service, only an
    admitted citizen may hold (releases.rooms.admission_check spends the admission). A
    chat cannot wait in the room, so it shows none and is sent to the room's page."""
    office_service = (
        OfficeService.objects.select_related("office", "service").filter(slots=slot_id).first()
    )
    if office_service is None:
        return Pass()  # the hold answers slot_not_found
    return admission_check(
        office_service=office_service,
        nik=nik,
        admission=admission,
        ticket=ticket,
        now=now or timezone.now(),
    )


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


# --- The same flows for a chat (assistant): no HTTP request ------------------------------
#
# A chat message has no client address and cannot show a challenge. What the page counts
# per client address is counted per chat user instead (`limit_key`: the assistant's keyed
# hash of the channel user, never an address), at the same rates; the limits per NIK and
# per contact are the same buckets as the web's, so a citizen cannot double them by
# switching between page and chat.


def _chat_code_limits(*, limit_key: str, contact: str) -> None:
    rate_limit(None, group="code-chat", key=limit_key, rate=settings.GILIRAN_RATE_CODE_PER_IP)
    rate_limit(
        None,
        group="code-contact",
        key=personal_data.keyed_hash(contact),
        rate=settings.GILIRAN_RATE_CODE_PER_CONTACT,
    )


def booking_start_for_chat(
    *, limit_key: str, slot_id: int, details: CitizenDetails, source: str, now: datetime | None
) -> Booking:
    """`booking_start` for a chat: the hold limits per chat user (GILIRAN_RATE_HOLD_PER_IP's
    rate) and per NIK, the code limits per chat user and per contact, then the hold and
    its first code in one transaction. The holds-per-NIK and per-contact caps of
    `booking_hold` apply as on the web."""
    rate_limit(None, group="hold-chat", key=limit_key, rate=settings.GILIRAN_RATE_HOLD_PER_IP)
    rate_limit(
        None,
        group="hold-nik",
        key=personal_data.keyed_hash(details.nik),
        rate=settings.GILIRAN_RATE_HOLD_PER_NIK,
    )
    _chat_code_limits(limit_key=limit_key, contact=details.phone or details.email)
    waiting_room_gate(slot_id=slot_id, nik=details.nik, admission="", ticket="", now=now)
    return booking_hold_and_send_code(slot_id=slot_id, details=details, source=source, now=now)


def code_resend_for_chat(
    *, limit_key: str, booking: Booking, now: datetime | None
) -> VerificationCode:
    """`code_resend` for a chat."""
    _chat_code_limits(limit_key=limit_key, contact=booking.phone or booking.email)
    return code_send(booking=booking, now=now)


def booking_lookup_for_chat(
    *, limit_key: str, code: str, secret: str, now: datetime | None
) -> Booking | None:
    """`booking_lookup` for a chat: counted per chat user at GILIRAN_RATE_LOOKUP_PER_IP's
    rate, and against the code's own lockout (`booking_find`)."""
    rate_limit(None, group="lookup-chat", key=limit_key, rate=settings.GILIRAN_RATE_LOOKUP_PER_IP)
    booking = booking_find(code=code, secret=secret, now=now)
    if booking is None or booking.status in (BookingStatus.HELD, BookingStatus.EXPIRED):
        return None
    return booking


def _owner_code_hash(booking_id: int, code: str) -> str:
    # Its own prefix: an owner's code can never confirm a hold or prove a privacy request.
    return personal_data.keyed_hash(f"owner:{booking_id}:{code}")


def owner_code_send(
    *, limit_key: str, booking: Booking, now: datetime | None = None
) -> VerificationCode:
    """A one-time code to the contact a confirmed booking was made with, so that a chat
    that knows the booking code and the last NIK digits must also hold that phone or
    mailbox before cancelling or moving it (a page has the browser session the lookup
    made; a chat has nothing comparable). A `VerificationCode` row of the booking keeps
    its keyed hash; the message says what the code is for (`owner_code`). Counted
    against the code limits per chat user and per contact, and the message budget."""
    now = now or timezone.now()
    if booking.channel == Channel.NONE:
        raise ApplicationError(
            "no_contact",
            _("This booking has no phone number or email for a code. Please contact the office."),
            status_code=409,
        )
    contact = booking.email if booking.channel == Channel.EMAIL else booking.phone
    _chat_code_limits(limit_key=limit_key, contact=contact)
    code = one_time_code_new()
    with transaction.atomic():
        message_budget_spend(channel=booking.channel, phone=booking.phone, now=now)
        record = VerificationCode.objects.create(
            booking=booking,
            code_hash=_owner_code_hash(booking.pk, code),
            channel=booking.channel,
            expires_at=now + timedelta(minutes=settings.GILIRAN_CODE_MINUTES),
        )
        message_queue(
            kind=BookingMessageKind.OWNER_CODE,
            dedup_key=f"booking:{booking.pk}:owner-code:{record.pk}",
            recipient=Recipient(
                channel=booking.channel, address=contact, language=booking.language
            ),
            context={
                "code": code,
                "reference": booking.code,
                "minutes": settings.GILIRAN_CODE_MINUTES,
            },
            office=booking.slot.office_service.office,
            subject=booking,
            stale_after=record.expires_at,
        )
    return record


def owner_code_verify(
    *, booking: Booking, code_id: int, code: str, now: datetime | None = None
) -> None:
    """Check an owner's code sent by `owner_code_send` (record `code_id`); it works once,
    and its attempts are counted before the comparison as for a hold's code."""
    now = now or timezone.now()
    code = one_time_code_clean(code)  # a typing slip does not use up an attempt
    record = VerificationCode.objects.filter(pk=code_id, booking=booking).first()
    if record is None or record.used_at is not None or record.expires_at <= now:
        raise ApplicationError(
            "code_expired", _("This code has expired. Ask for a new one."), status_code=410
        )
    counted = VerificationCode.objects.filter(
        pk=record.pk, used_at__isnull=True, attempts__lt=settings.GILIRAN_CODE_ATTEMPTS
    ).update(attempts=F("attempts") + 1)
    if not counted:
        raise ApplicationError(
            "too_many_attempts", _("Too many wrong codes. Ask for a new code."), status_code=429
        )
    if not hmac.compare_digest(record.code_hash, _owner_code_hash(booking.pk, code)):
        left = settings.GILIRAN_CODE_ATTEMPTS - record.attempts - 1
        message = _("That code is not right. %(left)d attempts left.") % {"left": left}
        raise ApplicationError("wrong_code", message, fields={"code": [message]})
    if not VerificationCode.objects.filter(pk=record.pk, used_at__isnull=True).update(used_at=now):
        raise ApplicationError("code_used", _("This code has already been used."), status_code=409)
