"""Which counters serve a block's queues, once the greedy has fixed how many each gets:
the assignment with the fewest switches from the previous block, as a min-cost flow.

The greedy's counts are optimal per block but say nothing about which counter does what;
choosing counters badly makes the plan switch for nothing, and that plan is CP-SAT's hint.
The network: queue q supplies count[q] units, each unit goes to a counter skilled for q
(cost 1 if that counter served another queue just before, else 0), each counter takes at
most one. Successive shortest paths (Bellman–Ford, the graph is tiny) find the cheapest
flow of the full size, which exists because the greedy found a matching of that size.
"""

from __future__ import annotations

from scheduling.solver.day import Day


def _switch_cost(previous: int | None, q: int) -> int:
    return 0 if previous is None or previous == q else 1


def assign_counters(day: Day, counts: list[int], previous: list[int | None]) -> list[int | None]:
    """owner[c]: the queue counter c serves, with exactly counts[q] counters on queue q."""
    owner: list[int | None] = [None] * len(day.instance.counters)
    for _ in range(sum(counts)):
        path = _cheapest_path(day, counts, previous, owner)
        if path is None:
            raise ValueError("the counts admit no assignment")  # the greedy rules this out
        _apply(path, owner)
    return owner


def _cheapest_path(
    day: Day, counts: list[int], previous: list[int | None], owner: list[int | None]
) -> list[tuple[int, int]] | None:
    """An augmenting path as (queue, counter) hops, from a queue with supply left to a
    free counter: every hop gives the counter to the queue, moving it off its holder."""
    used = [0] * len(counts)
    for q in owner:
        if q is not None:
            used[q] += 1
    inf = 1 << 30
    # Bellman–Ford over queues: dist[q] = cost to reach queue q holding a spare unit.
    dist = [0 if used[q] < counts[q] else inf for q in range(len(counts))]
    parent: list[tuple[int, int] | None] = [None] * len(counts)  # (from queue, via counter)
    for _ in range(len(counts)):
        changed = False
        for c, holder in enumerate(owner):
            if holder is None:
                continue
            for q in day.eligible[c]:
                # queue q takes counter c from its holder, which then needs another one
                step = _switch_cost(previous[c], q) - _switch_cost(previous[c], holder)
                if dist[q] < inf and dist[q] + step < dist[holder] and q != holder:
                    dist[holder], parent[holder], changed = dist[q] + step, (q, c), True
        if not changed:
            break
    best: tuple[int, int, int] | None = None  # (cost, queue, free counter)
    for c, holder in enumerate(owner):
        if holder is None:
            for q in day.eligible[c]:
                if dist[q] < inf and (
                    best is None or dist[q] + _switch_cost(previous[c], q) < best[0]
                ):
                    best = (dist[q] + _switch_cost(previous[c], q), q, c)
    if best is None:
        return None
    _, q, c = best
    path = [(q, c)]
    while parent[q] is not None:
        q, c = parent[q]  # type: ignore[misc]
        path.append((q, c))
    return path


def _apply(path: list[tuple[int, int]], owner: list[int | None]) -> None:
    for q, c in path:
        owner[c] = q
