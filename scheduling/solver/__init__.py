"""Plans one office-day: which queue (a service, or a pool of services sharing one queue)
each open counter serves in each block. Pure Python and OR-Tools CP-SAT; no Django.

    instance = load_instance(json.load(f))   # checked; InstanceError names the field
    solution = solve(instance)               # CP-SAT, hinted and backed by the greedy
    problems = validate(instance, solution)  # [] when valid; needs no solver

`greedy_plan` gives the greedy plan alone. The model: docs/scheduling.md.
"""

from __future__ import annotations

from scheduling.solver.greedy import greedy_plan
from scheduling.solver.instance import Instance, InstanceError, load_instance
from scheduling.solver.solution import ServiceOutcome, Solution
from scheduling.solver.validate import validate

__all__ = [
    "Instance",
    "InstanceError",
    "ServiceOutcome",
    "Solution",
    "greedy_plan",
    "load_instance",
    "solve",
    "validate",
]


def solve(instance: Instance) -> Solution:
    """The best plan CP-SAT finds within the instance's limits (see cpsat.py)."""
    # Imported here so that loading, the greedy and the validator never import OR-Tools.
    from scheduling.solver.cpsat import solve as solve_with_cp_sat

    return solve_with_cp_sat(instance)
