"""The data map of the staff second factors: django-otp's authenticator-app (TOTP) and
recovery-code devices, and django-otp-webauthn's passkeys (core/data_map.py explains the
mechanism).

They have no automatic limit: a device is kept while its staff account exists, and goes
with it (every device row cascades from auth.User), or when the staff member or an
administrator removes it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import (
    WebAuthnAttestation,
    WebAuthnCredential,
    WebAuthnUserHandle,
)

from core.data_map import (
    STAFF_RECORDS,
    AtEnd,
    Category,
    LegalBasis,
    Personal,
    personal_data,
)

_SECOND_FACTOR = _(
    "prove a staff member's second factor at sign-in; kept while the account exists "
    "and deleted with it"
)


def _device(category: Category) -> Personal:
    return Personal(
        category=category,
        purpose=_SECOND_FACTOR,
        basis=LegalBasis.CONTRACT,
        retention=STAFF_RECORDS,
        at_end=AtEnd.MANUAL,
    )


def _device_tags(*secrets: str) -> dict[str, Personal]:
    """The fields every device shares (whose it is, its name, when it was used and
    failed), and the device's own `secrets`."""
    return {
        "user": _device(Category.ACCOUNT),
        "name": _device(Category.ACCOUNT),
        "created_at": _device(Category.BEHAVIOURAL),
        "last_used_at": _device(Category.BEHAVIOURAL),
        **{name: _device(Category.ACCOUNT) for name in secrets},
    }


personal_data(
    TOTPDevice,
    fields={
        **_device_tags("key"),
        "throttling_failure_timestamp": _device(Category.BEHAVIOURAL),
        "throttling_failure_count": _device(Category.BEHAVIOURAL),
    },
)
personal_data(
    StaticDevice,
    fields={
        **_device_tags(),
        "throttling_failure_timestamp": _device(Category.BEHAVIOURAL),
        "throttling_failure_count": _device(Category.BEHAVIOURAL),
    },
)
personal_data(StaticToken, fields={"token": _device(Category.ACCOUNT)})
personal_data(
    WebAuthnCredential,
    fields={
        **_device_tags("credential_id", "credential_id_sha256", "public_key"),
        "transports": _device(Category.TECHNICAL),
        "aaguid": _device(Category.TECHNICAL),
    },
)
personal_data(
    WebAuthnAttestation,
    fields={name: _device(Category.TECHNICAL) for name in ("fmt", "data", "client_data_json")},
)
personal_data(
    WebAuthnUserHandle,
    fields={"user": _device(Category.ACCOUNT), "handle_hex": _device(Category.TECHNICAL)},
)
