"""The pooling effect that docs/scheduling.md promises, computed by the model itself: two
services of 2.4 walk-ins per half hour, 10 minutes each, 80 % to be called in 15 min."""

from __future__ import annotations

from typing import Any

import pytest

from scheduling.erlang import mean_wait
from scheduling.solver import load_instance
from scheduling.solver.day import MILLI, build_day


def _day(pools: list[list[str]]) -> dict[str, Any]:
    service = {
        "service_minutes": 10,
        "booked": [0],
        "walk_in_forecast": [2.4],
        "target_share": 0.8,
        "target_wait_minutes": 15,
    }
    return {
        "version": 1,
        "name": "pooling",
        "block_minutes": 30,
        "blocks": ["08:00"],
        "staffed": [4],
        "counters": [{"id": str(c), "skills": ["a", "b"]} for c in range(1, 5)],
        "services": [{"id": "a", **service}, {"id": "b", **service}],
        "pools": pools,
    }


def test_one_shared_queue_needs_a_counter_less_than_two_separate_ones() -> None:
    apart = build_day(load_instance(_day([])))
    pooled = build_day(load_instance(_day([["a", "b"]])))
    assert [curves[0].need_milli / MILLI for curves in apart.curves] == [2, 2]
    assert [curves[0].need_milli / MILLI for curves in pooled.curves] == [3]


def test_with_two_counters_a_shared_queue_waits_less_than_half_as_long() -> None:
    apart = build_day(load_instance(_day([])))
    pooled = build_day(load_instance(_day([["a", "b"]])))
    # One counter each: M/M/1 with ρ = 0.8, Wq = ρ/(μ − λ) = 0.8/(0.1 − 0.08) = 40 min.
    assert mean_wait(1, 2.4 / 30, 0.1) == pytest.approx(40)
    # The model does not trust a steady state that would not clear within the block
    # (30 min): from 2 counters (Wq = 1.9 min) it adds one block per missing counter.
    assert apart.curves[0][0].wait_minutes[1] == pytest.approx(mean_wait(2, 2.4 / 30, 0.1) + 30)
    # Both counters on one queue: M/M/2 with ρ = 0.8, Wq = ρ²/(μ(1 − ρ²)) = 17.8 min.
    assert pooled.curves[0][0].wait_minutes[2] == pytest.approx(0.64 / 0.036)
