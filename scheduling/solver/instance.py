"""The instance: one office-day to plan, as typed, frozen dataclasses, and `load_instance`,
which turns the JSON form (instance.schema.json, version 1) into one or says which field
is wrong.

The checks are written out by hand rather than left to `jsonschema`: that package reaches
this project only through the dev extra (schemathesis), and the solver must run in the
production image. tests/scheduling/test_solver_cli.py holds the schema file and these
checks to the same verdicts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from scheduling.solver.checks import (
    InstanceError,
    as_list,
    as_object,
    at,
    integer,
    number,
    text,
)

__all__ = [
    "Counter",
    "Instance",
    "InstanceError",
    "Service",
    "SolverSettings",
    "Weights",
    "load_instance",
]

VERSION = 1
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")  # no "+": pool ids join with it
CLOCK_PATTERN = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")


@dataclass(frozen=True)
class Counter:
    id: str
    skills: tuple[str, ...]


@dataclass(frozen=True)
class Service:
    id: str
    service_minutes: int
    booked: tuple[int, ...]  # appointments already sold, per block
    walk_in_forecast: tuple[float, ...]  # expected walk-in arrivals, per block
    target_share: float  # e.g. 0.8 of walk-ins called …
    target_wait_minutes: float  # … within 15 minutes
    daily_quota_max: int | None = None


@dataclass(frozen=True)
class Weights:
    """Integers, so that the objective is an exact integer (in thousandths) for CP-SAT,
    the greedy and the validator alike. Units: docs/scheduling.md."""

    unmet: int = 1000
    wait: int = 10
    switch: int = 20
    fairness: int = 200


@dataclass(frozen=True)
class SolverSettings:
    time_limit_seconds: float = 2.0
    workers: int = 2
    seed: int = 1


@dataclass(frozen=True)
class Instance:
    name: str
    block_minutes: int
    blocks: tuple[str, ...]
    staffed: tuple[int, ...]
    counters: tuple[Counter, ...]
    services: tuple[Service, ...]
    pools: tuple[tuple[str, ...], ...] = ()
    walk_in_reserve: float = 0.2
    weights: Weights = field(default_factory=Weights)
    solver: SolverSettings = field(default_factory=SolverSettings)
    version: int = VERSION

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "name": self.name,
            "block_minutes": self.block_minutes,
            "blocks": list(self.blocks),
            "staffed": list(self.staffed),
            "counters": [{"id": c.id, "skills": list(c.skills)} for c in self.counters],
            "services": [_service_dict(s) for s in self.services],
            "pools": [list(pool) for pool in self.pools],
            "walk_in_reserve": self.walk_in_reserve,
            "weights": vars(self.weights).copy(),
            "solver": vars(self.solver).copy(),
        }


def _service_dict(service: Service) -> dict[str, Any]:
    return {
        "id": service.id,
        "service_minutes": service.service_minutes,
        "booked": list(service.booked),
        "walk_in_forecast": list(service.walk_in_forecast),
        "target_share": service.target_share,
        "target_wait_minutes": service.target_wait_minutes,
        "daily_quota_max": service.daily_quota_max,
    }


_TOP_KEYS = {
    "version",
    "name",
    "block_minutes",
    "blocks",
    "staffed",
    "counters",
    "services",
    "pools",
    "walk_in_reserve",
    "weights",
    "solver",
}


def load_instance(data: Any) -> Instance:
    """The instance described by `data` (parsed JSON). Raises InstanceError, a ValueError
    whose message starts with the path of the offending field."""
    root = as_object(data, "instance", _TOP_KEYS)
    version = integer(at(root, "version", "instance"), "version", minimum=VERSION)
    if version != VERSION:
        raise InstanceError("version", f"must be {VERSION}, got {version}")
    blocks = tuple(_blocks(at(root, "blocks", "instance")))
    size = len(blocks)
    instance = Instance(
        name=text(at(root, "name", "instance"), "name"),
        block_minutes=integer(at(root, "block_minutes", "instance"), "block_minutes", minimum=1),
        blocks=blocks,
        staffed=_counts(root, "staffed", "", size),
        counters=tuple(_counters(at(root, "counters", "instance"))),
        services=tuple(_services(at(root, "services", "instance"), size)),
        pools=tuple(_pools(root.get("pools", []))),
        walk_in_reserve=_reserve(root.get("walk_in_reserve", 0.2)),
        weights=_weights(root.get("weights", {})),
        solver=_settings(root.get("solver", {})),
    )
    from scheduling.solver.semantics import check_semantics

    check_semantics(instance)
    return instance


def _blocks(value: Any) -> list[str]:
    items = as_list(value, "blocks", min_items=1)
    seen: set[str] = set()
    for i, item in enumerate(items):
        label = text(item, f"blocks[{i}]")
        if not CLOCK_PATTERN.match(label):
            raise InstanceError(f"blocks[{i}]", f"expected a time as HH:MM, got {label!r}")
        if label in seen:
            raise InstanceError(f"blocks[{i}]", f"{label} appears twice")
        seen.add(label)
    return items


def _items(obj: dict[str, Any], key: str, prefix: str, size: int) -> list[Any]:
    path = f"{prefix}{key}"
    items = as_list(at(obj, key, prefix.rstrip(".") or "instance"), path)
    if len(items) != size:
        raise InstanceError(path, f"expected {size} values (one per block), got {len(items)}")
    return items


def _counts(obj: dict[str, Any], key: str, prefix: str, size: int) -> tuple[int, ...]:
    items = _items(obj, key, prefix, size)
    return tuple(integer(v, f"{prefix}{key}[{i}]", minimum=0) for i, v in enumerate(items))


def _amounts(obj: dict[str, Any], key: str, prefix: str, size: int) -> tuple[float, ...]:
    items = _items(obj, key, prefix, size)
    return tuple(number(v, f"{prefix}{key}[{i}]", minimum=0.0) for i, v in enumerate(items))


def _identifier(value: Any, path: str) -> str:
    name = text(value, path)
    if not ID_PATTERN.match(name):
        raise InstanceError(path, f"{name!r} is not an id (letters, digits, '.', '_', '-')")
    return name


def _counters(value: Any) -> list[Counter]:
    counters = []
    for i, item in enumerate(as_list(value, "counters", min_items=1)):
        path = f"counters[{i}]"
        obj = as_object(item, path, {"id", "skills"})
        skills = as_list(at(obj, "skills", path), f"{path}.skills")
        counters.append(
            Counter(
                id=_identifier(at(obj, "id", path), f"{path}.id"),
                skills=tuple(_identifier(s, f"{path}.skills[{j}]") for j, s in enumerate(skills)),
            )
        )
    return counters


_SERVICE_KEYS = {
    "id",
    "service_minutes",
    "booked",
    "walk_in_forecast",
    "target_share",
    "target_wait_minutes",
    "daily_quota_max",
}


def _services(value: Any, size: int) -> list[Service]:
    services = []
    for i, item in enumerate(as_list(value, "services", min_items=1)):
        path = f"services[{i}]"
        obj = as_object(item, path, _SERVICE_KEYS)
        share = number(at(obj, "target_share", path), f"{path}.target_share", minimum=0.0)
        if share >= 1:
            # Under any load someone waits longer than any given time: 100 % is no target.
            raise InstanceError(f"{path}.target_share", f"must be below 1, got {share:g}")
        quota = obj.get("daily_quota_max")
        services.append(
            Service(
                id=_identifier(at(obj, "id", path), f"{path}.id"),
                service_minutes=integer(
                    at(obj, "service_minutes", path), f"{path}.service_minutes", minimum=1
                ),
                booked=_counts(obj, "booked", f"{path}.", size),
                walk_in_forecast=_amounts(obj, "walk_in_forecast", f"{path}.", size),
                target_share=share,
                target_wait_minutes=number(
                    at(obj, "target_wait_minutes", path), f"{path}.target_wait_minutes", minimum=0.0
                ),
                daily_quota_max=None
                if quota is None
                else integer(quota, f"{path}.daily_quota_max", minimum=0),
            )
        )
    return services


def _pools(value: Any) -> list[tuple[str, ...]]:
    pools = []
    for i, item in enumerate(as_list(value, "pools")):
        members = as_list(item, f"pools[{i}]", min_items=2)
        pools.append(tuple(_identifier(m, f"pools[{i}][{j}]") for j, m in enumerate(members)))
    return pools


def _reserve(value: Any) -> float:
    reserve = number(value, "walk_in_reserve", minimum=0.0)
    if reserve >= 1:
        raise InstanceError("walk_in_reserve", f"must be below 1, got {reserve:g}")
    return reserve


def _weights(value: Any) -> Weights:
    obj = as_object(value, "weights", {"unmet", "wait", "switch", "fairness"})
    default = Weights()
    values = {
        key: integer(obj.get(key, getattr(default, key)), f"weights.{key}", minimum=0)
        for key in ("unmet", "wait", "switch", "fairness")
    }
    return Weights(**values)


def _settings(value: Any) -> SolverSettings:
    obj = as_object(value, "solver", {"time_limit_seconds", "workers", "seed"})
    limit = number(obj.get("time_limit_seconds", 2.0), "solver.time_limit_seconds", minimum=0.0)
    if limit <= 0:
        raise InstanceError("solver.time_limit_seconds", f"must be above 0, got {limit:g}")
    return SolverSettings(
        time_limit_seconds=limit,
        workers=integer(obj.get("workers", 2), "solver.workers", minimum=1),
        seed=integer(obj.get("seed", 1), "solver.seed", minimum=0),
    )
