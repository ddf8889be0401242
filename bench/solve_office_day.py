"""Benchmark: planning office-days with CP-SAT (scheduling/solver), against the greedy.

    .venv/bin/python bench/solve_office_day.py            # 30 days per size, rewrites the docs section
    .venv/bin/python bench/solve_office_day.py --quick    # 3 days per size, leaves the docs alone

Seeded generated days (scheduling/solver/generate.py) in three sizes: counters x blocks x
services of 6x14x4, 20x18x12 and 40x18x20, each with its lunch break and one pool per six
services. Every day is planned twice in the same process: `greedy_plan` (the greedy
alone) and `solve` (greedy hint, then CP-SAT with the instance's limits: 2 s, 2 workers,
seed 1). Timed is the whole `solve` call as a caller sees it: building the cost tables,
the greedy, the model and CP-SAT. Every plan is checked by `validate`.

Goals (the optimiser issue), for 20x18x12: median ≤ 0.5 s, p95 ≤ 2 s, at least 95 % of the
days proven optimal or within 1 % of the bound. No database, no Django.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import statistics
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

import harness  # noqa: E402

from scheduling.solver import Solution, greedy_plan, load_instance, solve, validate  # noqa: E402
from scheduling.solver.generate import generate_instance  # noqa: E402

NAME = "solve-office-day"
RESULTS = BASE_DIR / "bench" / "results" / "solve_office_day.json"
SIZES = {"small": (6, 14, 4), "medium": (20, 18, 12), "large": (40, 18, 20)}
GOAL_SIZE = "medium"
GOALS = {"median_seconds": 0.5, "p95_seconds": 2.0, "near_optimal_share": 0.95}
NEAR = 0.01  # "within 1 % of the bound"


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, help="days per size (30; quick: 3)")
    parser.add_argument("--rounds", type=int, help="rounds over all days (3; quick: 1)")
    parser.add_argument("--quick", action="store_true", help="smoke run; leaves the docs alone")
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite the docs section")
    args = parser.parse_args(argv)
    args.days = args.days or (3 if args.quick else 30)
    args.rounds = args.rounds or (1 if args.quick else 3)
    args.write_docs = not (args.quick or args.no_docs)
    args.command = " ".join(["bench/solve_office_day.py", *(argv or sys.argv[1:])])
    return args


def _measures(solution: Solution) -> dict[str, float]:
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
    seconds = time.perf_counter() - started
    problems = validate(instance, greedy) + validate(instance, best)
    return {
        "size": size,
        "seed": seed,
        "seconds": round(seconds, 4),
        "greedy_seconds": round(greedy_seconds, 4),
        "status": best.status,
        "gap": best.gap,
        "bound": best.bound,
        "bounds": best.bounds,
        "greedy": _measures(greedy),
        "cp_sat": _measures(best),
        "problems": problems,
    }


def p95(values: Sequence[float]) -> float:
    """Nearest rank: the value at least 95 % of the days are at or under."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _change(days: list[dict[str, Any]], key: str) -> dict[str, float]:
    greedy = sum(d["greedy"][key] for d in days)
    best = sum(d["cp_sat"][key] for d in days)
    return {
        "greedy": round(greedy, 3),
        "cp_sat": round(best, 3),
        "change": round(best - greedy, 3),
        "change_share": round((best - greedy) / greedy, 5) if greedy else 0.0,
    }


def _closed(days: list[dict[str, Any]]) -> float | None:
    """Of the greedy's excess over the lower bound, the share CP-SAT's plan removed."""
    excess = sum(d["greedy"]["objective"] - d["bound"] for d in days)
    removed = sum(d["greedy"]["objective"] - d["cp_sat"]["objective"] for d in days)
    return round(removed / excess, 3) if excess > 0 else None


def _timing(days: list[dict[str, Any]]) -> dict[str, Any]:
    """Solve times pooled over all rounds, and each round's median and p95 (the spread
    between rounds shows how much the shared machine moved the figures)."""
    seconds = [d["seconds"] for d in days]
    rounds = sorted({d["round"] for d in days})
    per_round = [[d["seconds"] for d in days if d["round"] == r] for r in rounds]
    statuses: dict[str, int] = {}
    for d in days:
        statuses[d["status"]] = statuses.get(d["status"], 0) + 1
    return {
        "solves": len(days),
        "median_seconds": round(statistics.median(seconds), 3),
        "p95_seconds": round(p95(seconds), 3),
        "max_seconds": round(max(seconds), 3),
        "round_medians": [round(statistics.median(r), 3) for r in per_round],
        "round_p95s": [round(p95(r), 3) for r in per_round],
        "greedy_median_seconds": round(statistics.median(d["greedy_seconds"] for d in days), 4),
        "statuses": statuses,
        "optimal_share": round(statuses.get("OPTIMAL", 0) / len(days), 3),
        "near_optimal_share": round(sum(d["gap"] <= NEAR for d in days) / len(days), 3),
        "max_gap": max(d["gap"] for d in days),
        "invalid_plans": sum(bool(d["problems"]) for d in days),
    }


def summarize(days: list[dict[str, Any]]) -> dict[str, Any]:
    """Timing over every solve; plan quality on the first round's days."""
    first = [d for d in days if d["round"] == 1]
    return {
        "days": len(first),
        **_timing(days),
        "improved_days": sum(d["cp_sat"]["objective"] < d["greedy"]["objective"] for d in first),
        "greedy_excess_closed": _closed(first),
        "unmet_per_day": round(
            statistics.mean(d["cp_sat"]["unmet_counter_blocks"] for d in first), 1
        ),
        "objective": _change(first, "objective"),
        "waiting_citizen_minutes": _change(first, "waiting_citizen_minutes"),
        "unmet_counter_blocks": _change(first, "unmet_counter_blocks"),
        "switches": _change(first, "switches"),
        "worst_unmet_share": _change(first, "worst_unmet_share"),
    }


def goals(summary: dict[str, Any]) -> dict[str, bool]:
    return {
        "median_seconds": summary["median_seconds"] <= GOALS["median_seconds"],
        "p95_seconds": summary["p95_seconds"] <= GOALS["p95_seconds"],
        "near_optimal_share": summary["near_optimal_share"] >= GOALS["near_optimal_share"],
    }


def _pct(x: float) -> str:
    return f"{x:.0%}"


def _spread(values: Sequence[float]) -> str:
    return f"{min(values):.2f}–{max(values):.2f}" if len(values) > 1 else f"{values[0]:.2f}"


def _signed(change: dict[str, float], digits: int = 1) -> str:
    return (
        f"{change['greedy']:,.{digits}f} → {change['cp_sat']:,.{digits}f} "
        f"({change['change_share']:+.1%})"
    )


def render(report: dict[str, Any]) -> str:
    sizes = report["sizes"]
    rows = [
        [
            f"{name} {'x'.join(map(str, SIZES[name]))}",
            f"{s['days']} x {report['rounds']}",
            f"{s['median_seconds']:.2f}",
            f"{s['p95_seconds']:.2f}",
            f"{s['max_seconds']:.2f}",
            _spread(s["round_medians"]) + " / " + _spread(s["round_p95s"]),
            _pct(s["optimal_share"]),
            _pct(s["near_optimal_share"]),
            f"{s['max_gap']:.2%}",
            f"{s['greedy_median_seconds'] * 1000:.0f} ms",
        ]
        for name, s in sizes.items()
    ]
    timing = harness.markdown_table(
        ["size (counters x blocks x services)", "days x rounds", "median s", "p95 s", "max s",
         "rounds: median / p95 s", "proven optimal", "within 1 % of bound", "largest gap", "greedy alone (median)"],
        rows,
    )  # fmt: skip
    quality = harness.markdown_table(
        ["size", "objective", "waiting (citizen-min)", "unmet (counter-blocks)", "switches",
         "worst unmet share (sum)", "days improved", "greedy's excess over the bound removed"],
        [
            [name, _signed(s["objective"]), _signed(s["waiting_citizen_minutes"]),
             _signed(s["unmet_counter_blocks"]), _signed(s["switches"], 0),
             _signed(s["worst_unmet_share"], 2), f"{s['improved_days']}/{s['days']}",
             "–" if s["greedy_excess_closed"] is None else _pct(s["greedy_excess_closed"])]
            for name, s in sizes.items()
        ],
    )  # fmt: skip
    return "\n\n".join(
        [
            "## Office-day planning (CP-SAT)",
            "How fast and how well `scheduling/solver` plans an office-day (which queue each "
            "counter serves in each half-hour block), on seeded generated days "
            "(`scheduling/solver/generate.py`: lunch break, 70–100 % of the counters staffed, "
            "two to four skills a counter, one pool per six services, a late-morning rush). "
            "Each day is planned by the greedy alone and by `solve` (greedy hint, then CP-SAT "
            "with 2 workers, a 2 s limit, seed 1); the time is the whole `solve` call. The "
            "goals, for 20x18x12: median ≤ 0.5 s, p95 ≤ 2 s, ≥ 95 % of the days proven optimal "
            "or within 1 % of the bound. The model: docs/scheduling.md.",
            f"Command: `.venv/bin/python {report['command']}`",
            f"Run on {report['started'][:16].replace('T', ' ')} UTC: {report['machine']}; "
            f"{report['seconds']:.0f} s in all.",
            timing,
            "Times and shares are over every solve of every round; p95 is the nearest rank. "
            "Plan quality, first round: CP-SAT against the greedy on the same days, summed "
            "over the days (greedy → CP-SAT):",
            quality,
            report["verdict"],
        ]
    )


def verdict(report: dict[str, Any]) -> str:
    summary = report["sizes"][GOAL_SIZE]
    met = goals(summary)
    parts = [
        f"median {summary['median_seconds']:.2f} s ({'met' if met['median_seconds'] else 'missed'}), "
        f"p95 {summary['p95_seconds']:.2f} s ({'met' if met['p95_seconds'] else 'missed'}), "
        f"{summary['near_optimal_share']:.0%} within 1 % of the bound "
        f"({'met' if met['near_optimal_share'] else 'missed'})"
    ]
    spread = (
        f"Between rounds the median ranged {_spread(summary['round_medians'])} s and the p95 "
        f"{_spread(summary['round_p95s'])} s on this shared machine. "
        if report["rounds"] > 1
        else ""
    )
    return f"**Goals for 20x18x12:** {'; '.join(parts)}. " + spread + report["limits"]


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    started = datetime.now(UTC).replace(microsecond=0)
    clock = time.perf_counter()
    solve(load_instance(generate_instance(counters=6, blocks=14, services=4, seed=999)))  # warm-up
    load_start = harness.load_average()
    days: list[dict[str, Any]] = []
    for round_ in range(1, args.rounds + 1):
        for size, seed in ((size, seed) for size in SIZES for seed in range(args.days)):
            day = {"round": round_, **run_day(size, seed)}
            days.append(day)
            print(
                f"bench: round {round_} {size:6} seed {seed:2} {day['status']:19} {day['seconds']:6.3f} s "
                f"gap {day['gap']:.4%} objective {day['greedy']['objective']:,.1f} → "
                f"{day['cp_sat']['objective']:,.1f}",
                flush=True,
            )
    report: dict[str, Any] = {
        "benchmark": NAME,
        "started": started.isoformat(),
        "command": args.command,
        "quick": args.quick,
        "machine": (
            f"{harness.usable_cpus()} CPUs (nproc), {harness.cpu_model()}, "
            f"{harness.memory_gib()}, load average {load_start} at the start and "
            f"{harness.load_average()} at the end (the machine is shared), Python "
            f"{platform.python_version()}, OR-Tools {metadata.version('ortools')}"
        ),
        "seconds": round(time.perf_counter() - clock, 1),
        "goals": GOALS,
        "rounds": args.rounds,
        "sizes": {size: summarize([d for d in days if d["size"] == size]) for size in SIZES},
        "days": days,
    }
    report["goals_met"] = goals(report["sizes"][GOAL_SIZE])
    report["limits"] = limits(report)
    report["verdict"] = verdict(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(report["verdict"])
    print(f"raw results: {RESULTS.relative_to(BASE_DIR)}")
    if any(s["invalid_plans"] for s in report["sizes"].values()):
        print("bench: some plans failed validation; docs left as they were", file=sys.stderr)
        return 1
    if args.write_docs:
        harness.replace_docs_section(NAME, render(report))
        print(f"bench: wrote the {NAME} section of docs/benchmarks.md")
    return 0


def limits(report: dict[str, Any]) -> str:
    """What the figures say about where the time goes and what 1 % of the bound means."""
    summary = report["sizes"][GOAL_SIZE]
    timed_out = summary["statuses"].get("FEASIBLE", 0)
    return (
        f"{timed_out} of the {summary['solves']} solves stopped at the 2 s limit without a proof "
        "(their plan is then CP-SAT's best, with its gap). What takes the time is proving, "
        "not finding: the greedy is exact block by block for the weighted sum of unmet need "
        "and waiting, and CP-SAT's work is trading a few switches against it, where the LP "
        "relaxation of the switch rows is weak. So that sum cannot improve on the greedy; "
        "CP-SAT buys fewer switches and a fairer worst service with a little of it (and "
        "sometimes trades unmet need for waiting or back). The generated days are tight "
        f"(about {summary['unmet_per_day']:.0f} counter-blocks of unmet need a day at "
        "20x18x12, which no plan avoids), so the objective is dominated by a part every plan "
        "pays and 1 % of the bound is a loose test; the share proven optimal is the strict one."
    )


if __name__ == "__main__":
    sys.exit(main())
