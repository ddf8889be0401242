"""What the model is built from: queues, which counters may serve them, and for each queue
and block its need and its cost curves over the number of counters. Computed once in
plain Python and shared by CP-SAT, the greedy and the validator, so all three agree on
every number. Definitions and units: docs/scheduling.md.

Costs are integers in thousandths (of a counter-block, of a citizen-minute), so CP-SAT's
objective and the Python evaluation are the same integer.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass

from scheduling.erlang import counters_needed, mean_wait
from scheduling.solver.checks import InstanceError
from scheduling.solver.instance import Instance

MILLI = 1000
EPS = 1e-9  # float slack in "capacity covers the bookings"; the same everywhere


@dataclass(frozen=True)
class Queue:
    id: str  # the service id, or the pool's service ids joined with "+"
    services: tuple[int, ...]  # indices into instance.services
    counters: tuple[int, ...]  # indices of the counters skilled for every one of them


@dataclass(frozen=True)
class Curve:
    """One queue in one block; the tuples are indexed by the number of counters n."""

    arrivals: float  # walk-ins expected in the block
    walk_in_need: int  # Erlang C: counters for the walk-ins to meet the target
    need_milli: int  # appointment load + walk_in_need, in thousandths of a counter
    min_counters: int  # hard: fewer would leave booked appointments without capacity
    unmet: tuple[int, ...]  # max(0, need − n), thousandths of a counter-block
    wait: tuple[int, ...]  # arrivals × mean wait, thousandths of a citizen-minute
    wait_minutes: tuple[float, ...]  # mean wait of one walk-in, minutes
    demand_shares: tuple[float, ...]  # per member service: its share of the demand
    fair_weights: tuple[int, ...]  # the same shares as integers, for the fairness term


@dataclass(frozen=True)
class Day:
    instance: Instance
    queues: tuple[Queue, ...]
    eligible: tuple[tuple[int, ...], ...]  # per counter: the queues it may serve
    curves: tuple[tuple[Curve, ...], ...]  # [queue][block]
    open_blocks: tuple[int, ...]  # blocks with staff
    queue_of: tuple[int, ...]  # per service: its queue
    fair_totals: tuple[int, ...]  # per service: Σ_b fair_weight × need (0: no need)

    def top(self, q: int) -> int:
        """The most counters queue q can have in any block."""
        return len(self.curves[q][0].unmet) - 1


def build_day(instance: Instance) -> Day:
    queues = _queues(instance)
    eligible = tuple(
        tuple(q for q, queue in enumerate(queues) if c in queue.counters)
        for c in range(len(instance.counters))
    )
    most = max(instance.staffed)
    curves = tuple(
        tuple(
            _curve(instance, queue, b, min(len(queue.counters), most))
            for b in range(len(instance.blocks))
        )
        for queue in queues
    )
    queue_of = [0] * len(instance.services)
    for q, queue in enumerate(queues):
        for s in queue.services:
            queue_of[s] = q
    totals = []
    for s, q in enumerate(queue_of):
        member = queues[q].services.index(s)
        totals.append(sum(c.fair_weights[member] * c.need_milli for c in curves[q]))
    return Day(
        instance=instance,
        queues=queues,
        eligible=eligible,
        curves=curves,
        open_blocks=tuple(b for b, staffed in enumerate(instance.staffed) if staffed > 0),
        queue_of=tuple(queue_of),
        fair_totals=tuple(totals),
    )


def _queues(instance: Instance) -> tuple[Queue, ...]:
    """One queue per pool, placed where its first service is, and one per other service."""
    index = {s.id: i for i, s in enumerate(instance.services)}
    pool_of = {member: pool for pool in instance.pools for member in pool}
    queues, placed = [], set()
    for service in instance.services:
        members = pool_of.get(service.id, (service.id,))
        if members in placed:
            continue
        placed.add(members)
        counters = tuple(
            c for c, counter in enumerate(instance.counters) if set(members) <= set(counter.skills)
        )
        queues.append(Queue("+".join(members), tuple(index[m] for m in members), counters))
    return tuple(queues)


def _curve(instance: Instance, queue: Queue, b: int, top: int) -> Curve:
    services = [instance.services[s] for s in queue.services]
    block = instance.block_minutes
    arrivals = sum(s.walk_in_forecast[b] for s in services)
    load = sum(s.booked[b] * s.service_minutes for s in services) / block
    walk_in_need = _walk_in_need(instance, queue, b)
    need = load + walk_in_need
    waits = _wait_minutes(instance, queue, b, load, top)
    demand = [(s.booked[b] + s.walk_in_forecast[b]) * s.service_minutes for s in services]
    total = sum(demand)
    shares = [d / total if total > 0 else 1 / len(services) for d in demand]
    need_milli = round(need * MILLI)
    return Curve(
        arrivals=arrivals,
        walk_in_need=walk_in_need,
        need_milli=need_milli,
        min_counters=math.ceil(load / (1 - instance.walk_in_reserve) - EPS),
        unmet=tuple(max(0, need_milli - MILLI * n) for n in range(top + 1)),
        wait=_convex_table([arrivals * w for w in waits]),
        wait_minutes=tuple(waits),
        demand_shares=tuple(shares),
        # A lone service needs no weighting; a pool's members split by demand.
        fair_weights=(1,) if len(services) == 1 else tuple(round(MILLI * x) for x in shares),
    )


def _walk_in_pace(instance: Instance, queue: Queue, b: int) -> tuple[float, float]:
    """Walk-ins of the queue in block b, and their demand-weighted mean service minutes."""
    services = [instance.services[s] for s in queue.services]
    arrivals = sum(s.walk_in_forecast[b] for s in services)
    if arrivals == 0:
        return 0.0, 1.0
    minutes = sum(s.walk_in_forecast[b] * s.service_minutes for s in services) / arrivals
    return arrivals, minutes


def _walk_in_need(instance: Instance, queue: Queue, b: int) -> int:
    arrivals, minutes = _walk_in_pace(instance, queue, b)
    if arrivals == 0:
        return 0
    services = [instance.services[s] for s in queue.services]
    # A pool promises every member's target: the strictest share within the shortest wait.
    share = max(s.target_share for s in services)
    within = min(s.target_wait_minutes for s in services)
    try:
        return counters_needed(
            arrivals / instance.block_minutes, 1 / minutes, within=within, share=share
        )
    except ValueError as error:  # semantics.py bounds the load well below this
        path = f"services[{queue.services[0]}].walk_in_forecast[{b}]"
        raise InstanceError(path, str(error)) from None


def _wait_minutes(instance: Instance, queue: Queue, b: int, load: float, top: int) -> list[float]:
    """Mean wait of a walk-in with n = 0..top counters on the queue.

    The walk-ins get what the appointments leave, n − load counters; Erlang C is
    interpolated linearly between whole counters, which keeps the curve convex in n.
    """
    arrivals, minutes = _walk_in_pace(instance, queue, b)
    if arrivals == 0:
        return [0.0] * (top + 1)
    whole = _whole_counter_waits(arrivals / instance.block_minutes, minutes, instance.block_minutes)
    waits = []
    for n in range(top + 1):
        free = n - load
        k = math.floor(free)
        frac = free - k
        waits.append((1 - frac) * whole(k) + frac * whole(k + 1) if frac > EPS else whole(k))
    return waits


def _whole_counter_waits(rate: float, minutes: float, block: int) -> Callable[[int], float]:
    """Wq(k) of Erlang C for whole k, made finite and still convex.

    The steady-state formula overstates a queue that would not clear within a block, and
    is infinite when k ≤ load. Below the first k whose wait fits in a block (k1), each
    counter fewer costs the larger of one block and the last step of the curve, per
    arrival: a straight line continuing the convex curve.
    """
    first = max(1, math.floor(rate * minutes) + 1)
    while mean_wait(first, rate, 1 / minutes) > block:
        first += 1
    base = mean_wait(first, rate, 1 / minutes)
    slope = max(base - mean_wait(first + 1, rate, 1 / minutes), float(block))
    cache: dict[int, float] = {}

    def wait(k: int) -> float:
        if k < first:
            return base + (first - k) * slope
        if k not in cache:
            cache[k] = mean_wait(k, rate, 1 / minutes)
        return cache[k]

    return wait


def _convex_table(values: list[float]) -> tuple[int, ...]:
    """`values` (convex, non-increasing) in thousandths, rounded step by step so the
    integer table stays convex and non-increasing, as the greedy's exactness needs."""
    table = [round(values[0] * MILLI)]
    step: int | None = None
    for before, after in itertools.pairwise(values):
        rounded = min(0, round((after - before) * MILLI))
        step = rounded if step is None else max(rounded, step)  # float noise: keep convex
        table.append(table[-1] + step)
    return tuple(max(0, v) for v in table)


def capacities(day: Day, q: int, b: int, n: int) -> list[float]:
    """Services per block that n counters on queue q give each member service in block b.

    The pool's bookable minutes, (1 − reserve) of its counter-minutes, cover the booked
    appointments first; the rest is split in proportion to the walk-in minutes expected
    (or the booked minutes, or equally, when there are none). Too few counters for the
    bookings: the minutes are split in proportion to the booked minutes.
    """
    instance = day.instance
    services = [instance.services[s] for s in day.queues[q].services]
    minutes = n * instance.block_minutes
    booked = [float(s.booked[b] * s.service_minutes) for s in services]
    for_bookings = sum(booked) / (1 - instance.walk_in_reserve)
    if sum(booked) > 0 and minutes <= for_bookings:
        return [
            minutes * m / sum(booked) / s.service_minutes
            for m, s in zip(booked, services, strict=True)
        ]
    rest = minutes - for_bookings
    weights = [s.walk_in_forecast[b] * s.service_minutes for s in services]
    if sum(weights) == 0:
        weights = booked if sum(booked) > 0 else [1.0] * len(services)
    return [
        (m / (1 - instance.walk_in_reserve) + rest * w / sum(weights)) / s.service_minutes
        for m, w, s in zip(booked, weights, services, strict=True)
    ]
