"""Check a solution against its instance without the solver: the rules a plan must keep,
and the figures it reports. Uses the same definitions (day.py, evaluate.py) as the model
but no CP-SAT, so it can vet plans from any source, including a hand-edited JSON file."""

from __future__ import annotations

import math

from scheduling.solver.day import MILLI, Day, build_day
from scheduling.solver.evaluate import (
    Plan,
    bookable,
    evaluate,
    service_capacities,
)
from scheduling.solver.instance import Instance
from scheduling.solver.solution import STATUSES, Solution

TOLERANCE = 0.01  # reported figures are rounded to 3 decimals


def validate(instance: Instance, solution: Solution) -> list[str]:
    """The problems of `solution` for `instance`; an empty list means it is valid."""
    day = build_day(instance)
    problems: list[str] = []
    plan = _read_plan(day, solution, problems)
    if plan is None:
        return problems
    _check_blocks(day, plan, problems)
    if problems:
        return problems  # figures of an impossible plan mean nothing
    _check_services(day, plan, solution, problems)
    _check_figures(day, plan, solution, problems)
    return problems


def _read_plan(day: Day, solution: Solution, problems: list[str]) -> Plan | None:
    instance = day.instance
    queue_index = {queue.id: q for q, queue in enumerate(day.queues)}
    expected = [c.id for c in instance.counters]
    if sorted(solution.counter_plan) != sorted(expected):
        problems.append(
            f"counter_plan: expected counters {expected}, got {list(solution.counter_plan)}"
        )
        return None
    plan: Plan = []
    for c, counter in enumerate(instance.counters):
        row = solution.counter_plan[counter.id]
        if len(row) != len(instance.blocks):
            problems.append(
                f"counter_plan[{counter.id!r}]: expected {len(instance.blocks)} blocks, "
                f"got {len(row)}"
            )
            return None
        plan.append([])
        for b, name in enumerate(row):
            q = None if name is None else queue_index.get(name)
            if name is not None and q is None:
                problems.append(
                    f"counter {counter.id} at {instance.blocks[b]}: unknown queue {name!r}"
                )
            elif q is not None and q not in day.eligible[c]:
                problems.append(
                    f"counter {counter.id} at {instance.blocks[b]}: not skilled for {name!r}"
                )
                q = None
            plan[c].append(q)
    return plan


def _check_blocks(day: Day, plan: Plan, problems: list[str]) -> None:
    instance = day.instance
    for b, label in enumerate(instance.blocks):
        open_counters = [
            instance.counters[c].id for c, row in enumerate(plan) if row[b] is not None
        ]
        if instance.staffed[b] == 0 and open_counters:
            problems.append(f"block {label} is closed but counters {open_counters} serve in it")
        elif len(open_counters) > instance.staffed[b]:
            problems.append(
                f"block {label}: {len(open_counters)} counters open, "
                f"only {instance.staffed[b]} staffed"
            )


def _check_services(day: Day, plan: Plan, solution: Solution, problems: list[str]) -> None:
    instance = day.instance
    counts = evaluate(day, plan).counts
    caps = service_capacities(day, counts)
    excused = {(s["service"], s["block"]) for s in solution.shortfalls}
    if solution.status != "INFEASIBLE_BOOKINGS":
        excused = set()
    for s, service in enumerate(instance.services):
        outcome = solution.services.get(service.id)
        if outcome is None:
            problems.append(f"services: {service.id!r} is missing")
            continue
        lists = {key: value for key, value in vars(outcome).items() if isinstance(value, list)}
        short = [key for key, value in lists.items() if len(value) != len(instance.blocks)]
        if short:
            problems.append(f"services[{service.id!r}]: {short} need one value per block")
            continue
        if outcome.counters != counts[day.queue_of[s]]:
            problems.append(f"services[{service.id!r}].counters do not match the counter plan")
        quota = outcome.appointment_quota
        if not all(isinstance(x, int) for x in quota):
            problems.append(
                f"services[{service.id!r}].appointment_quota: one whole number per block"
            )
            continue
        for b, label in enumerate(instance.blocks):
            most = bookable(day, caps[s][b])
            if most < service.booked[b] and (service.id, label) not in excused:
                problems.append(
                    f"{service.id} at {label}: capacity for {most} appointments, "
                    f"{service.booked[b]} booked"
                )
            elif quota[b] < service.booked[b] and (service.id, label) not in excused:
                problems.append(
                    f"{service.id} at {label}: quota {quota[b]} "
                    f"is below the {service.booked[b]} booked"
                )
            if quota[b] > most:
                problems.append(
                    f"{service.id} at {label}: quota {quota[b]} exceeds the {most} the capacity "
                    f"allows after the walk-in reserve"
                )
            walk_in = caps[s][b] - quota[b]
            if not math.isclose(outcome.walk_in_capacity[b], walk_in, abs_tol=TOLERANCE):
                problems.append(
                    f"{service.id} at {label}: walk-in capacity {outcome.walk_in_capacity[b]} "
                    f"should be {walk_in:.3f}"
                )
        if service.daily_quota_max is not None and sum(quota) > service.daily_quota_max:
            problems.append(
                f"{service.id}: quotas add up to {sum(quota)}, above the daily cap "
                f"{service.daily_quota_max}"
            )


def _check_figures(day: Day, plan: Plan, solution: Solution, problems: list[str]) -> None:
    if solution.status not in STATUSES:
        problems.append(f"status: {solution.status!r} is not one of {', '.join(STATUSES)}")
    evaluation = evaluate(day, plan)
    objective = evaluation.objective_milli(day) / MILLI
    if not math.isclose(solution.objective, objective, abs_tol=TOLERANCE):
        problems.append(f"objective: reported {solution.objective}, the plan gives {objective}")
    if not math.isclose(sum(solution.terms.values()), solution.objective, abs_tol=TOLERANCE):
        problems.append("terms: they do not add up to the objective")
    if solution.bound > solution.objective + TOLERANCE:
        problems.append(f"bound: {solution.bound} is above the objective {solution.objective}")
    if solution.status != "INFEASIBLE_BOOKINGS" and solution.shortfalls:
        problems.append("shortfalls are listed but the status is not INFEASIBLE_BOOKINGS")
    for s, service in enumerate(day.instance.services):
        outcome = solution.services.get(service.id)
        q = day.queue_of[s]
        if outcome is None:
            continue
        member = day.queues[q].services.index(s)
        for b, curve in enumerate(day.curves[q]):
            n = evaluation.counts[q][b]
            unmet = curve.demand_shares[member] * curve.unmet[n] / MILLI
            if not math.isclose(outcome.unmet_need[b], unmet, abs_tol=TOLERANCE):
                problems.append(
                    f"{service.id} at {day.instance.blocks[b]}: unmet need should be {unmet:.3f}"
                )
            if not math.isclose(
                outcome.expected_wait_minutes[b], curve.wait_minutes[n], abs_tol=TOLERANCE
            ):
                problems.append(
                    f"{service.id} at {day.instance.blocks[b]}: expected wait should be "
                    f"{curve.wait_minutes[n]:.3f}"
                )
