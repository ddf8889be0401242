"""Erlang B and Erlang C: the M/M/c queue in closed form. Pure Python, no Django.

The M/M/c model: citizens arrive as a Poisson stream of rate λ, each service takes an
exponential time of mean 1/μ, c counters serve one queue first come, first served. The
offered load a = λ/μ (in erlangs) is the number of counters the work would keep busy;
the queue is stable only when a < c. Rates and times may use any unit, the same for all
arguments (per minute and minutes in Giliran).

Used to validate the queue simulator (tests/simulation.py) and, later, by the
scheduling optimiser to size counters for a service level ("80 % called within 15 min").

Erlang B is computed with the usual recursion B(0) = 1, B(k) = a·B(k−1) / (k + a·B(k−1)),
which never forms a^c or c! and so stays accurate for hundreds of counters; Erlang C
follows from it: C = c·B / (c − a·(1 − B)).
"""

from __future__ import annotations

import math

__all__ = [
    "counters_needed",
    "erlang_b",
    "erlang_c",
    "mean_wait",
    "service_level",
]


def _check(servers: int, load: float) -> None:
    if isinstance(servers, bool) or not isinstance(servers, int) or servers < 0:
        raise ValueError(f"servers must be a whole number >= 0, not {servers!r}")
    if not math.isfinite(load) or load < 0:
        raise ValueError(f"the offered load must be a finite number >= 0, not {load!r}")


def _load(arrival_rate: float, service_rate: float) -> float:
    if not math.isfinite(arrival_rate) or arrival_rate < 0:
        raise ValueError(f"the arrival rate must be finite and >= 0, not {arrival_rate!r}")
    if not math.isfinite(service_rate) or service_rate <= 0:
        raise ValueError(f"the service rate must be finite and > 0, not {service_rate!r}")
    return arrival_rate / service_rate


def erlang_b(servers: int, load: float) -> float:
    """Blocking probability of the M/M/c/c loss system (Erlang B).

    `servers` counters, offered load `load` = λ/μ erlangs. B(0, a) = 1; B(c, 0) = 0 for c ≥ 1.
    Defined for every load, including a ≥ c.
    """
    _check(servers, load)
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = load * blocking / (k + load * blocking)
    return blocking


def erlang_c(servers: int, load: float) -> float:
    """Probability that an arrival has to wait, P(W > 0), in M/M/c (Erlang C).

    When `load` >= `servers` the queue is unstable (it grows without bound): every
    arrival eventually waits, and this returns 1.0. With no load it returns 0.0.
    """
    _check(servers, load)
    if load == 0:
        return 0.0
    if load >= servers:
        return 1.0
    blocking = erlang_b(servers, load)
    return servers * blocking / (servers - load * (1 - blocking))


def mean_wait(servers: int, arrival_rate: float, service_rate: float) -> float:
    """Mean time in the queue before service, Wq = C(c, a) / (c·μ − λ), in the unit of
    1/rate. `math.inf` when the queue is unstable (λ >= c·μ)."""
    load = _load(arrival_rate, service_rate)
    _check(servers, load)
    if load >= servers:
        return math.inf
    return erlang_c(servers, load) / (servers * service_rate - arrival_rate)


def service_level(servers: int, arrival_rate: float, service_rate: float, within: float) -> float:
    """Share of arrivals called within `within` time units, P(W <= t) =
    1 − C(c, a)·exp(−(c·μ − λ)·t). 0.0 when the queue is unstable."""
    if not math.isfinite(within) or within < 0:
        raise ValueError(f"the time limit must be finite and >= 0, not {within!r}")
    load = _load(arrival_rate, service_rate)
    _check(servers, load)
    if load >= servers:
        return 0.0
    waiting = erlang_c(servers, load)
    return 1.0 - waiting * math.exp(-(servers * service_rate - arrival_rate) * within)


def counters_needed(
    arrival_rate: float,
    service_rate: float,
    *,
    within: float,
    share: float = 0.8,
    max_servers: int = 1000,
) -> int:
    """The fewest counters for which at least `share` of arrivals are called within
    `within` time units (for example share=0.8, within=15 minutes).

    Always at least one counter, and always more than the offered load (a stable queue).
    The share must be below 1: under any load some arrivals wait longer than any given
    time, so no number of counters calls everyone in time. Raises ValueError when
    `max_servers` counters are not enough.
    """
    if not 0 <= share < 1:
        raise ValueError(f"the share must be at least 0 and below 1, not {share!r}")
    load = _load(arrival_rate, service_rate)
    servers = max(1, math.floor(load) + 1)
    while servers <= max_servers:
        if service_level(servers, arrival_rate, service_rate, within) >= share:
            return servers
        servers += 1
    raise ValueError(
        f"more than {max_servers} counters would be needed for {share:.0%} within {within}"
    )
