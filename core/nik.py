"""NIK (Nomor Induk Kependudukan) structure: 6-digit region (2 of them the province),
date of birth DDMMYY with 40 added to the day for women, and a 4-digit sequence."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Province codes of Kemendagri (BPS), including the Papua provinces created in 2022,
# one line per island group: the first digit is the group.
PROVINCE_CODES = frozenset(
    (
        *("11", "12", "13", "14", "15", "16", "17", "18", "19", "21"),  # Sumatra, Riau Islands
        *("31", "32", "33", "34", "35", "36"),  # Java
        *("51", "52", "53"),  # Bali, Nusa Tenggara
        *("61", "62", "63", "64", "65"),  # Kalimantan
        *("71", "72", "73", "74", "75", "76"),  # Sulawesi
        *("81", "82"),  # Maluku
        *("91", "92", "93", "94", "95", "96"),  # Papua
    )
)


# What normalize_nik accepts, as far as a regular expression can say it (for the API
# schema): a province code, 4 region digits, a day 01-31 (41-71 for women), a month, a
# year, and a sequence that is not 0000. Only "a real date, not in the future" is left
# to normalize_nik.
NIK_PATTERN = (
    "^(?:" + "|".join(sorted(PROVINCE_CODES)) + r")\d{4}"
    r"(?:0[1-9]|[12]\d|3[01]|4[1-9]|[56]\d|7[01])(?:0[1-9]|1[0-2])\d{2}"
    r"(?:000[1-9]|00[1-9]\d|0[1-9]\d{2}|[1-9]\d{3})$"
)


def _invalid(message: StrOrPromise) -> ApplicationError:
    return ApplicationError("invalid_nik", message, fields={"nik": [message]})


def birth_date(day: int, month: int, year2: int) -> date | None:
    """The birth date the digits describe, choosing the century that is not in the future."""
    this_year = timezone.now().year
    year = 2000 + year2 if 2000 + year2 <= this_year else 1900 + year2
    try:
        return date(year, month, day)
    except ValueError:
        return None


def normalize_nik(raw: str) -> str:
    """Return the 16-digit NIK or raise ApplicationError naming the field `nik`."""
    nik = "".join(raw.split())
    if len(nik) != 16 or not (nik.isascii() and nik.isdigit()):  # "²".isdigit() is True
        raise _invalid(_("A NIK has exactly 16 digits."))
    if nik[:2] not in PROVINCE_CODES:
        raise _invalid(_("This NIK does not start with a valid province code."))
    day, month, year2 = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    if day > 40:
        day -= 40  # women
    born = birth_date(day, month, year2)
    if born is None or born > timezone.localdate():
        raise _invalid(_("The date of birth in this NIK is not a real date."))
    if nik[12:] == "0000":
        raise _invalid(_("The last four digits of a NIK cannot be 0000."))
    return nik
