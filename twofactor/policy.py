"""Who must pass a second factor, and the session clock of staff sign-ins."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from booking.permissions import supervises

SIGNED_IN_AT = "staff_signed_in_at"
SEEN_AT = "staff_seen_at"
# The last-seen stamp is written at most this often: a console polling every few seconds
# would otherwise write its session row on every request.
SEEN_RESOLUTION = timedelta(seconds=60)


def requires_two_factor(user: Any) -> bool:
    """Supervisors, office administrators, anyone with the admin, and national
    administrators must verify a second factor; counter staff may."""
    if not user.is_authenticated:
        return False
    return bool(user.is_staff) or supervises(user)


def session_start(request: HttpRequest, *, now: datetime) -> None:
    request.session[SIGNED_IN_AT] = now.timestamp()
    request.session[SEEN_AT] = now.timestamp()
    request.session.set_expiry(settings.GILIRAN_STAFF_IDLE_MINUTES * 60)


def session_expired(request: HttpRequest, *, now: datetime) -> bool:
    """True once a staff session has been idle too long or has reached its lifetime."""
    signed_in_at = request.session.get(SIGNED_IN_AT)
    seen_at = request.session.get(SEEN_AT)
    if signed_in_at is None or seen_at is None:
        return True  # a session from before these stamps existed: sign in again
    idle = timedelta(minutes=settings.GILIRAN_STAFF_IDLE_MINUTES)
    lifetime = timedelta(hours=settings.GILIRAN_STAFF_SESSION_HOURS)
    stamp = now.timestamp()
    return stamp - seen_at >= idle.total_seconds() or stamp - signed_in_at >= (
        lifetime.total_seconds()
    )


def session_touch(request: HttpRequest, *, now: datetime) -> None:
    if now.timestamp() - request.session.get(SEEN_AT, 0) >= SEEN_RESOLUTION.total_seconds():
        request.session[SEEN_AT] = now.timestamp()
        request.session.set_expiry(settings.GILIRAN_STAFF_IDLE_MINUTES * 60)
