"""The ballot's draw: a pure allocation of places to entries, with no Django.

This module is published with the result: anyone with the round's JSON (pools, entries,
revealed seed) and OR-Tools can run it again (`ballots/recompute.py`) and must find the
same allocation. So everything the result depends on is here and in the JSON.

The rules (docs/ballots.md):

1. **Draw order.** Each entry's lot is HMAC-SHA256(seed, entry reference); entries are
   ordered by their lot (then by reference). The seed was committed (its SHA-256
   published) before entries opened, so nobody could choose a reference that draws well.
2. **Priority share first.** `reserved` places of each pool (office × day) are allocated
   among priority-group entries alone; then every entry not yet granted competes for
   what is left (reserved places the priority entries did not use included).
3. **In each phase** at most one place goes to an entry and never more than a pool's
   places; the number of entries granted is maximised first, then the preference (a
   1st choice counts more than a 2nd, a 2nd more than a 3rd), then the draw order
   breaks ties: earlier entries are preferred and get their better choices. The phase
   is a transportation problem, solved exactly by OR-Tools' min-cost flow with integer
   costs (rank × W + rank × (position + 1), W larger than any sum of the second term);
   `cpsat_optimum` is an independent CP-SAT model of the same objective, which the tests
   hold the flow's answer against. Why not CP-SAT for the draw itself: with one worker
   (needed for a reproducible answer) it took 12 s for 10,000 entries and grows faster
   than the entries; the flow takes about 2.5 s for 100,000 (docs/ballots.md).
4. **Deterministic.** No time limit, no randomness but the seed, arcs added in draw
   order: the same JSON gives the same allocation on any machine. If the flow solver
   refuses (a cost overflow on an absurdly large round), the greedy in draw order
   (every entry takes its best choice with room) is the answer and the result says so.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ortools.graph.python import min_cost_flow
from ortools.sat.python import cp_model

MAX_CHOICES = 3
FORMAT = "giliran-ballot/1"


@dataclass(frozen=True)
class Pool:
    """Places of one office on one day (`key` is e.g. "kanim-jakarta/2026-12-02")."""

    key: str
    places: int
    reserved: int = 0  # for priority-group entries first


@dataclass(frozen=True)
class Entry:
    ref: str  # the public entry reference: never a NIK or a name
    choices: tuple[str, ...]  # pool keys, 1st choice first
    priority: bool = False


@dataclass
class Result:
    granted: dict[str, tuple[str, int]]  # ref -> (pool key, rank 1..3)
    order: list[str]  # every entry's ref in draw order
    waiting: list[str]  # refs not granted, in draw order: number 1 is waiting[0]
    statuses: list[str] = field(default_factory=list)  # one per solve, e.g. OPTIMAL

    def as_json(self) -> dict[str, object]:
        return {
            "granted": {
                ref: {"pool": p, "rank": r} for ref, (p, r) in sorted(self.granted.items())
            },
            "waiting": self.waiting,
            "statuses": self.statuses,
        }


def lot(seed: bytes, ref: str) -> str:
    return hmac.new(seed, ref.encode(), hashlib.sha256).hexdigest()


def draw_order(seed: bytes, refs: Iterable[str]) -> list[str]:
    return sorted(refs, key=lambda ref: (lot(seed, ref), ref))


def seed_commitment(seed: bytes) -> str:
    return hashlib.sha256(seed).hexdigest()


def allocate(pools: Sequence[Pool], entries: Sequence[Entry], seed: bytes) -> Result:
    by_ref = {entry.ref: entry for entry in entries}
    if len(by_ref) != len(entries):
        raise ValueError("entry references must be unique")
    order = draw_order(seed, by_ref)
    position = {ref: i for i, ref in enumerate(order)}
    free = {pool.key: pool.places for pool in pools}
    reserved = {pool.key: min(pool.reserved, pool.places) for pool in pools}
    granted: dict[str, tuple[str, int]] = {}
    statuses: list[str] = []
    priority_first = [by_ref[ref] for ref in order if by_ref[ref].priority]
    for phase, capacity in (("priority", reserved), ("all", None)):
        if capacity is None:
            capacity = dict(free)  # what the priority share did not use is for everyone
            phase_entries = [by_ref[ref] for ref in order if ref not in granted]
        else:
            phase_entries = priority_first
        won, status = _solve_phase(phase_entries, capacity, position, len(order))
        statuses.append(f"{phase}: {status}")
        for ref, (key, rank) in won.items():
            granted[ref] = (key, rank)
            free[key] -= 1
    waiting = [ref for ref in order if ref not in granted]
    return Result(granted=granted, order=order, waiting=waiting, statuses=statuses)


def _greedy(entries: Sequence[Entry], capacity: dict[str, int]) -> dict[str, tuple[str, int]]:
    """Entries in draw order, each taking its best choice with room left."""
    left = dict(capacity)
    won = {}
    for entry in entries:
        for rank, key in enumerate(entry.choices, start=1):
            if left.get(key, 0) > 0:
                left[key] -= 1
                won[entry.ref] = (key, rank)
                break
    return won


def _arcs(entries: Sequence[Entry], capacity: dict[str, int]) -> list[tuple[int, str, int]]:
    """(entry index, pool, rank) for every choice of a pool with places in this phase."""
    return [
        (i, key, rank)
        for i, entry in enumerate(entries)
        for rank, key in enumerate(entry.choices[:MAX_CHOICES], start=1)
        if capacity.get(key, 0) > 0
    ]


def _solve_phase(
    entries: Sequence[Entry], capacity: dict[str, int], position: dict[str, int], n: int
) -> tuple[dict[str, tuple[str, int]], str]:
    """One phase as a min-cost flow: source → entry (1) → pool (rank cost) → sink (places).

    `solve_max_flow_with_min_cost` grants as many entries as possible, then minimises
    Σ rank × W + rank × (position + 1). W exceeds every possible sum of the second term,
    so ranks come first and the draw order only breaks ties, favouring earlier entries
    and giving them their better choices. Costs are exact integers: no tolerance."""
    arcs = _arcs(entries, capacity)
    if not arcs:
        return {}, "EMPTY"
    pools = sorted({key for _i, key, _rank in arcs})
    pool_node = {key: 2 + i for i, key in enumerate(pools)}
    first_entry = 2 + len(pools)
    places = sum(capacity[key] for key in pools)
    weight = MAX_CHOICES * (n + 1) * max(places, 1) + 1
    flow = min_cost_flow.SimpleMinCostFlow()
    source, sink = 0, 1
    used = sorted({i for i, _key, _rank in arcs})
    for i in used:
        flow.add_arc_with_capacity_and_unit_cost(source, first_entry + i, 1, 0)
    entry_arcs = []
    for i, key, rank in arcs:
        cost = rank * weight + rank * (position[entries[i].ref] + 1)
        entry_arcs.append(
            flow.add_arc_with_capacity_and_unit_cost(first_entry + i, pool_node[key], 1, cost)
        )
    for key in pools:
        flow.add_arc_with_capacity_and_unit_cost(pool_node[key], sink, capacity[key], 0)
    flow.set_node_supply(source, len(used))
    flow.set_node_supply(sink, -len(used))
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        return _greedy(entries, capacity), f"GREEDY ({status.name})"
    won = {
        entries[i].ref: (key, rank)
        for (i, key, rank), arc in zip(arcs, entry_arcs, strict=True)
        if flow.flow(arc)
    }
    return won, "OPTIMAL"


def cpsat_optimum(entries: Sequence[Entry], capacity: dict[str, int]) -> tuple[int, int]:
    """(entries granted, sum of ranks) of the best allocation of one phase, found by an
    independent CP-SAT model: the tests check the flow's answer against it on small
    rounds (one worker, fixed seed; too slow for 100,000 entries, docs/ballots.md)."""
    arcs = _arcs(entries, capacity)
    if not arcs:
        return 0, 0
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{j}") for j in range(len(arcs))]
    per_entry: dict[int, list[int]] = {}
    per_pool: dict[str, list[int]] = {}
    for j, (i, key, _rank) in enumerate(arcs):
        per_entry.setdefault(i, []).append(j)
        per_pool.setdefault(key, []).append(j)
    for indices in per_entry.values():
        model.add_at_most_one(x[j] for j in indices)
    for key, indices in per_pool.items():
        model.add(sum(x[j] for j in indices) <= capacity[key])
    # One more grant outweighs every possible rank saving: K − 3 > 2 × places.
    k = 2 * sum(capacity.values()) + MAX_CHOICES
    model.maximize(sum((k - rank) * x[j] for j, (_i, _key, rank) in enumerate(arcs)))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 1
    solver.parameters.max_time_in_seconds = 60.0
    if solver.solve(model) != cp_model.OPTIMAL:
        raise RuntimeError("CP-SAT did not prove an optimum in 60 s")
    chosen = [(rank, solver.boolean_value(v)) for (_i, _key, rank), v in zip(arcs, x, strict=True)]
    return sum(on for _r, on in chosen), sum(rank for rank, on in chosen if on)


def objective_of(
    pools: Sequence[Pool], entries: Sequence[Entry], granted: dict[str, tuple[str, int]]
) -> tuple[int, int]:
    """(entries granted, sum of ranks): how a published result can be judged, and
    checked without the solver: `check` says whether it respects every rule."""
    return len(granted), sum(rank for _key, rank in granted.values())


def check(
    pools: Sequence[Pool], entries: Sequence[Entry], granted: dict[str, tuple[str, int]]
) -> list[str]:
    """Rule violations of an allocation, without the solver (empty when it is valid)."""
    problems = []
    places = {pool.key: pool.places for pool in pools}
    by_ref = {entry.ref: entry for entry in entries}
    used: dict[str, int] = {}
    for ref, (key, rank) in granted.items():
        entry = by_ref.get(ref)
        if entry is None:
            problems.append(f"{ref}: no such entry")
            continue
        if not (1 <= rank <= len(entry.choices)) or entry.choices[rank - 1] != key:
            problems.append(f"{ref}: {key} is not its choice number {rank}")
        used[key] = used.get(key, 0) + 1
    for key, count in used.items():
        if count > places.get(key, 0):
            problems.append(f"{key}: {count} granted for {places.get(key, 0)} places")
    return problems


# --- Recomputing a published draw (ballots/recompute.py runs this) -------------------


def read_document(
    document: dict[str, object],
) -> tuple[list[Pool], list[Entry], bytes, dict[str, tuple[str, int]]]:
    """The pools, entries, seed and published allocation of a round's JSON."""
    if document.get("format") != FORMAT:
        raise ValueError(f"not a {FORMAT} document")
    pools = [Pool(p["pool"], int(p["places"]), int(p["reserved"])) for p in document["pools"]]  # type: ignore[attr-defined]
    entries = [
        Entry(e["ref"], tuple(e["choices"]), bool(e["priority"]))
        for e in document["entries"]  # type: ignore[attr-defined]
    ]
    seed = bytes.fromhex(str(document["seed"]))
    result = document["result"]
    granted = {
        ref: (g["pool"], int(g["rank"]))
        for ref, g in result["granted"].items()  # type: ignore[index]
    }
    return pools, entries, seed, granted


def recompute(document: dict[str, object]) -> list[str]:
    """Differences between the published result and the draw recomputed from the
    revealed seed (empty when they match), after checking the seed's commitment."""
    pools, entries, seed, granted = read_document(document)
    problems = []
    if seed_commitment(seed) != document.get("seed_sha256"):
        problems.append("the revealed seed does not match the SHA-256 published before the draw")
    problems += [f"published result: {p}" for p in check(pools, entries, granted)]
    again = allocate(pools, entries, seed)
    if again.waiting != list(document["result"]["waiting"]):  # type: ignore[index]
        problems.append("the waiting list differs from the recomputed draw order")
    for ref in sorted(set(granted) | set(again.granted)):
        if granted.get(ref) != again.granted.get(ref):
            problems.append(
                f"{ref}: published {granted.get(ref)}, recomputed {again.granted.get(ref)}"
            )
    return problems


def main(argv: Sequence[str]) -> int:
    import json
    import sys

    if len(argv) != 1:
        print("usage: python ballots/recompute.py PUBLISHED.json", file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as handle:
        document = json.load(handle)
    problems = recompute(document)
    pools, entries, _seed, granted = read_document(document)
    print(
        f"{len(entries)} entries, {sum(p.places for p in pools)} places in {len(pools)} pools, "
        f"{len(granted)} granted, sum of ranks {objective_of(pools, entries, granted)[1]}"
    )
    if problems:
        print(f"DIFFERENT: {len(problems)} difference(s)")
        for problem in problems[:20]:
            print(f"  {problem}")
        return 1
    print("MATCH: the draw recomputed from the revealed seed gives the published allocation")
    return 0
