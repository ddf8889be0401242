"""Seeded random office-days for the tests and bench/solve_office_day.py.

Shaped like a busy public office: half-hour blocks from 08:00 with a lunch break, 70 to
100 % of the counters staffed, each counter skilled for two to four services, every
service with at least two counters, one pool per six services, walk-ins with a
late-morning peak, and bookings that always fit. The work (walk-ins and bookings) fills
about 40 % of the staffed counter time, but each queue is small, so the Erlang need for
the service targets is about as large as the staff (0.7 to 1.4 times over the day, 1.1 as
a median): some blocks fall short and the plan has to choose.
"""

from __future__ import annotations

import math
import random
from typing import Any

from scheduling.solver.day import build_day
from scheduling.solver.greedy import run_greedy
from scheduling.solver.instance import load_instance

MINUTES = (5, 10, 15, 20, 30)


def generate_instance(
    *, counters: int, blocks: int, services: int, seed: int, pools: int | None = None
) -> dict[str, Any]:
    """A valid instance (JSON form) whose bookings fit the staffed counters."""
    rng = random.Random(seed)  # noqa: S311 (seeded test data, not cryptography)
    labels = [f"{8 + (30 * b) // 60:02d}:{(30 * b) % 60:02d}" for b in range(blocks)]
    lunch = {8, 9} if blocks >= 16 else {8} if blocks > 9 else set()
    staffed = [
        0 if b in lunch else max(1, round(counters * rng.uniform(0.7, 1.0))) for b in range(blocks)
    ]
    ids = [f"svc-{i + 1:02d}" for i in range(services)]
    skills = _skills(rng, counters, ids)
    pool_count = max(1, services // 6) if pools is None else pools
    pool_list = _pools(rng, ids, skills, pool_count)
    catalogue = [_service(rng, ident, staffed, services) for ident in ids]
    instance = {
        "version": 1,
        "name": f"generated {counters}x{blocks}x{services} seed {seed}",
        "block_minutes": 30,
        "blocks": labels,
        "staffed": staffed,
        "counters": [{"id": str(c + 1), "skills": sorted(s)} for c, s in enumerate(skills)],
        "services": catalogue,
        "pools": pool_list,
        "walk_in_reserve": 0.2,
        "weights": {"unmet": 1000, "wait": 10, "switch": 20, "fairness": 200},
        "solver": {"time_limit_seconds": 2.0, "workers": 2, "seed": 1},
    }
    return _fit_bookings(instance)


def _skills(rng: random.Random, counters: int, ids: list[str]) -> list[set[str]]:
    skills = [set(rng.sample(ids, min(len(ids), rng.randint(2, 4)))) for _ in range(counters)]
    for ident in ids:  # every service has at least two counters that can serve it
        while sum(ident in s for s in skills) < min(2, counters):
            rng.choice([s for s in skills if ident not in s]).add(ident)
    return skills


def _pools(
    rng: random.Random, ids: list[str], skills: list[set[str]], count: int
) -> list[list[str]]:
    free = list(ids)
    rng.shuffle(free)
    pools = []
    for _ in range(min(count, len(free) // 2)):
        pool = sorted([free.pop(), free.pop()])
        for c in rng.sample(range(len(skills)), min(len(skills), 2)):
            skills[c].update(pool)  # at least two counters can serve the pool
        pools.append(pool)
    pooled = {member for pool in pools for member in pool}
    for counter in skills:
        if counter <= pooled:  # only parts of pools: it could serve no queue; complete them
            for pool in pools:
                if counter & set(pool):
                    counter.update(pool)
    return pools


def _service(rng: random.Random, ident: str, staffed: list[int], services: int) -> dict[str, Any]:
    minutes = rng.choice(MINUTES)
    share = rng.uniform(0.5, 1.5) / services  # of the office's counters
    utilisation = rng.uniform(0.2, 0.45)
    walk_ins, booked = [], []
    for b, staff in enumerate(staffed):
        peak = 1 + 0.6 * math.exp(-(((b - 5) / 3) ** 2))  # late-morning rush
        counters = staff * share * utilisation * peak
        walk_ins.append(0.0 if staff == 0 else round(0.7 * counters * 30 / minutes, 1))
        appointments = rng.uniform(0.2, 0.6) * counters * 30 / minutes
        booked.append(0 if staff == 0 else math.floor(appointments + rng.random()))
    capped = rng.random() < 0.3
    return {
        "id": ident,
        "service_minutes": minutes,
        "booked": booked,
        "walk_in_forecast": walk_ins,
        "target_share": rng.choice((0.8, 0.8, 0.9)),
        "target_wait_minutes": rng.choice((10, 15, 15, 20, 30)),
        "daily_quota_max": sum(booked) + rng.randint(0, 6) if capped else None,
    }


def _fit_bookings(instance: dict[str, Any]) -> dict[str, Any]:
    """Halve the bookings until the greedy (an exact test) fits them."""
    for _ in range(12):
        if run_greedy(build_day(load_instance(instance))).short == 0:
            return instance
        for service in instance["services"]:
            service["booked"] = [n // 2 for n in service["booked"]]
            if service["daily_quota_max"] is not None:
                service["daily_quota_max"] = min(
                    service["daily_quota_max"], sum(service["booked"]) + 6
                )
    raise AssertionError("bookings of zero always fit")  # pragma: no cover
