"""The default plan turns counters, skills, hours and durations into slot capacities."""

from __future__ import annotations

from datetime import date, time

from scheduling.default_plan import DayHours, ServiceRule, plan_day

HOURS = DayHours(time(8), time(15), time(12), time(13))
PASSPORT = ServiceRule(
    key=1, duration_minutes=15, slot_minutes=30, reserve_percent=20, takes_appointments=True
)
RENEWAL = ServiceRule(
    key=2, duration_minutes=10, slot_minutes=30, reserve_percent=0, takes_appointments=True
)


def _plan(
    services: list[ServiceRule], skills: list[frozenset[int]], hours: DayHours | None = HOURS
) -> list:
    return plan_day(
        day=date(2026, 12, 2),
        zone_name="Asia/Jakarta",
        hours=hours,
        services=services,
        counter_skills=skills,
    )


def test_blocks_skip_the_break_and_use_office_time() -> None:
    slots = _plan([PASSPORT], [frozenset({1})])
    assert len(slots) == 12  # 08:00–12:00 and 13:00–15:00 in 30-minute blocks
    assert slots[0].starts_at.isoformat() == "2026-12-02T01:00:00+00:00"  # 08:00 WIB
    assert all(not (time(5) <= s.starts_at.time() < time(6)) for s in slots)  # no 12:00 WIB


def test_one_dedicated_counter_gives_duration_based_capacity_minus_the_walk_in_reserve() -> None:
    slots = _plan([PASSPORT], [frozenset({1})])
    # 30 minutes / 15 = 2 per block, 80% kept for appointments → 1.6 per block, carried.
    assert [s.capacity for s in slots[:5]] == [1, 2, 1, 2, 2]
    assert sum(s.capacity for s in slots) == 19  # floor(12 × 1.6)


def test_a_shared_counter_splits_its_time_between_its_services() -> None:
    slots = _plan([PASSPORT, RENEWAL], [frozenset({1, 2})])
    passport = sum(s.capacity for s in slots if s.key == 1)
    renewal = sum(s.capacity for s in slots if s.key == 2)
    assert passport == 9  # floor(12 × 15 min × 0.8 / 15)
    assert renewal == 18  # floor(12 × 15 min / 10)


def test_walk_in_only_services_and_unskilled_services_get_no_slots() -> None:
    walk_in = ServiceRule(
        key=3, duration_minutes=10, slot_minutes=30, reserve_percent=0, takes_appointments=False
    )
    slots = _plan([PASSPORT, walk_in, RENEWAL], [frozenset({1, 3})])
    assert {s.key for s in slots} == {1}


def test_closed_day_has_no_slots() -> None:
    assert _plan([PASSPORT], [frozenset({1})], hours=None) == []


def test_friday_prayer_break_is_respected_in_wita() -> None:
    friday = DayHours(time(8), time(15, 30), time(11, 30), time(13, 30))
    slots = plan_day(
        day=date(2026, 12, 4),
        zone_name="Asia/Makassar",
        hours=friday,
        services=[PASSPORT],
        counter_skills=[frozenset({1})],
    )
    assert len(slots) == 11  # 08:00–11:30 (7) and 13:30–15:30 (4)
    assert slots[7].starts_at.isoformat() == "2026-12-04T05:30:00+00:00"  # 13:30 WITA
