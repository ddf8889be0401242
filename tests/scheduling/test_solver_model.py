"""The CP-SAT plan on tiny days whose optimum is worked out by hand, and what happens when
CP-SAT cannot deliver: bookings that do not fit, a solver that gives up, a tiny time limit.

Shared arithmetic of the hand-worked days (one 30-minute block, 10-minute services,
80 % to be called within 15 minutes): one walk-in per block is an M/M/1 queue with
λ = 1/30 and μ = 1/10 per minute, ρ = 1/3. One counter calls 1 − ρ·e^(−(μ−λ)·15) =
1 − e^(−1)/3 ≈ 88 % within 15 minutes, so the need is 1 counter; the mean wait is
Wq = ρ/(μ − λ) = 5 minutes. With no counter the curve's straight continuation applies:
5 + max(5 − Wq(2), 30) = 35 minutes a walk-in (Wq(2) = 2/7 min).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from ortools.sat.python import cp_model

import scheduling.solver.cpsat as cpsat_module
from scheduling.solver import greedy_plan, load_instance, solve, validate
from scheduling.solver.cpsat import configure
from scheduling.solver.day import build_day
from scheduling.solver.evaluate import evaluate
from scheduling.solver.generate import generate_instance
from scheduling.solver.greedy import run_greedy
from scheduling.solver.model import add_hint, build_model, extract_plan


def _day(**changes: Any) -> dict[str, Any]:
    """One counter skilled for a and b; a's walk-in comes at 08:00, b's at 08:30."""
    instance: dict[str, Any] = {
        "version": 1,
        "name": "tiny",
        "block_minutes": 30,
        "blocks": ["08:00", "08:30"],
        "staffed": [1, 1],
        "counters": [{"id": "1", "skills": ["a", "b"]}],
        "services": [
            {
                "id": "a",
                "service_minutes": 10,
                "booked": [0, 0],
                "walk_in_forecast": [1, 0],
                "target_share": 0.8,
                "target_wait_minutes": 15,
            },
            {
                "id": "b",
                "service_minutes": 10,
                "booked": [0, 0],
                "walk_in_forecast": [0, 1],
                "target_share": 0.8,
                "target_wait_minutes": 15,
            },
        ],
        "walk_in_reserve": 0.2,
        "weights": {"unmet": 1000, "wait": 10, "switch": 20, "fairness": 200},
        "solver": {"time_limit_seconds": 5, "workers": 1, "seed": 1},
    }
    instance.update(changes)
    return instance


def test_a_lone_counter_follows_the_walk_ins_when_that_beats_a_switch() -> None:
    """a then b: no unmet need, waits 5 + 5 citizen-minutes (x10 = 100), one switch (20):
    120. Staying on a: b's walk-in is a whole counter short (1000), waits 5 + 35 minutes
    (400) and b's day is 100 % unmet (fairness 200): 1600. Idling is worse still."""
    instance = load_instance(_day())
    solution = solve(instance)
    assert solution.status == "OPTIMAL"
    assert solution.counter_plan == {"1": ["a", "b"]}
    assert solution.objective == pytest.approx(120)
    assert solution.terms == {"unmet": 0, "wait": 100, "switch": 20, "fairness": 0}
    assert solution.bound == pytest.approx(120)
    assert validate(instance, solution) == []


def test_a_dear_switch_keeps_the_counter_where_it_is() -> None:
    """Switch weight 1000, unmet and fairness weights 0: a then b costs 100 + 1000;
    staying on either service costs 5 + 35 minutes x 10 = 400, the optimum."""
    instance = load_instance(_day(weights={"unmet": 0, "wait": 10, "switch": 1000, "fairness": 0}))
    solution = solve(instance)
    assert solution.status == "OPTIMAL"
    assert solution.objective == pytest.approx(400)
    assert solution.measures["switches"] == 0
    assert validate(instance, solution) == []


def test_the_lunch_break_is_closed_and_not_a_switch() -> None:
    """A closed block between a and b: the counter is off at 08:30 and serving b at 09:00
    is no switch, because switches count between consecutive open blocks only when the
    counter serves in both — and here it idles at 08:30 whatever it does."""
    day = _day(blocks=["08:00", "08:30", "09:00"], staffed=[1, 0, 1])
    for service in day["services"]:
        service["booked"] = [0, 0, 0]
    day["services"][0]["walk_in_forecast"] = [1, 0, 0]
    day["services"][1]["walk_in_forecast"] = [0, 0, 1]
    solution = solve(load_instance(day))
    assert solution.counter_plan == {"1": ["a", None, "b"]}
    assert solution.objective == pytest.approx(120)  # the switch is still counted: a → b
    assert solution.measures["switches"] == 1


def test_bookings_that_do_not_fit_say_so_with_every_short_block() -> None:
    """Two 15-minute appointments booked at 08:00 need 2 x 15 / 30 = 1 counter of work;
    with a 20 % walk-in reserve only 80 % of a counter may be sold: 2 counters are
    needed, 1 is staffed. One counter sells floor(0.8 x 2) = 1 appointment."""
    day = _day()
    day["services"][0]["service_minutes"] = 15
    day["services"][0]["booked"] = [2, 0]
    instance = load_instance(day)
    solution = solve(instance)
    assert solution.status == "INFEASIBLE_BOOKINGS"
    assert "cannot give the booked appointments their capacity" in solution.reason
    assert solution.shortfalls == [{"service": "a", "block": "08:00", "booked": 2, "capacity": 1}]
    assert validate(instance, solution) == []  # nothing hidden: the shortfall is declared


def test_booked_appointments_keep_their_counters_even_against_the_walk_ins() -> None:
    """One 15-minute appointment of b at 08:00 is half a counter of work; 0.5 / 0.8 (the
    walk-in reserve) rounds up to the one counter. Serving a's walk-in instead would cost
    less (b half a counter short: 500; a a whole counter short: 1000 and more waiting),
    but the booking is hard."""
    day = _day()
    day["services"][1]["service_minutes"] = 15
    day["services"][1]["booked"] = [1, 0]
    instance = load_instance(day)
    solution = solve(instance)
    assert solution.counter_plan["1"][0] == "b"
    assert solution.services["b"].appointment_quota[0] >= 1
    assert validate(instance, solution) == []


class _GivesUp(cp_model.CpSolver):
    status = cp_model.UNKNOWN

    def solve(self, *args: Any, **kwargs: Any) -> Any:
        return self.status


@pytest.mark.parametrize("status", [cp_model.INFEASIBLE, cp_model.MODEL_INVALID, cp_model.UNKNOWN])
def test_a_solver_without_a_plan_falls_back_to_the_greedy_with_the_reason(
    status: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    giving_up = type("GivingUp", (_GivesUp,), {"status": status})
    monkeypatch.setattr(cpsat_module.cp_model, "CpSolver", giving_up)
    instance = load_instance(_day())
    solution = solve(instance)
    assert solution.status == "FALLBACK"
    assert solution.reason.startswith(status.name)
    assert "the greedy plan is used" in solution.reason
    assert solution.objective == greedy_plan(instance).objective
    assert validate(instance, solution) == []


def test_a_tiny_time_limit_on_a_big_day_still_gives_a_valid_plan() -> None:
    data = generate_instance(counters=40, blocks=18, services=20, seed=3)
    data["solver"] = {"time_limit_seconds": 0.001, "workers": 2, "seed": 1}
    instance = load_instance(data)
    solution = solve(instance)
    assert solution.status in {"FALLBACK", "FEASIBLE", "OPTIMAL"}
    if solution.status == "FALLBACK":
        assert "UNKNOWN" in solution.reason
    assert solution.greedy_objective is not None
    assert solution.objective <= solution.greedy_objective
    assert validate(instance, solution) == []


def test_a_pool_takes_only_counters_skilled_for_all_of_it() -> None:
    """a and b share one queue. Counter 2 knows b but not a, so it cannot serve the pool
    (b has no queue of its own) and serves c; counter 1 serves the pool."""
    day = _day(
        staffed=[2, 2],
        counters=[{"id": "1", "skills": ["a", "b"]}, {"id": "2", "skills": ["b", "c"]}],
        pools=[["a", "b"]],
    )
    day["services"].append(
        {
            "id": "c",
            "service_minutes": 10,
            "booked": [0, 0],
            "walk_in_forecast": [1, 1],
            "target_share": 0.8,
            "target_wait_minutes": 15,
        }
    )
    instance = load_instance(day)
    solution = solve(instance)
    assert solution.counter_plan == {"1": ["a+b", "a+b"], "2": ["c", "c"]}
    assert solution.services["a"].queue == solution.services["b"].queue == "a+b"
    assert validate(instance, solution) == []


def test_the_example_day_is_solved_to_a_valid_plan_no_worse_than_the_greedy() -> None:
    path = Path(__file__).resolve().parents[2] / "scheduling/solver/examples/office_day.json"
    instance = load_instance(json.loads(path.read_text()))
    solution = solve(instance)
    assert solution.status in {"OPTIMAL", "FEASIBLE"}
    assert solution.greedy_objective is not None
    assert solution.objective <= solution.greedy_objective
    assert solution.bound <= solution.objective
    assert validate(instance, solution) == []


@pytest.mark.parametrize("seed", range(4))
def test_cp_sat_counts_the_objective_exactly_as_the_evaluation_does(seed: int) -> None:
    """The model's integer objective and `evaluate` (greedy, validator) agree on CP-SAT's
    plan and on the hint, so "proven optimal" means optimal for the reported objective."""
    instance = load_instance(generate_instance(counters=6, blocks=14, services=4, seed=seed))
    day = build_day(instance)
    greedy = run_greedy(day)
    model, variables = build_model(day)
    add_hint(model, day, variables, greedy.plan)
    solver = cp_model.CpSolver()
    configure(solver, instance.solver)
    assert solver.solve(model) == cp_model.OPTIMAL
    plan = extract_plan(solver, day, variables)
    assert evaluate(day, plan).objective_milli(day) == round(solver.objective_value)
    structural = greedy.structural_bound_milli(day)
    assert structural is not None
    assert (
        structural
        <= round(solver.objective_value)
        <= evaluate(day, greedy.plan).objective_milli(day)
    )
