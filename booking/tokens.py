"""Signed manage tokens: they let a link in a message (or an API client that confirmed
or looked a booking up) manage one booking, without any personal data in the URL.

Nothing stores them: they are minted when a response or a message is rendered, from
the booking's id, its `manage_token_version` and an expiry, and checked by signature.

- Revocable, tied to the booking's state: cancelling, rescheduling, a lookup lockout or
  an explicit revoke bump the version (`manage_tokens_revoke`), which ends every token
  (and every browser session grant) issued before. A token of a cancelled or finished
  booking can still show it, but the services refuse to change it.
- Short-lived: valid until the end of the booking's day in the office's zone plus
  GILIRAN_MANAGE_TOKEN_MARGIN_HOURS, and never longer than
  GILIRAN_MANAGE_TOKEN_MAX_DAYS from issue. A booking further ahead gets a fresh link
  with each message (the reminders), minted as they are sent."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.conf import settings
from django.core import signing
from django.db.models import F
from django.utils import timezone

from booking.models import Booking

SALT = "giliran.booking.manage.v2"


def token_expiry(booking: Booking, now: datetime) -> datetime:
    slot = booking.slot
    zone = slot.office_service.office.zone
    day_end = datetime.combine(slot.local_date + timedelta(days=1), time(0), tzinfo=zone)
    end = day_end + timedelta(hours=settings.GILIRAN_MANAGE_TOKEN_MARGIN_HOURS)
    return min(end, now + timedelta(days=settings.GILIRAN_MANAGE_TOKEN_MAX_DAYS))


def manage_token(booking: Booking, *, now: datetime | None = None) -> str:
    """A token for the booking as it is now (its current version)."""
    now = now or timezone.now()
    expires = int(token_expiry(booking, now).timestamp())
    return signing.dumps([booking.pk, booking.manage_token_version, expires], salt=SALT)


def _payload(token: str, now: datetime) -> tuple[int, int] | None:
    try:
        value = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not (isinstance(value, list) and len(value) == 3 and all(isinstance(v, int) for v in value)):
        return None
    booking_id, version, expires = value
    if expires <= now.timestamp():
        return None
    return booking_id, version


def booking_id_from_token(token: str, *, now: datetime | None = None) -> int | None:
    """The booking the token names if its signature holds and it has not expired.
    Does not check the version: use `booking_for_token` to act on it."""
    payload = _payload(token, now or timezone.now())
    return payload[0] if payload else None


def booking_for_token(
    token: str, *, code: str | None = None, now: datetime | None = None
) -> Booking | None:
    """The booking a valid, unexpired, unrevoked token is for (and, if given, whose
    code is `code`); None otherwise."""
    payload = _payload(token, now or timezone.now())
    if payload is None:
        return None
    booking_id, version = payload
    bookings = Booking.objects.select_related(
        "slot__office_service__office", "slot__office_service__service"
    ).filter(pk=booking_id, manage_token_version=version)
    if code is not None:
        bookings = bookings.filter(code=code.upper())
    return bookings.first()


def manage_tokens_revoke(*, booking_id: int) -> None:
    """End every manage token and session grant issued so far for this booking. Call in
    the transaction that changes the booking (cancel, reschedule, lockout)."""
    Booking.objects.filter(pk=booking_id).update(manage_token_version=F("manage_token_version") + 1)
