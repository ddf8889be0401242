"""Checks that need more than one field: ids that must exist or be unique, a day that
has staff, skills that let a counter serve some queue, quotas that fit the bookings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scheduling.solver.checks import InstanceError

if TYPE_CHECKING:
    from scheduling.solver.instance import Instance


def check_semantics(instance: Instance) -> None:
    _unique_ids(instance)
    _staffing(instance)
    pooled = _pools(instance)
    _skills(instance, pooled)
    _quotas(instance)
    _loads(instance, pooled)


def _unique_ids(instance: Instance) -> None:
    for kind, ids in (
        ("counters", [c.id for c in instance.counters]),
        ("services", [s.id for s in instance.services]),
    ):
        seen: set[str] = set()
        for i, ident in enumerate(ids):
            if ident in seen:
                raise InstanceError(f"{kind}[{i}].id", f"{ident!r} appears twice")
            seen.add(ident)


def _staffing(instance: Instance) -> None:
    available = len(instance.counters)
    for b, staffed in enumerate(instance.staffed):
        if staffed > available:
            raise InstanceError(
                f"staffed[{b}]", f"{staffed} staffed counters but only {available} counters"
            )
    if not any(instance.staffed):
        raise InstanceError("staffed", "no block has staff: there is nothing to plan")


def _pools(instance: Instance) -> dict[str, int]:
    """Which pool each pooled service belongs to."""
    known = {s.id for s in instance.services}
    pooled: dict[str, int] = {}
    for i, pool in enumerate(instance.pools):
        for j, member in enumerate(pool):
            path = f"pools[{i}][{j}]"
            if member not in known:
                raise InstanceError(path, f"unknown service {member!r}")
            if member in pooled:
                where = "this pool" if pooled[member] == i else f"pools[{pooled[member]}]"
                raise InstanceError(path, f"{member!r} is already in {where}")
            pooled[member] = i
    return pooled


def _skills(instance: Instance, pooled: dict[str, int]) -> None:
    known = {s.id for s in instance.services}
    for i, counter in enumerate(instance.counters):
        for j, skill in enumerate(counter.skills):
            if skill not in known:
                raise InstanceError(f"counters[{i}].skills[{j}]", f"unknown service {skill!r}")
        skills = set(counter.skills)
        serves_some_queue = any(
            skill not in pooled or set(instance.pools[pooled[skill]]) <= skills for skill in skills
        )
        if not serves_some_queue:
            # A pooled queue takes counters skilled for every service in it.
            raise InstanceError(
                f"counters[{i}].skills",
                "covers no service (a pool needs all of its services)"
                if skills
                else "is empty: the counter could serve nothing",
            )


def _quotas(instance: Instance) -> None:
    for i, service in enumerate(instance.services):
        booked = sum(service.booked)
        if service.daily_quota_max is not None and service.daily_quota_max < booked:
            raise InstanceError(
                f"services[{i}].daily_quota_max",
                f"{service.daily_quota_max} is below the {booked} appointments already booked",
            )


MAX_LOAD = 500  # erlangs of walk-ins in one queue and block: far beyond any office


def _loads(instance: Instance, pooled: dict[str, int]) -> None:
    """Walk-ins that would keep more than MAX_LOAD counters busy in a block are a typo,
    not a forecast; refusing them also keeps Erlang C's search for the need bounded."""
    for b in range(len(instance.blocks)):
        per_queue: dict[object, float] = {}
        for i, service in enumerate(instance.services):
            load = service.walk_in_forecast[b] * service.service_minutes / instance.block_minutes
            key = ("pool", pooled[service.id]) if service.id in pooled else service.id
            per_queue[key] = per_queue.get(key, 0.0) + load
            if per_queue[key] > MAX_LOAD:
                raise InstanceError(
                    f"services[{i}].walk_in_forecast[{b}]",
                    f"{per_queue[key]:.0f} counters' worth of walk-ins in one block "
                    f"(at most {MAX_LOAD})",
                )
