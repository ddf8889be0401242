"""Indonesian phone numbers in every everyday form (08…, 628…, +62…) to one E.164 form."""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError


def normalize_phone(raw: str) -> str:
    """'0812-3456-7890', '62812…' or '+62 812…' → '+6281234567890'."""
    text = raw.strip()
    if text.startswith("62"):
        text = "+" + text
    try:
        number = phonenumbers.parse(text, "ID")
    except phonenumbers.NumberParseException:
        number = None
    mobile = (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
    if (
        number is None
        or number.country_code != 62
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number) not in mobile  # codes and reminders go by SMS/WA
    ):
        message = _("Enter an Indonesian mobile number, e.g. 0812 3456 7890.")
        raise ApplicationError("invalid_phone", message, fields={"phone": [message]})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_email(raw: str) -> str:
    email = raw.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        message = _("Enter a valid email address.")
        raise ApplicationError("invalid_email", message, fields={"email": [message]}) from None
    return email


def mask_phone(phone: str) -> str:
    return phone[:5] + "*" * max(0, len(phone) - 8) + phone[-3:] if phone else ""


def mask_email(email: str) -> str:
    name, _at, domain = email.partition("@")
    return f"{name[:1]}***@{domain}" if domain else ""
