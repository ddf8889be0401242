"""The objective of a plan, term by term, and what a plan gives each service: the one
definition that CP-SAT's model encodes, the greedy optimises per block and the validator
checks against. A plan is `plan[counter][block]`: a queue index or None (idle/closed)."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from scheduling.solver.day import EPS, MILLI, Day, capacities

Plan = list[list[int | None]]


@dataclass(frozen=True)
class Evaluation:
    counts: list[list[int]]  # [queue][block]: counters on the queue
    unmet_milli: int  # thousandths of a counter-block
    wait_milli: int  # thousandths of a citizen-minute
    switches: int
    fairness_milli: int  # the worst service's unmet share of its need, thousandths

    def terms_milli(self, day: Day) -> dict[str, int]:
        """Each term in thousandths of an objective unit; they add up to the objective."""
        weights = day.instance.weights
        return {
            "unmet": weights.unmet * self.unmet_milli,
            "wait": weights.wait * self.wait_milli,
            "switch": weights.switch * MILLI * self.switches,
            "fairness": weights.fairness * self.fairness_milli,
        }

    def objective_milli(self, day: Day) -> int:
        return sum(self.terms_milli(day).values())


def counts_of(day: Day, plan: Plan) -> list[list[int]]:
    counts = [[0] * len(day.instance.blocks) for _ in day.queues]
    for row in plan:
        for b, q in enumerate(row):
            if q is not None:
                counts[q][b] += 1
    return counts


def count_switches(day: Day, plan: Plan) -> int:
    """Times a counter serves one queue in an open block and another in the next open
    block (closed blocks, such as lunch, are skipped; idle blocks are not switches)."""
    switches = 0
    for row in plan:
        for before, after in itertools.pairwise(day.open_blocks):
            q, r = row[before], row[after]
            switches += q is not None and r is not None and q != r
    return switches


def fairness_milli(day: Day, counts: list[list[int]]) -> int:
    """max over services of ceil(1000 × Σ_b w·unmet / Σ_b w·need): the worst-served
    service's unmet share of its day's need, w being its share of a pooled queue."""
    worst = 0
    for s, q in enumerate(day.queue_of):
        total = day.fair_totals[s]
        if total == 0:
            continue
        member = day.queues[q].services.index(s)
        short = sum(
            curve.fair_weights[member] * curve.unmet[counts[q][b]]
            for b, curve in enumerate(day.curves[q])
        )
        worst = max(worst, -(-MILLI * short // total))
    return worst


def evaluate(day: Day, plan: Plan) -> Evaluation:
    counts = counts_of(day, plan)
    unmet = wait = 0
    for q, row in enumerate(counts):
        for b, n in enumerate(row):
            unmet += day.curves[q][b].unmet[n]
            wait += day.curves[q][b].wait[n]
    return Evaluation(
        counts=counts,
        unmet_milli=unmet,
        wait_milli=wait,
        switches=count_switches(day, plan),
        fairness_milli=fairness_milli(day, counts),
    )


def service_capacities(day: Day, counts: list[list[int]]) -> list[list[float]]:
    """[service][block]: services per block its share of the queue's counters gives."""
    result: list[list[float]] = [[] for _ in day.instance.services]
    for q, queue in enumerate(day.queues):
        per_block = [capacities(day, q, b, n) for b, n in enumerate(counts[q])]
        for member, s in enumerate(queue.services):
            result[s] = [caps[member] for caps in per_block]
    return result


def bookable(day: Day, capacity: float) -> int:
    """The most appointments a block may sell from this capacity: (1 − reserve) of it."""
    return math.floor((1 - day.instance.walk_in_reserve) * capacity + EPS)


def appointment_quotas(day: Day, caps: list[list[float]]) -> list[list[int]]:
    """[service][block]: the bookable capacity, trimmed to the daily cap if there is one.

    The trim takes one slot at a time from the block with the most unsold quota (the
    latest on a tie), so it never goes below what is booked.
    """
    quotas = []
    for service, row in zip(day.instance.services, caps, strict=True):
        quota = [bookable(day, cap) for cap in row]
        cap = service.daily_quota_max
        while cap is not None and sum(quota) > cap:
            spare = [(quota[b] - booked, b) for b, booked in enumerate(service.booked)]
            _, b = max(spare)
            quota[b] -= 1
        quotas.append(quota)
    return quotas


@dataclass(frozen=True)
class Shortfall:
    service: str
    block: str
    booked: int
    capacity: int  # appointments the block's capacity can take

    def to_dict(self) -> dict[str, object]:
        return vars(self).copy()


def shortfalls(day: Day, caps: list[list[float]]) -> list[Shortfall]:
    """Blocks whose capacity cannot take the appointments already booked in them."""
    found = []
    for service, row in zip(day.instance.services, caps, strict=True):
        for b, cap in enumerate(row):
            if bookable(day, cap) < service.booked[b]:
                found.append(
                    Shortfall(
                        service.id, day.instance.blocks[b], service.booked[b], bookable(day, cap)
                    )
                )
    return found
