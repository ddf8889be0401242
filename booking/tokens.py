"""Signed, expiring tokens that let a link in a message (or an API client that looked a
booking up) manage one booking without putting any personal data in the URL."""

from __future__ import annotations

from django.core import signing

SALT = "giliran.booking.manage"
MAX_AGE = 60 * 60 * 24 * 90  # a booking is at most a few months ahead


def manage_token(booking_id: int) -> str:
    return signing.dumps(booking_id, salt=SALT, compress=True)


def booking_id_from_token(token: str) -> int | None:
    try:
        value = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None
