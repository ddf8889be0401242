"""Solve an office-day: the greedy plan first (hint, fallback, structural bound), then
CP-SAT with the instance's time limit, worker count and seed."""

from __future__ import annotations

import math
import time

from ortools.sat.python import cp_model

from scheduling.solver.day import MILLI, Day, build_day
from scheduling.solver.evaluate import Plan, evaluate
from scheduling.solver.greedy import GreedyResult, run_greedy
from scheduling.solver.instance import Instance, SolverSettings
from scheduling.solver.model import add_hint, build_model, extract_plan
from scheduling.solver.solution import Solution, build_solution


def configure(solver: cp_model.CpSolver, settings: SolverSettings) -> None:
    """Explicit limits on every solve: a bounded time, a fixed worker count and seed."""
    solver.parameters.max_time_in_seconds = settings.time_limit_seconds
    solver.parameters.num_workers = settings.workers
    solver.parameters.random_seed = settings.seed
    # CP-SAT's presolve rewrites the cost epigraphs and switch rows into a form its LP
    # bounds more slowly: on 30 benchmark days (20 counters x 18 blocks x 12 services,
    # 2 workers, 10 s allowed) 5 went unproven with it, none without, the slowest proof
    # taking 1.6 s, and the median was a little lower (docs/scheduling.md).
    solver.parameters.cp_model_presolve = False
    solver.parameters.log_search_progress = False


def solve(instance: Instance) -> Solution:
    started = time.perf_counter()
    day = build_day(instance)
    greedy = run_greedy(day)
    greedy_milli = evaluate(day, greedy.plan).objective_milli(day)
    structural = greedy.structural_bound_milli(day)
    if greedy.short:
        # Nothing CP-SAT could do: the greedy's first phase is an exact matching test.
        return build_solution(
            day,
            greedy.plan,
            status="INFEASIBLE_BOOKINGS",
            reason=f"the staffed counters cannot give the booked appointments their capacity "
            f"({greedy.short} counter-block(s) short); this is the greedy's best effort, "
            "see shortfalls",
            bounds={"cp_sat": None, "structural": None},
            solve_seconds=time.perf_counter() - started,
            greedy_objective=greedy_milli / MILLI,
        )
    model, variables = build_model(day)
    add_hint(model, day, variables, greedy.plan)
    solver = cp_model.CpSolver()
    configure(solver, instance.solver)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return _fallback(day, greedy, solver, status, structural, started)
    plan = extract_plan(solver, day, variables)
    return _solved(day, solver, status, plan, greedy, structural, started)


def _solved(
    day: Day,
    solver: cp_model.CpSolver,
    status: cp_model.CpSolverStatus,
    plan: Plan,
    greedy: GreedyResult,
    structural: int | None,
    started: float,
) -> Solution:
    greedy_milli = evaluate(day, greedy.plan).objective_milli(day)
    milli = evaluate(day, plan).objective_milli(day)
    # The objective is an integer: a fractional bound rounds up.
    cp_bound = math.ceil(solver.best_objective_bound - 1e-6)
    if status == cp_model.OPTIMAL:
        name, reason = "OPTIMAL", "CP-SAT proved the plan optimal"
    else:
        name = "FEASIBLE"
        reason = f"CP-SAT stopped at the time limit of {day.instance.solver.time_limit_seconds} s"
    if milli > greedy_milli:  # the hint should prevent this; never hand out the worse plan
        plan, milli = greedy.plan, greedy_milli
        reason += "; its plan was worse than the greedy's, which is kept"
    if name == "FEASIBLE" and milli <= max(cp_bound, structural or 0):
        name = "OPTIMAL"
        reason += ", and the structural bound proves the plan optimal"
    return build_solution(
        day,
        plan,
        status=name,
        reason=reason,
        bounds={
            "cp_sat": cp_bound / MILLI,
            "structural": None if structural is None else structural / MILLI,
        },
        solve_seconds=time.perf_counter() - started,
        greedy_objective=greedy_milli / MILLI,
    )


def _fallback(
    day: Day,
    greedy: GreedyResult,
    solver: cp_model.CpSolver,
    status: cp_model.CpSolverStatus,
    structural: int | None,
    started: float,
) -> Solution:
    name = solver.status_name(status)
    why = {
        "INFEASIBLE": "CP-SAT found the model infeasible although the greedy plan fits it",
        "MODEL_INVALID": "CP-SAT refused the model as invalid",
        "UNKNOWN": "CP-SAT found no plan within the time limit of "
        f"{day.instance.solver.time_limit_seconds} s",
    }.get(name, f"CP-SAT ended with status {name}")
    greedy_milli = evaluate(day, greedy.plan).objective_milli(day)
    return build_solution(
        day,
        greedy.plan,
        status="FALLBACK",
        reason=f"{name}: {why}; the greedy plan is used",
        bounds={"cp_sat": None, "structural": None if structural is None else structural / MILLI},
        solve_seconds=time.perf_counter() - started,
        greedy_objective=greedy_milli / MILLI,
    )
