"""The CP-SAT model, one function per variable group, constraint and objective term (the
cpsat-primer layout). Every number comes from `Day`, so the model's objective is the same
integer that `evaluate` computes for a plan. Solving, hint and fallback: cpsat.py."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from scheduling.solver.day import MILLI, Day
from scheduling.solver.evaluate import Plan, evaluate

Expr = cp_model.LinearExpr | int


@dataclass
class Variables:
    assign: dict[tuple[int, int, int], cp_model.IntVar] = field(default_factory=dict)  # c, b, q
    count: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)  # q, b
    # q, b: a variable, or a constant in a closed block
    unmet: dict[tuple[int, int], cp_model.IntVar | int] = field(default_factory=dict)
    wait: dict[tuple[int, int], cp_model.IntVar | int] = field(default_factory=dict)
    switch: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)  # c, pair
    fairness: cp_model.IntVar | None = None


def create_variables(model: cp_model.CpModel, day: Day) -> Variables:
    """x[c,b,q] for open blocks and skilled counters only; n[q,b] is bounded below by the
    bookings (the hard constraint) and above by the skilled counters."""
    v = Variables()
    for b in day.open_blocks:
        for c, queues in enumerate(day.eligible):
            for q in queues:
                v.assign[c, b, q] = model.new_bool_var(f"x[{c},{b},{q}]")
        for q in range(len(day.queues)):
            low = day.curves[q][b].min_counters
            v.count[q, b] = model.new_int_var(low, max(low, day.top(q)), f"n[{q},{b}]")
    return v


def add_counts(model: cp_model.CpModel, day: Day, v: Variables) -> None:
    for (q, b), count in v.count.items():
        model.add(count == sum(v.assign[c, b, q] for c in day.queues[q].counters))


def add_one_queue_per_counter(model: cp_model.CpModel, day: Day, v: Variables) -> None:
    for b in day.open_blocks:
        for c, queues in enumerate(day.eligible):
            model.add_at_most_one(v.assign[c, b, q] for q in queues)


def add_staffed_limit(model: cp_model.CpModel, day: Day, v: Variables) -> None:
    for b in day.open_blocks:
        opened = sum(v.count[q, b] for q in range(len(day.queues)))
        model.add(opened <= day.instance.staffed[b])


def add_unmet_term(model: cp_model.CpModel, day: Day, v: Variables) -> Expr:
    """Σ max(0, need − n) over queues and blocks, thousandths of a counter-block."""
    for q, curves in enumerate(day.curves):
        for b, curve in enumerate(curves):
            if (q, b) not in v.count:
                v.unmet[q, b] = curve.unmet[0]  # a closed block: nobody there
                continue
            low, top = curve.min_counters, day.top(q)
            unmet = model.new_int_var(curve.unmet[top], curve.unmet[min(low, top)], f"u[{q},{b}]")
            model.add(unmet >= curve.need_milli - MILLI * v.count[q, b])
            v.unmet[q, b] = unmet
    return sum(v.unmet.values())


def add_wait_term(model: cp_model.CpModel, day: Day, v: Variables) -> Expr:
    """Σ arrivals × mean wait over queues and blocks, thousandths of a citizen-minute.

    The table is convex in n, so the epigraph of its chords (one per step) is exact at
    whole n and its linear relaxation is as tight as it gets.
    """
    for q, curves in enumerate(day.curves):
        for b, curve in enumerate(curves):
            if (q, b) not in v.count:
                v.wait[q, b] = curve.wait[0]
                continue
            table, low, top = curve.wait, min(curve.min_counters, day.top(q)), day.top(q)
            wait = model.new_int_var(table[top], table[low], f"w[{q},{b}]")
            last_step = None
            for k in range(low, top):
                step = table[k + 1] - table[k]
                if step != last_step:  # equal steps lie on the same line
                    model.add(wait >= table[k] + step * (v.count[q, b] - k))
                    last_step = step
            v.wait[q, b] = wait
    return sum(v.wait.values())


def add_switch_term(model: cp_model.CpModel, day: Day, v: Variables) -> Expr:
    """Counters that serve one queue in an open block and another in the next open one:
    s ≥ x[before, q] + busy[after] − x[after, q] − 1 for every queue q of the counter.

    (A formulation with explicit "stay" variables was tried: its LP relaxation is tighter
    on paper, but CP-SAT took about twice the deterministic time on the benchmark days.)
    """
    pairs = list(itertools.pairwise(day.open_blocks))
    for c, queues in enumerate(day.eligible):
        if len(queues) < 2:
            continue  # a counter with one queue never switches
        for i, (before, after) in enumerate(pairs):
            switch = model.new_bool_var(f"s[{c},{i}]")
            busy_after = sum(v.assign[c, after, q] for q in queues)
            for q in queues:
                # on q before, busy after, not on q after ⇒ a switch
                model.add(switch >= v.assign[c, before, q] + busy_after - v.assign[c, after, q] - 1)
            v.switch[c, i] = switch
    return sum(v.switch.values())


def add_fairness_term(model: cp_model.CpModel, day: Day, v: Variables) -> Expr:
    """F ≥ the unmet share of every service's need, thousandths: F·Σw·need ≥ 1000·Σw·unmet."""
    fairness = model.new_int_var(0, MILLI, "fairness")
    for s, q in enumerate(day.queue_of):
        total = day.fair_totals[s]
        if total == 0:
            continue
        member = day.queues[q].services.index(s)
        short = sum(
            curve.fair_weights[member] * v.unmet[q, b] for b, curve in enumerate(day.curves[q])
        )
        model.add(total * fairness >= MILLI * short)
    v.fairness = fairness
    return fairness


def set_objective(model: cp_model.CpModel, day: Day, v: Variables) -> None:
    weights = day.instance.weights
    model.minimize(
        weights.unmet * add_unmet_term(model, day, v)
        + weights.wait * add_wait_term(model, day, v)
        + weights.switch * MILLI * add_switch_term(model, day, v)
        + weights.fairness * add_fairness_term(model, day, v)
    )


def build_model(day: Day) -> tuple[cp_model.CpModel, Variables]:
    model = cp_model.CpModel()
    v = create_variables(model, day)
    add_counts(model, day, v)
    add_one_queue_per_counter(model, day, v)
    add_staffed_limit(model, day, v)
    set_objective(model, day, v)
    return model, v


def add_hint(model: cp_model.CpModel, day: Day, v: Variables, plan: Plan) -> None:
    """A complete hint (every variable), so CP-SAT starts from the greedy plan."""
    evaluation = evaluate(day, plan)
    for (c, b, q), var in v.assign.items():
        model.add_hint(var, plan[c][b] == q)
    for (q, b), var in v.count.items():
        n = evaluation.counts[q][b]
        model.add_hint(var, n)
        for table, exprs in ((day.curves[q][b].unmet, v.unmet), (day.curves[q][b].wait, v.wait)):
            cost = exprs[q, b]
            if isinstance(cost, cp_model.IntVar):
                model.add_hint(cost, table[n])
    pairs = list(itertools.pairwise(day.open_blocks))
    for (c, i), var in v.switch.items():
        before, after = (plan[c][b] for b in pairs[i])
        model.add_hint(var, before is not None and after is not None and before != after)
    if v.fairness is not None:
        model.add_hint(v.fairness, evaluation.fairness_milli)


def extract_plan(solver: cp_model.CpSolver, day: Day, v: Variables) -> Plan:
    plan: Plan = [[None] * len(day.instance.blocks) for _ in day.instance.counters]
    for (c, b, q), var in v.assign.items():
        if solver.boolean_value(var):
            plan[c][b] = q
    return plan
