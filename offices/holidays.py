"""National holidays and collective leave days (cuti bersama) from the `holidays`
library, which the community keeps up to date with each year's government decree.
Names come back in the request's language."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import holidays
from django.utils.translation import get_language


def _library_language() -> str:
    return "en_US" if (get_language() or "id").startswith("en") else "id"


@lru_cache(maxsize=64)
def _holidays_for(year: int, language: str) -> dict[date, str]:
    calendar = holidays.country_holidays(
        "ID",
        years=year,
        categories=(holidays.PUBLIC, holidays.GOVERNMENT),
        language=language,
    )
    return dict(calendar.items())


def national_holidays_between(first: date, last: date) -> dict[date, str]:
    language = _library_language()
    found: dict[date, str] = {}
    for year in range(first.year, last.year + 1):
        for day, name in _holidays_for(year, language).items():
            if first <= day <= last:
                found[day] = name
    return dict(sorted(found.items()))
