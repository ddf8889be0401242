"""Deployment checks of our own, run by `manage.py check --deploy`."""

from __future__ import annotations

from typing import Any

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register


@register("giliran", deploy=True)
def personal_data_keys(app_configs: Any, **kwargs: Any) -> list[Error]:
    errors = []
    if not settings.GILIRAN_DATA_KEYS:
        errors.append(
            Error(
                "GILIRAN_DATA_KEYS is not set: "
                "NIKs would be encrypted with a key derived from SECRET_KEY.",
                hint="Generate one with: python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'",
                id="giliran.E001",
            )
        )
    for key in settings.GILIRAN_DATA_KEYS:
        try:
            Fernet(key.encode())
        except ValueError:
            errors.append(
                Error("A key in GILIRAN_DATA_KEYS is not a valid Fernet key.", id="giliran.E002")
            )
    if len(settings.GILIRAN_HASH_KEY) < 32:
        errors.append(
            Error(
                "GILIRAN_HASH_KEY must be set to a random secret of at least 32 characters.",
                hint="NIKs are found by an HMAC under this key; "
                "a plain hash of a NIK is not private.",
                id="giliran.E003",
            )
        )
    return errors


@register("giliran", deploy=True)
def message_gateways(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """Citizens choose WhatsApp or SMS; without a gateway those messages dead-letter."""
    cloud = bool(
        settings.GILIRAN_WHATSAPP_PHONE_NUMBER_ID and settings.GILIRAN_WHATSAPP_CLOUD_TOKEN
    )
    missing = [
        channel
        for channel, gateway in settings.GILIRAN_GATEWAYS.items()
        if not gateway["url"] and not (channel == "whatsapp" and cloud)
    ]
    warnings: list[CheckMessage] = []
    if missing:
        warnings.append(
            Warning(
                f"No gateway for {', '.join(missing)}: those messages will fail as dead letters.",
                hint="Set GILIRAN_SMS_GATEWAY_URL and GILIRAN_WHATSAPP_GATEWAY_URL (and tokens).",
                id="giliran.W004",
            )
        )
    if cloud and not settings.GILIRAN_WHATSAPP_REPLY_TEMPLATE:
        warnings.append(
            Warning(
                "WhatsApp goes through the Cloud API without GILIRAN_WHATSAPP_REPLY_TEMPLATE: "
                "messages outside the 24-hour window (reminders, late replies) will fail.",
                hint="Create an approved template with one body parameter (docs/"
                "assistant-channels.md) and set its name.",
                id="giliran.W006",
            )
        )
    if settings.GILIRAN_CONSOLE_MESSAGES:
        warnings.append(
            Warning(
                "GILIRAN_CONSOLE_MESSAGES is on: one-time codes would be written to the log.",
                id="giliran.W005",
            )
        )
    return warnings


@register("giliran")
def retention_covers_no_show_window(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """The no-show pause counts a NIK's no-shows by its keyed hash, which retention erases."""
    if (
        settings.GILIRAN_NO_SHOW_LIMIT
        and settings.GILIRAN_RETENTION_VISIT_DAYS < settings.GILIRAN_NO_SHOW_WINDOW_DAYS
    ):
        return [
            Warning(
                "GILIRAN_RETENTION_VISIT_DAYS is shorter than GILIRAN_NO_SHOW_WINDOW_DAYS: "
                "no-shows are forgotten before the window ends.",
                hint="Keep bookings at least as long as the no-show window.",
                id="giliran.W201",
            )
        ]
    return []
