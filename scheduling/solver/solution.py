"""The solution: a counter plan and what it gives each service, with the objective, its
bounds and how the solve went. `build_solution` derives everything from the plan, so a
plan from CP-SAT and one from the greedy are reported the same way."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scheduling.solver.day import MILLI, Day
from scheduling.solver.evaluate import (
    Evaluation,
    Plan,
    appointment_quotas,
    evaluate,
    service_capacities,
    shortfalls,
)

STATUSES = ("OPTIMAL", "FEASIBLE", "FALLBACK", "INFEASIBLE_BOOKINGS")


@dataclass
class ServiceOutcome:
    queue: str  # the queue the service is served in (its own id, or its pool's)
    counters: list[int]  # counters on that queue, per block
    appointment_quota: list[int]  # appointments booking may sell, per block
    walk_in_capacity: list[float]  # services per block left for walk-ins
    need: list[float]  # counters needed (its share of a pool's need)
    unmet_need: list[float]  # counters short of the need (its share of a pool's)
    expected_wait_minutes: list[float]  # mean wait of a walk-in (Erlang C)


@dataclass
class Solution:
    status: str
    reason: str
    objective: float
    bound: float  # the better of the two lower bounds below
    bounds: dict[str, float | None]  # {"cp_sat": …, "structural": …}
    gap: float  # (objective − bound) / objective; 0 when both are 0
    solve_seconds: float
    counter_plan: dict[str, list[str | None]]
    services: dict[str, ServiceOutcome]
    terms: dict[str, float]  # weighted, in objective units; they add up to the objective
    measures: dict[str, float]  # the same terms unweighted, in their own units
    greedy_objective: float | None
    shortfalls: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = {key: value for key, value in vars(self).items() if key != "services"}
        data["services"] = {key: vars(value).copy() for key, value in self.services.items()}
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Solution:
        values = dict(data)
        values["services"] = {
            key: ServiceOutcome(**value) for key, value in data["services"].items()
        }
        return cls(**values)


def _round(value: float) -> float:
    return round(value, 3)


def _outcomes(day: Day, evaluation: Evaluation) -> dict[str, ServiceOutcome]:
    caps = service_capacities(day, evaluation.counts)
    quotas = appointment_quotas(day, caps)
    outcomes = {}
    for s, service in enumerate(day.instance.services):
        q = day.queue_of[s]
        member = day.queues[q].services.index(s)
        counts = evaluation.counts[q]
        curves = day.curves[q]
        outcomes[service.id] = ServiceOutcome(
            queue=day.queues[q].id,
            counters=list(counts),
            appointment_quota=quotas[s],
            walk_in_capacity=[_round(c - a) for c, a in zip(caps[s], quotas[s], strict=True)],
            need=[_round(c.demand_shares[member] * c.need_milli / MILLI) for c in curves],
            unmet_need=[
                _round(c.demand_shares[member] * c.unmet[n] / MILLI)
                for c, n in zip(curves, counts, strict=True)
            ],
            expected_wait_minutes=[
                _round(c.wait_minutes[n]) for c, n in zip(curves, counts, strict=True)
            ],
        )
    return outcomes


def gap_of(objective: float, bound: float) -> float:
    if objective <= 0:
        return 0.0
    return round(max(0.0, objective - bound) / objective, 6)


def build_solution(
    day: Day,
    plan: Plan,
    *,
    status: str,
    reason: str,
    bounds: dict[str, float | None],
    solve_seconds: float,
    greedy_objective: float | None,
) -> Solution:
    evaluation = evaluate(day, plan)
    objective = evaluation.objective_milli(day) / MILLI
    known = [b for b in bounds.values() if b is not None]
    bound = min(max(known), objective) if known else 0.0
    missing = shortfalls(day, service_capacities(day, evaluation.counts))
    if missing:
        status = "INFEASIBLE_BOOKINGS"
    return Solution(
        status=status,
        reason=reason,
        objective=objective,
        bound=bound,
        bounds=bounds,
        gap=gap_of(objective, bound),
        solve_seconds=round(solve_seconds, 4),
        counter_plan={
            counter.id: [None if q is None else day.queues[q].id for q in row]
            for counter, row in zip(day.instance.counters, plan, strict=True)
        },
        services=_outcomes(day, evaluation),
        terms={k: v / MILLI for k, v in evaluation.terms_milli(day).items()},
        measures={
            "unmet_counter_blocks": evaluation.unmet_milli / MILLI,
            "waiting_citizen_minutes": evaluation.wait_milli / MILLI,
            "switches": evaluation.switches,
            "worst_unmet_share": evaluation.fairness_milli / MILLI,
        },
        greedy_objective=greedy_objective,
        shortfalls=[item.to_dict() for item in missing],
    )
