"""Numbers typed into forms and query strings, read without ever raising: a 500 from
int("abc") or int("²") is the same class of bug as a date that overflows."""

from __future__ import annotations

# More digits than any count or key here has; int() of over 4,300 digits even raises.
MAX_DIGITS = 18


def whole_number(raw: object) -> int | None:
    """A whole number (0 or more) typed into a form, or None when the value is not a plain
    run of at most MAX_DIGITS ASCII digits. "²".isdigit() is true, yet int("²") raises."""
    text = str(raw if raw is not None else "").strip()
    if text.isascii() and text.isdigit() and len(text) <= MAX_DIGITS:
        return int(text)
    return None


def row_id(raw: object) -> int:
    """A primary key from a form field, or 0 (which matches no row) when the value is not
    a whole number (see whole_number)."""
    number = whole_number(raw)
    return 0 if number is None else number
