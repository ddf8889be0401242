"""The greedy planner: exact per block for the separable part of the objective, and the
solver's hint, fallback and structural lower bound.

Without the switching and fairness terms a block's problem is: choose how many counters
n_q each queue gets, at most `staffed` in all, such that the counters can be matched to
queues they are skilled for (a transversal matroid on the "k-th counter of queue q"
slots, truncated at `staffed`), minimising Σ_q cost_q(n_q) with every cost_q convex. So
the marginal gains of a queue never grow, and the matroid greedy is exact: repeatedly
take the slot with the largest gain whose addition still has a matching, found by an
augmenting path. Slots that the bookings require come first (as if their gain were
infinite), so the greedy also decides whether the bookings fit at all.
"""

from __future__ import annotations

import heapq
import time
from dataclasses import dataclass

from scheduling.solver.assign import assign_counters
from scheduling.solver.day import MILLI, Day, build_day
from scheduling.solver.evaluate import Plan, evaluate, fairness_milli
from scheduling.solver.instance import Instance
from scheduling.solver.solution import Solution, build_solution


@dataclass(frozen=True)
class BlockPlan:
    counts: list[int]  # per queue
    owner: list[int | None]  # per counter: its queue
    cost_milli: int  # Σ_q cost_q(n_q): weighted unmet and wait, thousandths
    short: int  # counters the bookings needed and did not get


def queue_cost(day: Day, q: int, b: int, n: int) -> int:
    """The separable part of the objective for queue q in block b with n counters."""
    curve, weights = day.curves[q][b], day.instance.weights
    return weights.unmet * curve.unmet[n] + weights.wait * curve.wait[n]


class _Matching:
    """Counters matched to queues; a queue can hold several counters."""

    def __init__(self, day: Day) -> None:
        self.day = day
        self.owner: list[int | None] = [None] * len(day.instance.counters)

    def add(self, q: int) -> bool:
        """Give queue q one more counter, moving others along an augmenting path if
        needed; False (and nothing changed) when no matching has room for it."""
        return self._augment(q, set())

    def _augment(self, q: int, visited: set[int]) -> bool:
        # Free counters first: the shortest augmenting paths.
        order = sorted(self.day.queues[q].counters, key=lambda c: self.owner[c] is not None)
        for c in order:
            if c in visited:
                continue
            visited.add(c)
            holder = self.owner[c]
            if holder is None or self._augment(holder, visited):
                self.owner[c] = q
                return True
        return False


def plan_block(day: Day, b: int, previous: list[int | None]) -> BlockPlan:
    """The block's exact separable optimum; its counters are then chosen to switch as
    little as possible from `previous` (the owners in the last open block)."""
    queues = range(len(day.queues))
    staffed = day.instance.staffed[b]
    matching = _Matching(day)
    counts = [0] * len(day.queues)
    short = 0
    for q in queues:  # the bookings' counters first: they are hard
        for _ in range(day.curves[q][b].min_counters):
            if sum(counts) < staffed and matching.add(q):
                counts[q] += 1
            else:
                short += 1
    heap = [(-_gain(day, q, b, counts[q]), q) for q in queues if counts[q] < day.top(q)]
    heapq.heapify(heap)
    while heap and sum(counts) < staffed:
        loss, q = heapq.heappop(heap)
        if loss >= 0:
            break  # no slot left improves anything
        if not matching.add(q):
            continue  # and never will in this block: the matroid only gets fuller
        counts[q] += 1
        if counts[q] < day.top(q):
            heapq.heappush(heap, (-_gain(day, q, b, counts[q]), q))
    cost = sum(queue_cost(day, q, b, counts[q]) for q in queues)
    return BlockPlan(counts, assign_counters(day, counts, previous), cost, short)


def _gain(day: Day, q: int, b: int, n: int) -> int:
    return queue_cost(day, q, b, n) - queue_cost(day, q, b, n + 1)


@dataclass(frozen=True)
class GreedyResult:
    plan: Plan
    block_costs_milli: list[int]
    short: int  # counters missing for bookings, over the day (0: the bookings fit)

    def structural_bound_milli(self, day: Day) -> int | None:
        """A lower bound on the full objective: switching ≥ 0, each block at least its
        separable optimum, and the worst unmet share at least what it would be if every
        queue had all the counters it could ever get. None when the bookings do not fit."""
        if self.short:
            return None
        most = [
            [min(staffed, day.top(q)) for staffed in day.instance.staffed]
            for q in range(len(day.queues))
        ]
        return sum(self.block_costs_milli) + day.instance.weights.fairness * fairness_milli(
            day, most
        )


def run_greedy(day: Day) -> GreedyResult:
    counters = len(day.instance.counters)
    plan: Plan = [[None] * len(day.instance.blocks) for _ in range(counters)]
    previous: list[int | None] = [None] * counters
    costs, short = [], 0
    for b in range(len(day.instance.blocks)):
        block = plan_block(day, b, previous)
        for c, q in enumerate(block.owner):
            plan[c][b] = q
        if day.instance.staffed[b]:
            previous = block.owner
        costs.append(block.cost_milli)
        short += block.short
    return GreedyResult(plan, costs, short)


def greedy_plan(instance: Instance) -> Solution:
    """The greedy plan alone, without CP-SAT."""
    started = time.perf_counter()
    day = build_day(instance)
    result = run_greedy(day)
    bound = result.structural_bound_milli(day)
    objective = evaluate(day, result.plan).objective_milli(day)
    proven = bound is not None and objective <= bound
    return build_solution(
        day,
        result.plan,
        status="OPTIMAL" if proven else "FEASIBLE",
        reason="greedy plan"
        + (", proven optimal by the structural bound" if proven else " (no CP-SAT)"),
        bounds={"cp_sat": None, "structural": None if bound is None else bound / MILLI},
        solve_seconds=time.perf_counter() - started,
        greedy_objective=objective / MILLI,
    )
