"""What a one-time code looks like, in one place: how it is made, and what a typed code
must look like before it is compared. Booking confirmation and the privacy proof both
send and check these codes."""

from __future__ import annotations

import secrets

from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError

DIGITS = 6


def one_time_code_new() -> str:
    return f"{secrets.randbelow(10**DIGITS):0{DIGITS}d}"


def one_time_code_clean(code: str) -> str:
    """The typed code without the spaces and dashes people put in it, or ApplicationError
    (400, on the `code` field) if it is not 6 digits. Callers check this BEFORE they count
    an attempt: a mistyped letter is a typing slip, not a guess, and must not use one up."""
    typed = "".join(code.split()).replace("-", "")
    if len(typed) != DIGITS or not typed.isascii() or not typed.isdigit():
        message = _("A code has 6 digits: type only the numbers from the message.")
        raise ApplicationError("code_format", message, fields={"code": [message]})
    return typed


# The code field's attributes: a number pad on phones, the code offered from the SMS, and
# the browser's own check of the digits before the form is sent (spaces allowed).
ONE_TIME_CODE_ATTRS = {
    "inputmode": "numeric",
    "autocomplete": "one-time-code",
    "pattern": rf"\s*(\d\s*){{{DIGITS}}}",
}
