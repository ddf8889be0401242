"""National night: every office's bookable days planned through Celery.

The nightly `scheduling.tasks.plan_all_offices` for 500 offices, on the first night of a
country, the heaviest: it sends one `plan_office_days` task per active office, and each
plans every bookable day (the office's today to the end of its longest booking window,
scheduling/horizon.py: 31 days for the demo's 30-day windows) one after the other with
`day_plan_solve` (CP-SAT with GILIRAN_PLAN_WORKERS threads and
GILIRAN_PLAN_TIME_LIMIT_SECONDS per day, then the quotas written to the slots). Later
nights re-plan the next GILIRAN_PLAN_DAYS (14) days and plan the one day that came into
the window, about half this work. The offices are the 7 demo offices and copies of them
in turn (with their counters, skills, services and hours), their slots those of
`default_plan_extend_window` (a probe call on a copy must create nothing), and 30–60 % of
the first GILIRAN_PLAN_DAYS days' appointment places booked (nearer days and mornings
fuller, random per slot). There is no walk-in history, so every forecast is the default
one.

A Celery worker is started as in production (`celery --app=config worker --pool=prefork
--concurrency=K --without-gossip --without-mingle`, `DEBUG=0`, Redis broker), the task is
sent once, and the wall time runs from the send until every bookable day of every active
office has its DayPlan row planned or failed (polled every 0.5 s). CPU times are the
worker's and the PostgreSQL backends' (from /proc). Runs: a subset of offices with 1 pool
process, with 2, and with 2 and a 0.5 s limit (the scaling); then the night itself, or,
when the subset predicts more than 40 min, the most offices that fit in 30 min,
extrapolated. Goal: the 500 offices' night in ≤ 30 min (set for 500 x 14 days; the first
night, measured here, plans more than twice that).

    .venv/bin/python bench/national_night.py            # full run, rewrites its docs section
    .venv/bin/python bench/national_night.py --quick    # smoke run, leaves the docs alone
"""

from __future__ import annotations

import re
import sys
import time
from collections import Counter
from typing import Any

import psycopg
from harness import net, procs, run, stats

NAME, GOAL_SECONDS = "national-night", 30 * 60.0
PARAMS: dict[str, tuple[Any, Any, str]] = {
    "offices": (500, 21, "offices in the night"),
    "days": (14, 3, "GILIRAN_PLAN_DAYS"),
    "subset": (50, 14, "offices in the scaling runs"),
    "concurrency": (2, 2, "worker pool processes for the night"),
    "time_limit": (2.0, 2.0, "GILIRAN_PLAN_TIME_LIMIT_SECONDS (the setting's default)"),
    "short_time_limit": (0.5, 0.5, "the shorter limit tried on the subset"),
    "budget_minutes": (40.0, 5.0, "run the whole night if the subset predicts at most this"),
    "fit_minutes": (30.0, 3.0, "otherwise the most offices that fit in this"),
    "run_limit_minutes": (50.0, 10.0, "any one run is stopped after this"),
    "redis": ("redis://127.0.0.1:6379/11", "redis://127.0.0.1:6379/11", "Celery broker"),
}
OFFICE_DONE = re.compile(r"plan_office_days\[[^\]]+\] succeeded in ([\d.]+)s")


def set_up(offices: int, days: int) -> dict[str, Any]:
    """In Django: copies of the demo offices (ORM), their slots copied from the
    templates' in one INSERT … SELECT, then the bookings."""
    from django.db import connection, transaction
    from django.db.models import Model
    from django.utils import timezone
    from harness.django_call import insert_columns

    from booking.models import Booking
    from demo import data as demo_data
    from offices.models import Counter, Office, OfficeService, OpeningHours
    from scheduling.services import default_plan_extend_window

    templates = [Office.objects.get(code=spec["code"]) for spec in demo_data.OFFICES]

    def copy(obj: Model, **changes: Any) -> Any:
        values = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
        return type(obj)(**{**values, "id": None, **changes})

    pairs = [(templates[n % 7], n // 7) for n in range(len(templates), offices)]
    with transaction.atomic(), connection.cursor() as cursor:
        made = Office.objects.bulk_create([copy(t, code=f"{t.code}-{k:02d}") for t, k in pairs])
        os_map, counters = [], []
        for office, (t, _) in zip(made, pairs, strict=True):
            for offered in OfficeService.objects.filter(office=t):
                os_map.append((offered.pk, copy(offered, office_id=office.pk)))
            counters += [
                (c, copy(c, office_id=office.pk)) for c in Counter.objects.filter(office=t)
            ]
            OpeningHours.objects.bulk_create(
                [copy(h, office_id=office.pk) for h in OpeningHours.objects.filter(office=t)]
            )
        OfficeService.objects.bulk_create([new for _, new in os_map], batch_size=2000)
        Counter.objects.bulk_create([new for _, new in counters], batch_size=2000)
        Counter.services.through.objects.bulk_create(
            [
                Counter.services.through(counter_id=new.pk, service_id=s.pk)
                for old, new in counters
                for s in old.services.all()
            ],
            batch_size=5000,
        )
        cursor.execute("CREATE TEMP TABLE bench_map (old_id bigint, new_id bigint) ON COMMIT DROP")
        cursor.executemany(
            "INSERT INTO bench_map VALUES (%s, %s)", [(old, new.pk) for old, new in os_map]
        )
        cursor.execute(
            "INSERT INTO booking_slot "
            "(office_service_id, starts_at, ends_at, local_date, capacity, taken) "
            "SELECT m.new_id, s.starts_at, s.ends_at, s.local_date, s.capacity, 0 "
            "FROM booking_slot s JOIN bench_map m ON m.old_id = s.office_service_id"
        )
    now = timezone.now()
    if made and default_plan_extend_window(office=made[-1], now=now):
        raise SystemExit("the copied slots differ from default_plan_extend_window's")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.4242)")
        # Tomorrow 60 % taken down to 30 % on the last planned day; mornings fuller.
        cursor.execute(
            "UPDATE booking_slot s SET taken = LEAST(s.capacity, floor(s.capacity * (0.6 - 0.3 * "
            "  (s.local_date - current_date - 1) / GREATEST(%s - 1, 1)::float) * (CASE WHEN "
            "  extract(hour FROM s.starts_at AT TIME ZONE o.timezone) < 12 THEN 1.2 ELSE 0.8 END) "
            "  * (0.5 + random()) + random())::int) "
            "FROM offices_officeservice os, offices_service sv, offices_office o "
            "WHERE s.office_service_id = os.id AND os.service_id = sv.id AND os.office_id = o.id "
            "AND sv.accepts_appointments "
            "AND s.local_date BETWEEN current_date + 1 AND current_date + %s",
            [days, days],
        )
        columns, values, defaults = insert_columns(
            Booking,
            {
                "code": "'NB' || lpad(n::text, 10, '0')",
                "slot_id": "slot_id",
                "service_id": "service_id",
                "status": "'confirmed'",
                "occupies_slot": "true",
                "full_name": "'Warga Malam ' || n",
                "nik_encrypted": "'bench'",
                "nik_hash": "encode(sha256(('nik' || n)::bytea), 'hex')",
                "nik_last4": "lpad(mod(n, 10000)::text, 4, '0')",
                "phone": "'+62812' || lpad(n::text, 8, '0')",
                "channel": "'sms'",
                "language": "'id'",
                "source": "'web'",
                "created_at": "now()",
                "confirmed_at": "now()",
            },
        )
        cursor.execute(
            f"INSERT INTO booking_booking ({columns}) SELECT {values} "  # noqa: S608 - from the model
            "FROM (SELECT row_number() OVER () AS n, s.id AS slot_id, os.service_id "
            "      FROM booking_slot s "
            "        JOIN offices_officeservice os ON os.id = s.office_service_id, "
            "        generate_series(1, s.taken) WHERE s.taken > 0 "
            "        AND s.local_date BETWEEN current_date + 1 AND current_date + %s) AS b",
            [*defaults, days],
        )
        bookings = cursor.rowcount
        cursor.execute("ANALYZE")
    return {"offices": Office.objects.count(), "bookings": bookings}


def plan_run(
    bench: run.Bench,
    env: dict[str, str],
    conn: Any,
    name: str,
    offices: int,
    concurrency: int,
    limit: float,
) -> dict[str, Any]:
    """One run: the first `offices` offices active, a fresh worker, the task sent once."""
    o = bench.o
    conn.execute("TRUNCATE scheduling_dayplan, queueing_walkincapacity")
    conn.execute(
        "UPDATE offices_office "
        "SET is_active = id IN (SELECT id FROM offices_office ORDER BY id LIMIT %s)",
        [offices],
    )
    expected = bookable_days(conn)
    print(
        f"bench: run {name}: {offices} offices, {expected} bookable days, "
        f"concurrency {concurrency}, limit {limit:g} s",
        flush=True,
    )
    procs.flush_redis(o.redis)
    run_env = {
        **env,
        "GILIRAN_PLAN_DAYS": str(o.days),
        "GILIRAN_PLAN_TIME_LIMIT_SECONDS": str(limit),
    }
    log, watch, outcome = (
        bench.path(f"{name}-worker.log"),
        procs.CpuWatch(),
        f"run limit ({o.run_limit_minutes:g} min)",
    )
    with procs.celery(run_env, log, concurrency=concurrency) as worker:
        from celery import Celery

        app = Celery("giliran", broker=o.redis)
        began = time.monotonic()
        app.send_task("scheduling.tasks.plan_all_offices")
        app.close()
        while time.monotonic() - began < o.run_limit_minutes * 60:
            time.sleep(0.5)
            watch.sample(
                {
                    "worker": procs.family(worker.pid),
                    "postgres": procs.postgres_pids(conn, o.database),
                }
            )
            row = conn.execute(
                "SELECT count(*) FROM scheduling_dayplan WHERE status IN ('planned', 'failed')"
            ).fetchone()
            if row and row[0] >= expected:
                outcome = "done"
                break
            if worker.poll() is not None:
                outcome = "the worker exited"
                break
        wall = time.monotonic() - began
    rows = conn.execute(
        "SELECT status, coalesce(solver_status, ''), (solution->>'solve_seconds')::float "
        "FROM scheduling_dayplan"
    ).fetchall()
    done = [r for r in rows if r[0] in ("planned", "failed")]
    open_days = sum(1 for r in done if r[1] != "CLOSED") or 1
    solves = [r[2] for r in rows if r[2] is not None]
    cpu = watch.seconds()
    tasks = [float(s) for s in OFFICE_DONE.findall(log.read_text(errors="replace"))]
    return {
        "name": name,
        "offices": offices,
        "concurrency": concurrency,
        "limit": limit,
        "outcome": outcome,
        "wall_seconds": round(wall, 1),
        "days": len(done),
        "bookable_days": expected,
        "days_per_second": round(len(done) / wall, 2),
        "failed": sum(1 for r in rows if r[0] == "failed"),
        "statuses": dict(sorted(Counter(r[1] for r in done).items())),
        "optimal_share": round(sum(r[1] == "OPTIMAL" for r in done) / open_days, 3),
        "solve_median": stats.median(solves),
        "solve_sum": round(sum(solves), 1),
        "task_median": stats.median(tasks, 2),
        "task_max": max(tasks, default=None),
        "worker_cpu_per_open_day": round(cpu.get("worker", 0) / open_days, 3),
        "postgres_cpu_per_open_day": round(cpu.get("postgres", 0) / open_days, 4),
        "machine_busy_share": cpu["machine_busy_share"],
        "open_share": open_days / max(len(done), 1),
        "worker_cpu": cpu.get("worker", 0),
        "problems": net.log_problems(log)[:20],
    }


def bookable_days(conn: psycopg.Connection[Any]) -> int:
    """The days the night must plan: for each active office its today and every day of
    its longest active booking window (scheduling.horizon.planning_days)."""
    row = conn.execute(
        "SELECT coalesce(sum(longest + 1), 0) FROM ("
        " SELECT coalesce(max(os.booking_window_days)"
        "   FILTER (WHERE os.is_active AND s.is_active), 0) AS longest"
        " FROM offices_office o"
        " LEFT JOIN offices_officeservice os ON os.office_id = o.id"
        " LEFT JOIN offices_service s ON s.id = os.service_id"
        " WHERE o.is_active GROUP BY o.id) windows"
    ).fetchone()
    return int(row[0]) if row else 0


def main() -> int:
    bench = run.Bench(NAME, __doc__ or "", PARAMS, groups=("database",))
    o = bench.o
    with bench.database() as env:
        env.update(REDIS_URL=o.redis, GILIRAN_CONSOLE_MESSAGES="0")
        setup = run.django_call(env, set_up, offices=o.offices, days=o.days)
        with psycopg.connect(bench.url(), autocommit=True) as conn:
            runs = [
                plan_run(bench, env, conn, name, o.subset, concurrency, limit)
                for name, concurrency, limit in (
                    ("subset-c1", 1, o.time_limit),
                    ("subset-c2", 2, o.time_limit),
                    (f"subset-c2-limit-{o.short_time_limit:g}", 2, o.short_time_limit),
                )
            ]
            rate = runs[1]["days_per_second"] or 1e-9
            per_office = runs[1]["bookable_days"] / o.subset
            predicted = o.offices * per_office / rate
            fits = max(1, min(o.offices, int(o.fit_minutes * 60 * rate / per_office)))
            size = o.offices if predicted <= o.budget_minutes * 60 else fits
            runs.append(plan_run(bench, env, conn, "night", size, o.concurrency, o.time_limit))
    night = runs[-1]
    whole = (
        night["wall_seconds"]
        if night["offices"] == o.offices
        else o.offices * night["bookable_days"] / night["offices"] / night["days_per_second"]
    )
    failures = [
        f"{r['name']}: {what}"
        for r in runs
        for what, bad in (
            (r["outcome"], r["outcome"] != "done"),
            (f"{r['failed']} plans failed", r["failed"]),
            (f"log: {r['problems'][:2]}", r["problems"]),
        )
        if bad
    ]
    report = {"setup": setup, "runs": runs, "predicted_seconds": predicted, "whole_seconds": whole}
    return bench.finish(report, render(bench, setup, runs, whole), failures)


def render(
    bench: run.Bench, setup: dict[str, Any], runs: list[dict[str, Any]], whole: float
) -> str:
    o, night = bench.o, runs[-1]
    table = stats.table(
        [
            "run",
            "wall time",
            "days/s",
            "worker CPU / open day",
            "PostgreSQL CPU / open day",
            "median solve",
            "proven optimal",
            "statuses",
            "machine busy",
        ],
        [
            [
                f"{'**night**' if r is night else r['name']}: {r['offices']} offices, "
                f"concurrency {r['concurrency']}, limit {r['limit']:g} s",
                f"{r['wall_seconds']} s",
                r["days_per_second"],
                f"{r['worker_cpu_per_open_day']} s",
                f"{r['postgres_cpu_per_open_day']} s",
                stats.num(r["solve_median"], " s", 3),
                f"{r['optimal_share']:.0%}",
                ", ".join(f"{k or '?'} {v}" for k, v in r["statuses"].items()),
                f"{r['machine_busy_share']:.0%}",
            ]
            for r in runs
        ],
    )
    per_day = night["worker_cpu_per_open_day"] * night["open_share"]
    per_office = night["bookable_days"] / night["offices"]
    projection = stats.table(
        [
            "workers",
            "from the night's rate on this machine",
            "from CPU time per day (dedicated cores)",
        ],
        [
            [
                f"{n} x 2 cores",
                f"{whole / n / 60:.1f} min",
                f"{o.offices * per_office * per_day / (2 * n) / 60:.1f} min",
            ]
            for n in (1, 4, 16)
        ],
    )
    c1, c2 = runs[0]["days_per_second"], runs[1]["days_per_second"]
    return stats.section(
        "National night: every office's bookable days planned through Celery",
        __doc__ or "",
        bench.command,
        bench.run_line(stats.versions("django", "celery", "ortools")),
        f"Set-up: {setup['offices']} offices, {setup['bookings']:,} bookings. Each run plans "
        f"every bookable day, {per_office:g} per office, {o.days} of them "
        "re-planned on later nights; per-office task median "
        f"{stats.num(night['task_median'], ' s', 2)}, "
        f"max {stats.num(night['task_max'], ' s', 2)} (the worker's log).",
        table,
        f"**Goal ({o.offices} offices' first night, {o.offices} x {per_office:g} days, "
        f"in ≤ 30 min): {whole / 60:.1f} min, "
        f"{stats.verdict(night['offices'] == o.offices and whole <= GOAL_SECONDS)}**"
        + ("" if night["offices"] == o.offices else " (extrapolated from the night's rate)")
        + f". 2 pool processes planned {stats.ratio(c2, c1, 2)}x the days per second of 1; "
        f"the solver's own time was {stats.ratio(night['solve_sum'], night['worker_cpu'], 2)} of "
        "the worker's CPU, the rest Django. The night fans out one task per office, so it "
        "scales with worker processes until the cores (then the one database) are busy:",
        projection,
    )


if __name__ == "__main__":
    sys.exit(main())
