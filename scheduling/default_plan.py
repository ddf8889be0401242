"""The default capacity plan: what each counter can do in each block of a day, before the
optimiser (issue 6) plans it from a forecast. Pure: no Django, no database.

Every open counter shares its time equally between the services it is skilled for; a
service's block gets the counter minutes it receives, minus the share kept for walk-ins
and priority groups, divided by its duration. Fractions carry over to the next block of
the day, so a 15-minute service with half a counter still gets a slot every other block
instead of none."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class ServiceRule:
    key: int  # the office-service id
    duration_minutes: int
    slot_minutes: int
    reserve_percent: int  # kept for walk-ins and priority groups
    takes_appointments: bool


@dataclass(frozen=True)
class DayHours:
    opens: time
    closes: time
    break_starts: time | None = None
    break_ends: time | None = None

    def periods(self) -> list[tuple[time, time]]:
        if self.break_starts and self.break_ends:
            return [(self.opens, self.break_starts), (self.break_ends, self.closes)]
        return [(self.opens, self.closes)]


@dataclass(frozen=True)
class PlannedSlot:
    key: int
    starts_at: datetime  # aware, UTC
    ends_at: datetime
    capacity: int


def blocks_of_day(
    day: date, hours: DayHours, minutes: int, zone: ZoneInfo
) -> list[tuple[datetime, datetime]]:
    blocks = []
    step = timedelta(minutes=minutes)
    for start, end in hours.periods():
        cursor = datetime.combine(day, start, tzinfo=zone)
        limit = datetime.combine(day, end, tzinfo=zone)
        while cursor + step <= limit:
            blocks.append((cursor, cursor + step))
            cursor += step
    return blocks


def plan_day(
    *,
    day: date,
    zone_name: str,
    hours: DayHours | None,
    services: Sequence[ServiceRule],
    counter_skills: Sequence[frozenset[int]],
) -> list[PlannedSlot]:
    """The slots of one office-day. `counter_skills` holds, per open counter, the keys of
    the services it can serve here. Returns nothing for a closed day."""
    if hours is None:
        return []
    zone = ZoneInfo(zone_name)  # pure module: no Django, so not core.timezones
    # Counter minutes per minute of opening time that each service receives.
    share = {rule.key: 0.0 for rule in services}
    for skills in counter_skills:
        offered = [key for key in skills if key in share]
        for key in offered:
            share[key] += 1 / len(offered)

    planned: list[PlannedSlot] = []
    for rule in services:
        if not rule.takes_appointments or share[rule.key] == 0:
            continue
        per_block = (
            rule.slot_minutes * share[rule.key] * (100 - rule.reserve_percent) / 100
        ) / rule.duration_minutes
        cumulative, given = 0.0, 0
        for starts, ends in blocks_of_day(day, hours, rule.slot_minutes, zone):
            cumulative += per_block
            capacity = math.floor(cumulative + 1e-9) - given
            given += capacity
            planned.append(
                PlannedSlot(rule.key, starts.astimezone(UTC), ends.astimezone(UTC), capacity)
            )
    return planned
