"""Who must pass a second factor, and the session clock of staff sign-ins."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol, cast

from django.conf import settings
from django.http import HttpRequest
from django_otp import user_has_device

from offices.permissions import integrity_offices_for, supervises

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser, User

SIGNED_IN_AT = "staff_signed_in_at"
SEEN_AT = "staff_seen_at"
# The last-seen stamp is written at most this often: a console polling every few seconds
# would otherwise write its session row on every request.
SEEN_RESOLUTION = timedelta(seconds=60)
# Whether this session must pass a second factor, with when that was last worked out:
# [answer, timestamp]. A clerk's console polls every few seconds; without this every
# request would query their roles and devices.
SECOND_FACTOR_APPLIES = "staff_second_factor_applies"
SECOND_FACTOR_RECHECK = timedelta(seconds=60)


class _OTPUser(Protocol):
    def is_verified(self) -> bool: ...


def is_verified(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Has this session passed its second factor? django-otp's OTPMiddleware gives the
    request's user an is_verified() method, which the user types do not declare."""
    return cast(_OTPUser, user).is_verified()


def requires_two_factor(user: User | AnonymousUser) -> bool:
    """Supervisors, office administrators, integrity officers (they read reports of
    pungli), anyone with the admin, and national administrators must verify a second
    factor; counter staff may."""
    if not user.is_authenticated:
        return False
    return bool(user.is_staff) or supervises(user) or integrity_offices_for(user).exists()


def second_factor_applies(request: HttpRequest, *, now: datetime) -> bool:
    """Must this signed-in session pass a second factor: the role needs one
    (requires_two_factor) or the user has enrolled one? Worked out at most once per
    SECOND_FACTOR_RECHECK and kept in the session, so a promotion or a device added in
    the admin takes effect within a minute."""
    cached = request.session.get(SECOND_FACTOR_APPLIES)
    stamp = now.timestamp()
    if (
        isinstance(cached, list)
        and len(cached) == 2
        and 0 <= stamp - cached[1] < SECOND_FACTOR_RECHECK.total_seconds()
    ):
        return bool(cached[0])
    answer = bool(requires_two_factor(request.user) or user_has_device(request.user))
    request.session[SECOND_FACTOR_APPLIES] = [answer, stamp]
    return answer


def session_start(request: HttpRequest, *, now: datetime) -> None:
    request.session.pop(SECOND_FACTOR_APPLIES, None)  # worked out again for this sign-in
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
