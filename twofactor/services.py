"""Second-factor devices of staff: enrol an authenticator app, verify a code, issue
one-use recovery codes. Passkeys are registered and checked by django-otp-webauthn."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.errors import ApplicationError
from core.ratelimit import rate_limit

AUTHENTICATOR_NAME = "authenticator"
RECOVERY_NAME = "recovery"


def _wrong_code() -> ApplicationError:
    return ApplicationError(
        "otp_invalid",
        _("That code is not right or has expired. Try the current code."),
        fields={"code": [_("That code is not right or has expired. Try the current code.")]},
    )


def _normalised(token: str) -> str:
    return "".join(token.split()).lower()


def authenticator_enrol_start(*, user: User) -> TOTPDevice:
    """The user's unconfirmed authenticator (a new secret if there is none yet)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


@transaction.atomic
def authenticator_enrol_confirm(
    *, request: HttpRequest, user: User, device_id: int, token: str
) -> list[str]:
    """Confirm a new authenticator with its first code, verify this session with it and
    return fresh recovery codes (shown once; any earlier ones stop working)."""
    rate_limit(request, group="otp-user", key=str(user.pk), rate=settings.GILIRAN_RATE_OTP_PER_USER)
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(pk=device_id, user=user, confirmed=False)
        .first()
    )
    if device is None or not device.verify_token(_normalised(token)):
        raise _wrong_code()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    otp_login(request, device)
    return recovery_codes_issue(user=user)


@transaction.atomic
def recovery_codes_issue(*, user: User) -> list[str]:
    """Replace the user's recovery codes with new ones; each works once."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(settings.GILIRAN_RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def two_factor_verify(*, request: HttpRequest, user: User, token: str) -> None:
    """Verify this session with an authenticator code or a recovery code (used up).

    Attempts count per account (GILIRAN_RATE_OTP_PER_USER), and each device slows down
    after failures (django-otp's throttling), so guessing six digits is out of reach."""
    rate_limit(request, group="otp-user", key=str(user.pk), rate=settings.GILIRAN_RATE_OTP_PER_USER)
    code = _normalised(token)
    if not code:
        raise _wrong_code()
    with transaction.atomic():
        devices: list[TOTPDevice | StaticDevice] = [
            *TOTPDevice.objects.devices_for_user(user, confirmed=True).select_for_update(),
            *StaticDevice.objects.devices_for_user(user, confirmed=True).select_for_update(),
        ]
        verified = next((device for device in devices if device.verify_token(code)), None)
    if verified is None:
        raise _wrong_code()
    otp_login(request, verified)


def has_second_factor(*, user: User) -> bool:
    from django_otp import user_has_device

    return bool(user_has_device(user))


def recovery_codes_left(*, user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__name=RECOVERY_NAME).count()
