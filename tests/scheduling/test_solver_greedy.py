"""The greedy planner: exact per block (against brute force), and, with CP-SAT, never
short of the bookings when they can fit and never better than CP-SAT's plan."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduling.solver import greedy_plan, load_instance, solve, validate
from scheduling.solver.assign import assign_counters
from scheduling.solver.day import Day, build_day
from scheduling.solver.greedy import plan_block, queue_cost

MINUTES = (5, 10, 15, 30)


@st.composite
def tiny_days(draw: st.DrawFn, *, max_blocks: int = 3) -> dict[str, Any]:
    """Up to 4 counters, 3 services (maybe a pool of the first two) and `max_blocks`."""
    blocks = draw(st.integers(1, max_blocks))
    services = draw(st.integers(1, 3))
    counters = draw(st.integers(1, 4))
    names = ["a", "b", "c"][:services]
    pool = ["a", "b"] if services >= 2 and draw(st.booleans()) else []
    skills = []
    for _ in range(counters):
        chosen = set(draw(st.lists(st.sampled_from(names), min_size=1, max_size=3)))
        if pool and chosen <= set(pool):
            chosen |= set(pool)  # a counter must be able to serve some queue
        skills.append(sorted(chosen))
    staffed = draw(st.lists(st.integers(0, counters), min_size=blocks, max_size=blocks))
    if not any(staffed):
        staffed[0] = 1
    return {
        "version": 1,
        "name": "tiny",
        "block_minutes": 30,
        "blocks": [f"{8 + b // 2:02d}:{30 * (b % 2):02d}" for b in range(blocks)],
        "staffed": staffed,
        "counters": [{"id": str(c + 1), "skills": s} for c, s in enumerate(skills)],
        "services": [
            {
                "id": name,
                "service_minutes": draw(st.sampled_from(MINUTES)),
                "booked": draw(st.lists(st.integers(0, 2), min_size=blocks, max_size=blocks)),
                "walk_in_forecast": draw(
                    st.lists(st.sampled_from((0, 0.5, 1, 2.5, 4)), min_size=blocks, max_size=blocks)
                ),
                "target_share": draw(st.sampled_from((0.5, 0.8, 0.9))),
                "target_wait_minutes": draw(st.sampled_from((5, 15, 30))),
            }
            for name in names
        ],
        "pools": [pool] if pool else [],
        "walk_in_reserve": draw(st.sampled_from((0, 0.2, 0.5))),
        "weights": {
            "unmet": draw(st.sampled_from((0, 1, 1000))),
            "wait": draw(st.sampled_from((0, 1, 10))),
            "switch": draw(st.sampled_from((0, 20, 500))),
            "fairness": draw(st.sampled_from((0, 200))),
        },
        "solver": {"time_limit_seconds": 5, "workers": 1, "seed": 1},
    }


def _brute_force_block(day: Day, b: int) -> int | None:
    """The least separable cost of block b over every assignment, None if none fits."""
    choices = [(None, *day.eligible[c]) for c in range(len(day.instance.counters))]
    best = None
    for owners in itertools.product(*choices):
        if sum(q is not None for q in owners) > day.instance.staffed[b]:
            continue
        counts = [sum(q == k for q in owners) for k in range(len(day.queues))]
        if any(n < day.curves[k][b].min_counters for k, n in enumerate(counts)):
            continue
        cost = sum(queue_cost(day, k, b, n) for k, n in enumerate(counts))
        best = cost if best is None else min(best, cost)
    return best


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_days(max_blocks=1))
def test_the_greedy_block_equals_the_brute_force_optimum(data: dict[str, Any]) -> None:
    day = build_day(load_instance(data))
    block = plan_block(day, 0, [None] * len(day.instance.counters))
    best = _brute_force_block(day, 0)
    if best is None:
        assert block.short > 0  # bookings cannot fit: the greedy knows
    else:
        assert block.short == 0
        assert block.cost_milli == best
        assert sum(block.counts) <= day.instance.staffed[0]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_days())
def test_no_plan_leaves_bookings_short_when_they_fit_and_cp_sat_never_loses_to_greedy(
    data: dict[str, Any],
) -> None:
    instance = load_instance(data)
    day = build_day(instance)
    fits = all(_brute_force_block(day, b) is not None for b in range(len(instance.blocks)))
    greedy, best = greedy_plan(instance), solve(instance)
    for solution in (greedy, best):
        assert validate(instance, solution) == []
        if fits:
            assert solution.status != "INFEASIBLE_BOOKINGS"
            for service in instance.services:
                quota = solution.services[service.id].appointment_quota
                assert all(q >= booked for q, booked in zip(quota, service.booked, strict=True))
        else:
            assert solution.status == "INFEASIBLE_BOOKINGS"
            assert solution.shortfalls
    assert best.objective <= greedy.objective + 1e-9
    assert best.bound <= best.objective + 1e-9


def test_an_augmenting_path_moves_a_counter_to_make_room() -> None:
    """Counter 1 knows a and b, counters 2 and 3 only a; two are staffed; a and b each
    expect one walk-in. Queue a takes its first counter first (a tie, broken by order) and
    gets counter 1; b can then only be served by moving a over to counter 2. Without that
    move b would go unserved and a would get a second counter it hardly needs."""
    data = _room_day()
    day = build_day(load_instance(data))
    block = plan_block(day, 0, [None, None, None])
    assert block.short == 0
    assert block.counts == [1, 1]
    assert block.owner[0] == 1  # counter 1 serves b (queue 1)
    assert block.cost_milli == _brute_force_block(day, 0)


def _room_day() -> dict[str, Any]:
    service = {
        "service_minutes": 10,
        "booked": [0],
        "walk_in_forecast": [1],
        "target_share": 0.8,
        "target_wait_minutes": 15,
    }
    return {
        "version": 1,
        "name": "room",
        "block_minutes": 30,
        "blocks": ["08:00"],
        "staffed": [2],
        "counters": [
            {"id": "1", "skills": ["a", "b"]},
            {"id": "2", "skills": ["a"]},
            {"id": "3", "skills": ["a"]},
        ],
        "services": [{"id": "a", **service}, {"id": "b", **service}],
    }


def test_counters_keep_their_queue_from_the_block_before_when_the_counts_allow() -> None:
    """Both counters know a and b; before, counter 1 served b and counter 2 a. With one
    counter for each again, the plan keeps them where they were: no switch, where the
    first-come matching (counter 1 to a) would make two."""
    data = _room_day()
    data["counters"] = [{"id": "1", "skills": ["a", "b"]}, {"id": "2", "skills": ["a", "b"]}]
    day = build_day(load_instance(data))
    assert assign_counters(day, [1, 1], [1, 0]) == [1, 0]
    assert assign_counters(day, [2, 0], [1, 0]) == [0, 0]  # one switch cannot be avoided
