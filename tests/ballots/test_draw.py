"""The pure draw (ballots/draw.py): the objective, the priority share, the tie-break by
the seed, and recomputing a published result. No database."""

from __future__ import annotations

import copy
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from ballots import draw
from ballots.draw import Entry, Pool, allocate, check, cpsat_optimum, objective_of

SEED = bytes(range(32))


def _round(entries: int, pools: int, places: int, seed: int) -> tuple[list[Pool], list[Entry]]:
    """Popular pools first, three distinct choices each, one in ten a priority entry."""
    rng = random.Random(seed)
    made = [Pool(f"kantor-{i % 3}/2026-12-{10 + i:02d}", places, places // 4) for i in range(pools)]
    keys = [pool.key for pool in made]
    weights = [1.0 / (1 + i) for i in range(pools)]
    found = []
    for n in range(entries):
        choices: list[str] = []
        while len(choices) < min(3, pools):
            key = rng.choices(keys, weights)[0]
            if key not in choices:
                choices.append(key)
        found.append(Entry(f"U{n:05d}", tuple(choices[: rng.randint(1, 3)]), rng.random() < 0.1))
    return made, found


def _document(pools: list[Pool], entries: list[Entry], seed: bytes) -> dict[str, object]:
    result = allocate(pools, entries, seed)
    return {
        "format": draw.FORMAT,
        "seed_sha256": draw.seed_commitment(seed),
        "seed": seed.hex(),
        "pools": [{"pool": p.key, "places": p.places, "reserved": p.reserved} for p in pools],
        "entries": [
            {"ref": e.ref, "choices": list(e.choices), "priority": e.priority} for e in entries
        ],
        "result": result.as_json(),
    }


@pytest.mark.parametrize("seed", range(8))
def test_grants_and_ranks_are_the_cp_sat_optimum(seed: int) -> None:
    pools, entries = _round(entries=60, pools=6, places=4, seed=seed)
    plain = [Entry(e.ref, e.choices, False) for e in entries]  # one phase: no priority share
    result = allocate(pools, plain, SEED)
    assert check(pools, plain, result.granted) == []
    assert objective_of(pools, plain, result.granted) == cpsat_optimum(
        plain, {p.key: p.places for p in pools}
    )


def test_one_more_grant_beats_better_ranks() -> None:
    # Siti wants A then B; Budi only A. Siti on A would leave Budi out: she gets B.
    pools = [Pool("a/2026-12-09", 1), Pool("b/2026-12-09", 1)]
    entries = [Entry("SITI", ("a/2026-12-09", "b/2026-12-09")), Entry("BUDI", ("a/2026-12-09",))]
    for seed in (SEED, b"x" * 32, b"y" * 32):
        granted = allocate(pools, entries, seed).granted
        assert granted == {"BUDI": ("a/2026-12-09", 1), "SITI": ("b/2026-12-09", 2)}


def test_priority_share_goes_to_priority_entries_and_unused_share_to_others() -> None:
    pool = Pool("a/2026-12-09", places=4, reserved=2)
    others = [Entry(f"N{n}", ("a/2026-12-09",)) for n in range(20)]
    one_priority = [*others, Entry("P1", ("a/2026-12-09",), priority=True)]
    for seed in (SEED, b"z" * 32):
        result = allocate([pool], one_priority, seed)
        assert "P1" in result.granted  # whatever the draw order
        assert len(result.granted) == 4  # the unused reserved place went to someone else
    many = [*others, *(Entry(f"P{n}", ("a/2026-12-09",), priority=True) for n in range(10))]
    granted = allocate([pool], many, SEED).granted
    assert sum(ref.startswith("P") for ref in granted) >= 2


def test_ties_follow_the_draw_order_of_the_seed() -> None:
    pools = [Pool("a/2026-12-09", 3)]
    entries = [Entry(f"U{n:03d}", ("a/2026-12-09",)) for n in range(30)]
    result = allocate(pools, entries, SEED)
    assert set(result.granted) == set(draw.draw_order(SEED, [e.ref for e in entries])[:3])
    assert result.waiting == [ref for ref in result.order if ref not in result.granted]


def test_same_seed_same_allocation_other_seed_other_allocation() -> None:
    pools, entries = _round(entries=400, pools=8, places=5, seed=3)
    first = allocate(pools, entries, SEED)
    again = allocate(pools, list(reversed(entries)), SEED)  # input order plays no part
    assert first.granted == again.granted and first.waiting == again.waiting
    other = allocate(pools, entries, bytes(32))
    assert other.granted != first.granted
    assert objective_of(pools, entries, other.granted) == objective_of(
        pools, entries, first.granted
    )  # a different lot, the same quality


def test_recompute_from_the_published_document_matches() -> None:
    pools, entries = _round(entries=300, pools=6, places=6, seed=5)
    document = _document(pools, entries, SEED)
    assert draw.recompute(document) == []


def test_recompute_finds_a_changed_result_and_a_changed_seed() -> None:
    pools, entries = _round(entries=300, pools=6, places=6, seed=5)
    document = _document(pools, entries, SEED)
    tampered = copy.deepcopy(document)
    granted = tampered["result"]["granted"]  # type: ignore[index]
    loser = tampered["result"]["waiting"][0]  # type: ignore[index]
    winner = sorted(granted)[0]
    granted[loser] = granted.pop(winner)
    assert any(loser in problem for problem in draw.recompute(tampered))
    swapped = copy.deepcopy(document)
    swapped["seed"] = bytes(32).hex()
    assert "does not match the SHA-256" in draw.recompute(swapped)[0]


def test_check_refuses_an_overfull_pool_and_a_choice_not_made() -> None:
    pools = [Pool("a/2026-12-09", 1)]
    entries = [Entry("A", ("a/2026-12-09",)), Entry("B", ("a/2026-12-09",))]
    problems = check(pools, entries, {"A": ("a/2026-12-09", 1), "B": ("a/2026-12-09", 2)})
    assert any("not its choice number 2" in p for p in problems)
    assert any("2 granted for 1 places" in p for p in problems)


def test_the_standalone_script_recomputes_a_published_file(tmp_path: Path) -> None:
    pools, entries = _round(entries=200, pools=5, places=6, seed=9)
    published = tmp_path / "undian.json"
    published.write_text(json.dumps(_document(pools, entries, SEED)))
    script = Path(__file__).resolve().parents[2] / "scripts" / "ballot_recompute.py"
    # Run from elsewhere, as an outsider would: the script needs no Django.
    done = subprocess.run(
        [sys.executable, str(script), str(published)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "MATCH" in done.stdout
