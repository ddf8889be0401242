"""Numbers typed into forms and query strings, read without ever raising: a 500 from
int("abc") or int("²") is the same class of bug as a date that overflows."""

from __future__ import annotations


def row_id(raw: object) -> int:
    """A primary key from a form field, or 0 (which matches no row) when the value is not
    a plain run of ASCII digits. "²".isdigit() is true, yet int("²") raises."""
    text = str(raw or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else 0
