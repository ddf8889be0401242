"""The public performance of an office as open data: one plain structure for the JSON
file, the API and the CSV file, so the three can never disagree. A figure resting on
fewer than PUBLIC_MIN_PEOPLE people is published as suppressed: no value and no count
(the count itself would be a figure about those few)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from insights.selectors import (
    PERIODS,
    PUBLIC_MIN_PEOPLE,
    Figure,
    HourAdvice,
    office_performance_cached,
)
from offices.models import Office

FORMAT = "giliran-office-performance/1"
SUPPRESSED_NOTE = f"suppressed: fewer than {PUBLIC_MIN_PEOPLE} people"
# The figures of a period: the key they are published under, and the Performance field
# they come from; in this order in the CSV file.
MEASURES = (
    ("wait_minutes_median", "wait_median"),
    ("wait_minutes_p90", "wait_p90"),
    ("called_within_target_share", "called_within_target"),
    ("appointment_places_released", "places_released"),
    ("appointment_places_booked", "places_booked"),
    ("appointment_no_show_share", "no_show_rate"),
    ("satisfaction_mean_1_to_5", "satisfaction"),
    ("ikm_25_to_100", "ikm"),
    ("complaints_received", "complaints_received"),
    ("complaints_answered_in_time_share", "complaints_answered_in_time"),
)


def _figure(figure: Figure | int) -> dict[str, Any]:
    if isinstance(figure, int):  # places released: not about people, never hidden
        return {"value": figure, "people": None, "suppressed": False}
    if not figure.shown:
        return {"value": None, "people": None, "suppressed": figure.people > 0}
    return {"value": figure.value, "people": figure.people, "suppressed": False}


def _hours(advice: list[HourAdvice]) -> list[dict[str, int]]:
    return [
        {
            "weekday": a.weekday,
            "hour": a.hour,
            "wait_minutes_median": a.median_wait,
            "people": a.people,
        }
        for a in advice
    ]


def office_performance_data(*, office: Office, now: datetime) -> dict[str, Any]:
    periods = []
    for days in PERIODS:
        p = office_performance_cached(office=office, days=days, now=now)
        periods.append(
            {
                "days": days,
                "first_day": p.first.isoformat(),
                "last_day": p.last.isoformat(),
                "days_with_facts": p.days_built,
                **{key: _figure(getattr(p, field)) for key, field in MEASURES},
                "ikm_band": p.ikm_band,
                "longest_waits": _hours(p.busiest),
                "shortest_waits": _hours(p.quietest),
            }
        )
    return {
        "format": FORMAT,
        "office": {"code": office.code, "name": office.name, "timezone": office.timezone},
        "min_people": PUBLIC_MIN_PEOPLE,
        "periods": periods,
    }


def office_performance_csv(data: dict[str, Any]) -> Iterator[list[str]]:
    """The rows of the CSV file: one per period and measure, then the named hours."""
    yield ["office", "period_days", "first_day", "last_day", "measure", "value", "people", "note"]
    code = data["office"]["code"]
    for period in data["periods"]:
        head = [code, str(period["days"]), period["first_day"], period["last_day"]]
        for key, _field in MEASURES:
            figure = period[key]
            note = SUPPRESSED_NOTE if figure["suppressed"] else ""
            value = "" if figure["value"] is None else str(figure["value"])
            people = "" if figure["people"] is None else str(figure["people"])
            yield [*head, key, value, people, note]
        for key in ("longest_waits", "shortest_waits"):
            for hour in period[key]:
                measure = f"{key}:weekday={hour['weekday']}:hour={hour['hour']:02d}"
                yield [*head, measure, str(hour["wait_minutes_median"]), str(hour["people"]), ""]
