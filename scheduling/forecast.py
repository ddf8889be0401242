"""Demand forecast for one office-service-day, from its history. Pure: no Django.

Walk-in arrivals per time block: the mean of the same weekday's ordinary days over the
last weeks, shrunk towards a default while history is thin (a new office, a new
service), and scaled on the working day right after a holiday or cuti bersama, when the
backlog of the closed days arrives. No-show rate: missed / (missed + attended), shrunk
the same way. Booked appointments are known demand and are not forecast.

Shrinkage: with n days of history the estimate is (n·observed + k·default) / (n + k),
so one odd day cannot swing the plan, and a month of history outweighs the default.
The defaults and k are stated in docs/scheduling.md."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# Weight of the default, in days of history: 4 same-weekdays ≈ one month.
PRIOR_DAYS = 4
# The first working day after a closure: observed at Indonesian offices as the busiest
# of the week. Used until the office's own history has such days to learn from.
DEFAULT_AFTER_HOLIDAY_FACTOR = 1.3
DEFAULT_NO_SHOW_RATE = 0.1


@dataclass(frozen=True)
class DayCounts:
    """Walk-in arrivals per block on one past day, and whether it followed a closure."""

    per_block: Sequence[int]
    after_closure: bool = False


@dataclass(frozen=True)
class WalkInForecast:
    per_block: list[float]
    days_of_history: int
    after_closure_factor: float


def _shrunk(observed: float, days: int, default: float) -> float:
    return (days * observed + PRIOR_DAYS * default) / (days + PRIOR_DAYS)


def _mean_per_block(days: Sequence[DayCounts], blocks: int) -> list[float]:
    if not days:
        return [0.0] * blocks
    return [sum(day.per_block[b] for day in days) / len(days) for b in range(blocks)]


def walk_ins(
    history: Sequence[DayCounts], *, blocks: int, default_per_block: float, after_closure: bool
) -> WalkInForecast:
    """Expected walk-in arrivals in each of `blocks` blocks of a coming day.

    `history` holds past days of the same weekday (each with `blocks` counts). Ordinary
    days give the shape; days after a closure, compared with them, give the factor."""
    ordinary = [day for day in history if not day.after_closure]
    busy = [day for day in history if day.after_closure]
    mean = _mean_per_block(ordinary, blocks)
    per_block = [_shrunk(m, len(ordinary), default_per_block) for m in mean]
    factor = DEFAULT_AFTER_HOLIDAY_FACTOR
    ordinary_total = sum(mean)
    if busy and ordinary_total > 0:
        observed = sum(_mean_per_block(busy, blocks)) / ordinary_total
        factor = _shrunk(observed, len(busy), DEFAULT_AFTER_HOLIDAY_FACTOR)
    if after_closure:
        per_block = [value * factor for value in per_block]
    return WalkInForecast(per_block, len(ordinary), factor)


def no_show_rate(*, missed: int, attended: int) -> float:
    """Share of confirmed appointments nobody came to, shrunk towards the default."""
    days_equivalent = missed + attended
    observed = missed / days_equivalent if days_equivalent else DEFAULT_NO_SHOW_RATE
    # Here k counts appointments rather than days: 20 appointments of prior weight.
    weight = 20
    return (days_equivalent * observed + weight * DEFAULT_NO_SHOW_RATE) / (days_equivalent + weight)
