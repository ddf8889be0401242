"""Dates and months typed by a person or a client: parsed and checked against the range
the caller can serve *before* any arithmetic, so 9999-12-31 or 0001-01-01 gets a clear
error naming the field instead of an OverflowError on `day + timedelta(days=1)`."""

from __future__ import annotations

from calendar import monthrange
from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.errors import ApplicationError


def _out_of_range(field: str, first: date, last: date) -> ApplicationError:
    message = _("%(field)s: choose a date from %(first)s to %(last)s.") % {
        "field": field,
        "first": date_format(first, "j F Y"),
        "last": date_format(last, "j F Y"),
    }
    return ApplicationError("date_out_of_range", message, fields={field: [message]})


def day_within(day: date, *, field: str, first: date, last: date) -> date:
    """`day` itself when first ≤ day ≤ last; otherwise a 400 naming `field`."""
    if not first <= day <= last:
        raise _out_of_range(field, first, last)
    return day


def parse_day(raw: str, *, field: str, first: date, last: date) -> date:
    """A YYYY-MM-DD day between first and last (inclusive), or a 400 naming `field`."""
    try:
        day = date.fromisoformat(raw.strip())
    except ValueError:
        message = _("%(field)s: enter a date as YYYY-MM-DD.") % {"field": field}
        raise ApplicationError("invalid_date", message, fields={field: [message]}) from None
    return day_within(day, field=field, first=first, last=last)


def parse_month(raw: str, *, field: str, first: date, last: date) -> date:
    """The first day of a YYYY-MM month that overlaps [first, last], or a 400 naming
    `field`. Only four-digit years are read, so no integer ever overflows."""
    text = raw.strip()
    try:
        if len(text) != 7 or text[4] != "-":
            raise ValueError(text)
        month = date.fromisoformat(text + "-01")
    except ValueError:
        message = _("%(field)s: enter a month as YYYY-MM.") % {"field": field}
        raise ApplicationError("invalid_month", message, fields={field: [message]}) from None
    month_last = month.replace(day=monthrange(month.year, month.month)[1])
    if month_last < first or month > last:
        raise _out_of_range(field, first, last)
    return month
