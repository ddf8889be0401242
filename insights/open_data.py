"""The public performance of an office as open data: one plain structure for the JSON
file, the API and the CSV file, so the three can never disagree. A figure resting on
fewer than PUBLIC_MIN_PEOPLE people is published as suppressed: no value and no count
(the count itself would be a figure about those few)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from insights.selectors import PERIODS, PUBLIC_MIN_PEOPLE, Figure, HourAdvice, office_performance
from offices.models import Office

FORMAT = "giliran-office-performance/1"
SUPPRESSED_NOTE = f"suppressed: fewer than {PUBLIC_MIN_PEOPLE} people"
# (key, what it is): the figures of a period, in the order the CSV lists them.
MEASURES = (
    ("wait_minutes_median", "median wait from joining the queue to the first call, minutes"),
    ("wait_minutes_p90", "90th-percentile wait, minutes"),
    ("called_within_target_share", "share called within the office-service's wait target"),
    ("appointment_places_released", "appointment places released"),
    ("appointment_places_booked", "appointment places booked"),
    ("appointment_no_show_share", "share of booked appointments missed"),
    ("satisfaction_mean_1_to_5", "mean score of the survey after service (1-5)"),
    ("complaints_received", "complaints received (pungli reports excluded)"),
    ("complaints_answered_in_time_share", "share of complaints answered by their due date"),
)


def _figure(figure: Figure) -> dict[str, Any]:
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


def office_performance_data(*, office: Office, today: date) -> dict[str, Any]:
    periods = []
    for days in PERIODS:
        p = office_performance(office=office, days=days, today=today)
        periods.append(
            {
                "days": days,
                "first_day": p.first.isoformat(),
                "last_day": p.last.isoformat(),
                "days_with_facts": p.days_built,
                "wait_minutes_median": _figure(p.wait_median),
                "wait_minutes_p90": _figure(p.wait_p90),
                "called_within_target_share": _figure(p.called_within_target),
                "appointment_places_released": {
                    "value": p.places_released,
                    "people": None,
                    "suppressed": False,
                },
                "appointment_places_booked": _figure(p.places_booked),
                "appointment_no_show_share": _figure(p.no_show_rate),
                "satisfaction_mean_1_to_5": _figure(p.satisfaction),
                "complaints_received": _figure(p.complaints_received),
                "complaints_answered_in_time_share": _figure(p.complaints_answered_in_time),
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
        for key, _meaning in MEASURES:
            figure = period[key]
            note = SUPPRESSED_NOTE if figure["suppressed"] else ""
            value = "" if figure["value"] is None else str(figure["value"])
            people = "" if figure["people"] is None else str(figure["people"])
            yield [*head, key, value, people, note]
        for key in ("longest_waits", "shortest_waits"):
            for hour in period[key]:
                measure = f"{key}:weekday={hour['weekday']}:hour={hour['hour']:02d}"
                yield [*head, measure, str(hour["wait_minutes_median"]), str(hour["people"]), ""]
