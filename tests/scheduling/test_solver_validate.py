"""The validator, which needs no solver, refuses plans that break the rules and figures
that do not match the plan."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest

from scheduling.solver import Instance, Solution, greedy_plan, load_instance, validate

EXAMPLE = Path(__file__).resolve().parents[2] / "scheduling/solver/examples/office_day.json"


@pytest.fixture(scope="module")
def example() -> tuple[Instance, Solution]:
    instance = load_instance(json.loads(EXAMPLE.read_text()))
    return instance, greedy_plan(instance)


def _broken(example: tuple[Instance, Solution]) -> Solution:
    return copy.deepcopy(example[1])


def test_the_greedy_plan_of_the_example_is_valid(example: tuple[Instance, Solution]) -> None:
    instance, solution = example
    assert validate(instance, solution) == []


def test_a_counter_on_a_service_it_has_no_skill_for(example: tuple[Instance, Solution]) -> None:
    solution = _broken(example)
    solution.counter_plan["3"][0] = "paspor-baru"  # counter 3 knows only paspor-ganti
    assert validate(example[0], solution) == ["counter 3 at 08:00: not skilled for 'paspor-baru'"]


def test_more_counters_than_staffed(example: tuple[Instance, Solution]) -> None:
    instance, solution = example[0], _broken(example)
    b = 0  # 5 staffed of 6 counters
    for counter in instance.counters:  # every counter on a queue it may serve
        solution.counter_plan[counter.id][b] = solution.services[counter.skills[0]].queue
    assert any("08:00: 6 counters open, only 5 staffed" in p for p in validate(instance, solution))


def test_a_counter_in_a_closed_block(example: tuple[Instance, Solution]) -> None:
    instance, solution = example[0], _broken(example)
    lunch = instance.blocks.index("12:00")
    solution.counter_plan["1"][lunch] = "paspor-baru"
    assert validate(instance, solution) == ["block 12:00 is closed but counters ['1'] serve in it"]


def test_a_quota_below_the_booked_appointments(example: tuple[Instance, Solution]) -> None:
    instance, solution = example[0], _broken(example)
    solution.services["paspor-baru"].appointment_quota[0] = 0  # 1 booked
    solution.services["paspor-baru"].walk_in_capacity[0] += 1  # keep the sum consistent
    assert validate(instance, solution) == ["paspor-baru at 08:00: quota 0 is below the 1 booked"]


def test_a_quota_above_what_the_capacity_allows(example: tuple[Instance, Solution]) -> None:
    instance, solution = example[0], _broken(example)
    solution.services["paspor-ganti"].appointment_quota[0] += 5
    solution.services["paspor-ganti"].walk_in_capacity[0] -= 5  # keep the sum consistent
    problems = validate(instance, solution)
    assert len(problems) == 1
    assert problems[0].startswith("paspor-ganti at 08:00: quota ")
    assert "exceeds" in problems[0]


def test_quotas_above_the_daily_cap(example: tuple[Instance, Solution]) -> None:
    instance, solution = example[0], _broken(example)
    cap = instance.services[0].daily_quota_max
    assert cap is not None
    quota = solution.services["paspor-baru"].appointment_quota
    assert sum(quota) <= cap  # the plan trims to the cap …
    # … and a plan that sells more is refused, even where each block could take it.
    solution.services["paspor-baru"].appointment_quota = [q + 1 for q in quota]
    assert any("above the daily cap 14" in p for p in validate(instance, solution))


def test_a_misreported_objective(example: tuple[Instance, Solution]) -> None:
    instance, solution = example[0], _broken(example)
    solution.objective -= 100
    assert any(p.startswith("objective: reported") for p in validate(instance, solution))


def test_a_bookings_shortfall_hidden_behind_a_normal_status(
    example: tuple[Instance, Solution],
) -> None:
    instance, solution = example[0], _broken(example)
    # Take paspor-baru's only counter at 08:00 away: its booked appointment loses capacity.
    for counter_id, row in solution.counter_plan.items():
        if row[0] == "paspor-baru":
            solution.counter_plan[counter_id][0] = None
    problems = validate(instance, solution)
    assert "paspor-baru at 08:00: capacity for 0 appointments, 1 booked" in problems


def test_the_validator_does_not_import_or_tools() -> None:
    code = (
        "import json, sys\n"
        "from scheduling.solver import load_instance, greedy_plan, validate\n"
        f"instance = load_instance(json.load(open({str(EXAMPLE)!r})))\n"
        "assert validate(instance, greedy_plan(instance)) == []\n"
        "assert 'ortools' not in sys.modules, 'ortools was imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
