"""Kiosk devices: an office administrator registers a tablet (Django admin), sees its
token once, and enrols the tablet by typing or opening the enrolment link; the tablet
then keeps the token in a signed cookie. The check-in API takes the same token as
`Authorization: Bearer <token>`. Only a keyed hash of the token is stored.

Before this, anyone could check any citizen in from anywhere and learn whether a code
existed, its office and its time (issue 10, finding 8)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import personal_data
from core.errors import ApplicationError
from offices.models import Office
from queueing.models import KioskDevice

COOKIE = "giliran_kiosk"
COOKIE_SALT = "giliran.kiosk-device"
COOKIE_MAX_AGE = 400 * 24 * 3600  # the longest browsers keep a cookie
SEEN_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often
# The ticket page counts down this long, visibly and stoppable, before the start page.
TICKET_RESET_SECONDS = 20


def kiosk_token_new() -> tuple[str, str]:
    """A new device token and its keyed hash (the only form that is stored)."""
    token = secrets.token_urlsafe(32)
    return token, personal_data.keyed_hash(token)


def kiosk_device_create(*, office: Office, name: str, by: User | None) -> tuple[KioskDevice, str]:
    """Register a kiosk; returns the device and its token, which is never shown again."""
    token, token_hash = kiosk_token_new()
    device = KioskDevice.objects.create(
        office=office, name=name, token_hash=token_hash, created_by=by
    )
    return device, token


def kiosk_devices_revoke(*, device_ids: list[int], now: datetime | None = None) -> int:
    """Revoke devices at once: their next request is refused. Returns how many."""
    now = now or timezone.now()
    return KioskDevice.objects.filter(pk__in=device_ids, revoked_at__isnull=True).update(
        revoked_at=now
    )


def _not_registered() -> ApplicationError:
    return ApplicationError(
        "kiosk_not_registered",
        _(
            "This device is not a registered kiosk of this office. "
            "Ask the office administrator to register it."
        ),
        status_code=401,
    )


def kiosk_device_authenticate(
    *, office_code: str, token: str, now: datetime | None = None
) -> KioskDevice:
    """The active device of this office that holds `token`, or a 401 that says nothing
    about the office or the token (an unknown office answers the same). Notes when the
    device was last seen, at most once a minute, with a conditional UPDATE."""
    if not token or len(token) > 200:
        raise _not_registered()
    device = (
        KioskDevice.objects.select_related("office")
        .filter(
            token_hash=personal_data.keyed_hash(token),
            revoked_at__isnull=True,
            office__code=office_code,
            office__is_active=True,
        )
        .first()
    )
    if device is None:
        raise _not_registered()
    now = now or timezone.now()
    if device.last_seen_at is None or device.last_seen_at < now - SEEN_EVERY:
        KioskDevice.objects.filter(
            Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=now - SEEN_EVERY), pk=device.pk
        ).update(last_seen_at=now)
    return device


def bearer_token(request: HttpRequest) -> str:
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def cookie_token(request: HttpRequest) -> str:
    value = request.get_signed_cookie(COOKIE, default="", salt=COOKIE_SALT)
    return value or ""


def cookie_set(response: HttpResponse, token: str) -> None:
    response.set_signed_cookie(
        COOKIE,
        token,
        salt=COOKIE_SALT,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Strict",
    )


def enrolment_url(office: Office, token: str) -> str:
    """The link an administrator opens once on the tablet. The token rides in the
    fragment, which browsers never send, so it reaches no server or proxy log; the page
    copies it into its form (or the administrator types it)."""
    return f"{settings.GILIRAN_SITE_URL}{reverse('kiosk-enrol', args=[office.code])}#{token}"
