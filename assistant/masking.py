"""Personal data out of a citizen's words before they are stored: a NIK (16 digits, with
or without separators), a phone number, an email address and a complaint's access key
become masks that keep
only what staff need to follow the conversation (the NIK's last four digits, the phone's
last three). Used for every stored citizen turn and every review item."""

from __future__ import annotations

import re

from core.contacts import mask_email

# 16 digits in groups of any size separated by spaces, dots or dashes ("3171 0101 …").
_NIK = re.compile(r"(?<!\d)(?:\d[\s.\-]?){15}\d(?!\d)")
# Indonesian phone numbers as people type them: 08…, 62…, +62…, with separators.
_PHONE = re.compile(r"(?<![\w+])(?:\+?62|0)8(?:[\s.\-]?\d){7,11}(?!\d)")
# A complaint's access key as it is shown ("K7QMX-2PA9D"), typed in any case, or without
# its dash when it has a digit (ten plain letters are as likely a word: "pembayaran").
_ACCESS_KEY = re.compile(
    r"(?<![\w-])(?:[A-HJKMNP-Z2-9]{5}-[A-HJKMNP-Z2-9]{5}"
    r"|(?=[A-HJKMNP-Z]*[2-9])(?=[2-9]*[A-HJKMNP-Z])[A-HJKMNP-Z2-9]{10})(?![\w-])",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def mask_personal(text: str) -> str:
    """`text` with every NIK, phone number and email address masked."""
    text = _EMAIL.sub(lambda m: mask_email(m.group(0).lower()), text)
    text = _ACCESS_KEY.sub("•••••-•••••", text)
    text = _NIK.sub(lambda m: "****-****-****-" + _digits(m.group(0))[-4:], text)
    return _PHONE.sub(lambda m: "08**-****-*" + _digits(m.group(0))[-3:], text)
