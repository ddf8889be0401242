"""Office-day planning (CP-SAT).

How fast and how well `scheduling/solver` plans an office-day (which queue each counter
serves in each half-hour block), on seeded generated days
(`scheduling/solver/generate.py`: lunch break, 70–100 % of the counters staffed, two to
four skills a counter, one pool per six services, a late-morning rush), in three sizes
(counters x blocks x services): 6x14x4, 20x18x12 and 40x18x20. Each day is planned by
`greedy_plan` alone and by `solve` (greedy hint, then CP-SAT with the instance's limits:
2 s, 2 workers, seed 1); the time is the whole `solve` call, and every plan is checked by
`validate`. Goals, for 20x18x12: median ≤ 0.5 s, p95 ≤ 2 s, ≥ 95 % of the days proven
optimal or within 1 % of the bound. No database, no Django. The model: docs/scheduling.md.

    .venv/bin/python bench/solve_office_day.py            # full run, rewrites its docs section
    .venv/bin/python bench/solve_office_day.py --quick    # smoke run, leaves the docs alone
"""

from __future__ import annotations

import statistics
import sys
import time
from typing import Any

from harness import run, stats

sys.path.insert(0, str(run.BASE_DIR))

from scheduling.solver import Solution, greedy_plan, load_instance, solve, validate
from scheduling.solver.generate import generate_instance

NAME = "solve-office-day"
SIZES = {"small": (6, 14, 4), "medium": (20, 18, 12), "large": (40, 18, 20)}
GOAL_SIZE, NEAR = "medium", 0.01
PARAMS: dict[str, tuple[Any, Any, str]] = {
    "days": (30, 3, "days per size"),
    "rounds": (3, 1, "rounds over all days"),
}
MEASURES = (
    "objective",
    "waiting_citizen_minutes",
    "unmet_counter_blocks",
    "switches",
    "worst_unmet_share",
)


def measures(solution: Solution) -> dict[str, float]:
    return {"objective": solution.objective, **solution.measures}


def run_day(size: str, seed: int) -> dict[str, Any]:
    counters, blocks, services = SIZES[size]
    instance = load_instance(
        generate_instance(counters=counters, blocks=blocks, services=services, seed=seed)
    )
    started = time.perf_counter()
    greedy = greedy_plan(instance)
    greedy_seconds = time.perf_counter() - started
    started = time.perf_counter()
    best = solve(instance)
    return {
        "seconds": time.perf_counter() - started,
        "greedy_seconds": greedy_seconds,
        "status": best.status,
        "gap": best.gap,
        "bound": best.bound,
        "greedy": measures(greedy),
        "cp_sat": measures(best),
        "invalid": bool(validate(instance, greedy) + validate(instance, best)),
    }


def summarize(days: list[dict[str, Any]], rounds: int) -> dict[str, Any]:
    """Timing over every solve of every round; plan quality on the first round's days."""
    seconds = [d["seconds"] for d in days]
    per_round = [[d["seconds"] for d in days if d["round"] == r] for r in range(1, rounds + 1)]
    first = [d for d in days if d["round"] == 1]
    excess = sum(d["greedy"]["objective"] - d["bound"] for d in first)
    removed = sum(d["greedy"]["objective"] - d["cp_sat"]["objective"] for d in first)
    return {
        "solves": len(days),
        "days": len(first),
        "median": statistics.median(seconds),
        "p95": stats.percentile(seconds, 95, 3),
        "max": max(seconds),
        "round_medians": [statistics.median(r) for r in per_round],
        "round_p95s": [stats.percentile(r, 95, 3) for r in per_round],
        "greedy_ms": statistics.median(d["greedy_seconds"] for d in days) * 1000,
        "optimal": sum(d["status"] == "OPTIMAL" for d in days) / len(days),
        "stopped": sum(d["status"] == "FEASIBLE" for d in days),
        "near": sum(d["gap"] <= NEAR for d in days) / len(days),
        "max_gap": max(d["gap"] for d in days),
        "invalid": sum(d["invalid"] for d in days),
        "improved": sum(d["cp_sat"]["objective"] < d["greedy"]["objective"] for d in first),
        "closed": removed / excess if excess > 0 else None,
        "unmet_per_day": statistics.mean(d["cp_sat"]["unmet_counter_blocks"] for d in first),
        "sums": {
            m: (sum(d["greedy"][m] for d in first), sum(d["cp_sat"][m] for d in first))
            for m in MEASURES
        },
    }


def main() -> int:
    bench = run.Bench(NAME, __doc__ or "", PARAMS)
    o, clock = bench.o, time.perf_counter()
    solve(load_instance(generate_instance(counters=6, blocks=14, services=4, seed=999)))  # warm
    days = []
    for round_ in range(1, o.rounds + 1):
        for size in SIZES:
            for seed in range(o.days):
                day = {"round": round_, "size": size, "seed": seed, **run_day(size, seed)}
                days.append(day)
                print(
                    f"bench: round {round_} {size:6} seed {seed:2} {day['status']:19} "
                    f"{day['seconds']:6.3f} s gap {day['gap']:.4%}",
                    flush=True,
                )
    sizes = {s: summarize([d for d in days if d["size"] == s], o.rounds) for s in SIZES}
    invalid = sum(s["invalid"] for s in sizes.values())
    section = render(bench, sizes, time.perf_counter() - clock)
    failures = [f"{invalid} plans failed validation"] if invalid else []
    return bench.finish({"sizes": sizes, "days": days}, section, failures)


def spread(values: list[float]) -> str:
    return f"{min(values):.2f}–{max(values):.2f}"


def change(pair: tuple[float, float], digits: int = 1) -> str:
    greedy, best = pair
    share = f" ({(best - greedy) / greedy:+.1%})" if greedy else ""
    return f"{greedy:,.{digits}f} → {best:,.{digits}f}{share}"


def render(bench: run.Bench, sizes: dict[str, dict[str, Any]], seconds: float) -> str:
    timing = stats.table(
        [
            "size (counters x blocks x services)",
            "days x rounds",
            "median s",
            "p95 s",
            "max s",
            "rounds: median / p95 s",
            "proven optimal",
            "within 1 % of bound",
            "largest gap",
            "greedy alone (median)",
        ],
        [
            [
                f"{n} {'x'.join(map(str, SIZES[n]))}",
                f"{s['days']} x {bench.o.rounds}",
                f"{s['median']:.2f}",
                f"{s['p95']:.2f}",
                f"{s['max']:.2f}",
                f"{spread(s['round_medians'])} / {spread(s['round_p95s'])}",
                f"{s['optimal']:.0%}",
                f"{s['near']:.0%}",
                f"{s['max_gap']:.2%}",
                f"{s['greedy_ms']:.0f} ms",
            ]
            for n, s in sizes.items()
        ],
    )
    quality = stats.table(
        [
            "size",
            "objective",
            "waiting (citizen-min)",
            "unmet (counter-blocks)",
            "switches",
            "worst unmet share (sum)",
            "days improved",
            "greedy's excess over the bound removed",
        ],
        [
            [
                n,
                *(change(s["sums"][m], 0 if m == "switches" else 1) for m in MEASURES),
                f"{s['improved']}/{s['days']}",
                "–" if s["closed"] is None else f"{s['closed']:.0%}",
            ]
            for n, s in sizes.items()
        ],
    )
    g = sizes[GOAL_SIZE]
    return stats.section(
        "Office-day planning (CP-SAT)",
        __doc__ or "",
        bench.command,
        bench.run_line(stats.versions("ortools")) + f" {seconds:.0f} s in all.",
        timing,
        "Times and shares are over every solve of every round; p95 is the nearest rank. Plan "
        "quality, first round: CP-SAT against the greedy on the same days, summed over the "
        "days (greedy → CP-SAT):",
        quality,
        f"**Goals for 20x18x12:** median {g['median']:.2f} s "
        f"({stats.verdict(g['median'] <= 0.5)}), "
        f"p95 {g['p95']:.2f} s ({stats.verdict(g['p95'] <= 2.0)}), {g['near']:.0%} within 1 % "
        f"of the bound ({stats.verdict(g['near'] >= 0.95)}). {g['stopped']} of the {g['solves']} "
        "solves stopped at the 2 s limit without a proof (their plan is then CP-SAT's best, "
        "with its gap). What takes the time is proving, not finding: the greedy is exact block "
        "by block for the weighted sum of unmet need and waiting, and CP-SAT trades a few "
        "switches against it, where the LP relaxation of the switch rows is weak. The "
        f"generated days are tight (about {g['unmet_per_day']:.0f} counter-blocks of unmet "
        "need a day at 20x18x12, which no plan avoids), so 1 % of the bound is a loose test; "
        "the share proven optimal is the strict one.",
    )


if __name__ == "__main__":
    sys.exit(main())
