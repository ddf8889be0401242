"""Availability at national scale.

The booking calendar's month view for a random office × service × month, as the page
(`/kantor/<office>/layanan/<service>/?bulan=YYYY-MM`, HTML) and through the API
(`/api/v1/offices/<office>/services/<service>/availability/?month=YYYY-MM`, JSON), against
a database the size of a national roll-out: 500 offices (in the three zones, weighted by
province population; a third open Saturday mornings; 3 % with a local closure) × 20
services, each office-service with 30-minute slots on its first 60 open days (no
national holidays or cuti bersama, as the default plan does), about 8 million slots with
capacity 1 to 4; sooner days fuller (30 % of office-service-days full in the first two
weeks, 3 % later, and 3 % of office-services booked out throughout), and one booking for
each taken place, about 10 million, of them 20,000 holds (85 % expired but still counted,
as the app leaves them until a claim finds their slot full). The database is generated
for each run (about a quarter of an hour on this machine: slots and bookings by
`INSERT … SELECT` over `generate_series`, into tables without their secondary indexes,
which are then rebuilt exactly as migrated) and dropped at the end.

wrk picks each request's path at random among every office × service × month the plans
reach, so consecutive requests read different office-services and months, as a country's
traffic does. Anonymous, Bahasa Indonesia. The server caches answers as in production
(the versioned cache of core/versioned_cache.py in Redis, `--redis`, emptied first), so
after the first reads most requests are cache hits, as a release's crowd makes them.
`/bench/hello/` runs in alternating rounds of
the same run. Goals: p99 ≤ 50 ms at 32 connections, throughput ≥ 0.5 × hello, no errors.

    .venv/bin/python bench/availability_scale.py            # full run, rewrites its docs section
    .venv/bin/python bench/availability_scale.py --quick    # smoke run, leaves the docs alone
"""

from __future__ import annotations

import random
import sys
import time
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from harness import django_call, net, procs, run, stats

NAME = "availability_scale"
GOAL_P99_MS, GOAL_RATIO = 50.0, 0.5
PAGE = "/kantor/{office}/layanan/{service}/?bulan={month}"
API = "/api/v1/offices/{office}/services/{service}/availability/?month={month}"
PARAMS: dict[str, tuple[Any, Any, str]] = {
    "offices": (500, 20, "offices"),
    "services": (20, 5, "services, every office offers all"),
    "plan_days": (60, 20, "open days planned per office-service"),
    "holds": (20_000, 500, "held bookings"),
    "seed": (20261122, 20261122, "random seed of the country"),
    "redis": (
        "redis://127.0.0.1:6379/12",
        "redis://127.0.0.1:6379/12",
        "the server's cache (as in production); emptied",
    ),
}
# (province, zone, latitude, longitude, weight): weights roughly follow population.
PROVINCES = [
    ("DKI Jakarta", "Asia/Jakarta", -6.20, 106.82, 6),
    ("Jawa Barat", "Asia/Jakarta", -6.91, 107.61, 9),
    ("Jawa Tengah", "Asia/Jakarta", -6.99, 110.42, 7),
    ("Jawa Timur", "Asia/Jakarta", -7.25, 112.75, 8),
    ("Banten", "Asia/Jakarta", -6.12, 106.15, 3),
    ("Sumatera Utara", "Asia/Jakarta", 3.59, 98.67, 4),
    ("Sumatera Selatan", "Asia/Jakarta", -2.98, 104.75, 2),
    ("Kalimantan Barat", "Asia/Jakarta", -0.03, 109.33, 2),
    ("Bali", "Asia/Makassar", -8.65, 115.22, 2),
    ("Nusa Tenggara Timur", "Asia/Makassar", -10.17, 123.60, 2),
    ("Kalimantan Timur", "Asia/Makassar", -0.50, 117.15, 2),
    ("Sulawesi Selatan", "Asia/Makassar", -5.14, 119.42, 3),
    ("Maluku", "Asia/Jayapura", -3.70, 128.18, 1),
    ("Papua", "Asia/Jayapura", -2.53, 140.72, 1),
]
KINDS = ["immigration", "civil_registry", "health_insurance", "service_mall", "other"]
WEEK = [(d, "07:30", "15:30", "12:00", "13:00") for d in range(4)] + [
    (4, "07:30", "16:00", "11:30", "13:30")  # the long Friday prayer break
]
SATURDAY = (5, "08:00", "12:00", None, None)  # civil registries and service malls


def generate(offices: int, services: int, plan_days: int, holds: int, seed: int) -> dict[str, Any]:
    """In Django: the catalog through the ORM (new fields get their defaults), then open
    days, slots and bookings in SQL, one INSERT … SELECT per calendar day, in the order
    the daily plan extension writes them (day, office, service, time)."""
    from django.db import connection, transaction
    from harness.django_call import insert_columns

    from booking.models import Booking
    from offices import holidays
    from offices.models import Closure, Office, OfficeService, OpeningHours, Service

    rng, first = random.Random(seed), datetime.now(ZoneInfo("Asia/Jakarta")).date()
    steps, mark = {}, time.monotonic()
    with transaction.atomic():
        catalog = Service.objects.bulk_create(
            [
                Service(
                    code=f"layanan-{n:02d}",
                    name_id=f"Layanan {n:02d}",
                    name_en=f"Service {n:02d}",
                    average_minutes=10 + n * 7 % 25,
                    ticket_letter=chr(64 + n),
                    accepts_appointments=True,
                    accepts_walk_ins=True,
                )
                for n in range(1, services + 1)
            ]
        )
        country = []
        for n in range(1, offices + 1):
            province, zone, lat, lon, _ = rng.choices(PROVINCES, [p[4] for p in PROVINCES])[0]
            country.append(
                Office(
                    code=f"kantor-{n:03d}",
                    name=f"Kantor Layanan {province} {n:03d}",
                    kind=KINDS[n % 5],
                    address=f"Jalan Merdeka No. {n}",
                    province=province,
                    regency=f"Kota {n % 7 + 1}",
                    latitude=f"{lat + rng.uniform(-0.6, 0.6):.6f}",
                    longitude=f"{lon + rng.uniform(-0.6, 0.6):.6f}",
                    timezone=zone,
                    is_active=True,
                )
            )
        Office.objects.bulk_create(country)
        OpeningHours.objects.bulk_create(
            [
                OpeningHours(
                    office=o, weekday=d, opens_at=a, closes_at=b, break_starts_at=c, break_ends_at=e
                )
                for o in country
                for d, a, b, c, e in WEEK
                + ([SATURDAY] if o.kind in ("civil_registry", "service_mall") else [])
            ]
        )
        OfficeService.objects.bulk_create(
            [
                OfficeService(
                    office=o, service=s, ticket_letter=s.ticket_letter, booking_opens_days_ahead=1
                )
                for o in country
                for s in catalog
            ],
            batch_size=2000,
        )
        Closure.objects.bulk_create(
            [
                Closure(
                    office=o,
                    starts_on=(start := first + timedelta(days=rng.randint(7, 50))),
                    ends_on=start + timedelta(days=rng.randint(0, 2)),
                    reason_id="Renovasi",
                    reason_en="Renovation",
                )
                for o in rng.sample(country, round(offices * 0.03))
            ]
        )
    steps["catalog"] = time.monotonic() - mark
    horizon = first + timedelta(days=plan_days * 7 // 4 + 60)
    closed = sorted(holidays.national_holidays_between(first, horizon))
    with connection.cursor() as cursor:
        mark = time.monotonic()
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SELECT setseed(%s)", [seed % 1000 / 1000])
        cursor.execute(
            """CREATE TEMP TABLE bench_days AS SELECT * FROM (
                 SELECT o.id AS office_id, o.timezone, d::date AS day, h.opens_at, h.closes_at,
                        h.break_starts_at, h.break_ends_at,
                        row_number() OVER (PARTITION BY o.id ORDER BY d) AS n
                 FROM offices_office o CROSS JOIN generate_series(%s::date, %s::date, '1 day') d
                 JOIN offices_openinghours h
                   ON h.office_id = o.id AND h.weekday = extract(isodow FROM d)::int - 1
                 WHERE NOT (d::date = ANY(%s::date[])) AND NOT EXISTS (
                   SELECT 1 FROM offices_closure c
                   WHERE c.office_id = o.id AND d::date BETWEEN c.starts_on AND c.ends_on)
               ) AS open_days WHERE n <= %s""",
            [first, horizon, closed, plan_days],
        )
        cursor.execute(
            """UPDATE offices_officeservice os SET booking_window_days = span.days FROM (
                 SELECT office_id, max(day) - %s::date AS days FROM bench_days GROUP BY office_id
               ) AS span WHERE os.office_id = span.office_id""",
            [first],
        )
        # How full each office-service-day is; 3 % of office-services booked out.
        cursor.execute(
            """CREATE TEMP TABLE bench_os_days AS
               SELECT os.id AS os_id, d.*, CASE
                 WHEN os.id %% 33 = 0 THEN 1.0
                 WHEN random() < CASE WHEN d.day - %(first)s < 14 THEN 0.30
                                      WHEN d.day - %(first)s < 30 THEN 0.10 ELSE 0.03 END THEN 1.0
                 ELSE random() * 0.9 END AS fill
               FROM bench_days d JOIN offices_officeservice os ON os.office_id = d.office_id""",
            {"first": first},
        )
        cursor.execute("CREATE INDEX ON bench_os_days (day)")
        cursor.execute("ANALYZE bench_os_days")
        cursor.execute("SELECT DISTINCT day FROM bench_days ORDER BY day")
        days = [row[0] for row in cursor.fetchall()]
        schema = {t: drop_secondary(cursor, t) for t in ("booking_slot", "booking_booking")}
        steps["plan_days"] = time.monotonic() - mark
        mark = time.monotonic()
        for day in days:
            cursor.execute(
                """INSERT INTO booking_slot
                     (office_service_id, starts_at, ends_at, local_date, capacity, taken)
                   SELECT os_id, t AT TIME ZONE timezone,
                          (t + interval '30 minutes') AT TIME ZONE timezone,
                          day, capacity, least(capacity, floor(capacity * fill + random())::int)
                   FROM (SELECT o.*, ts.t, 1 + floor(random() * 4)::int AS capacity
                         FROM bench_os_days o CROSS JOIN LATERAL (
                           SELECT generate_series(p.s, p.e - interval '30 minutes', '30 minutes')
                                  AS t
                           FROM (VALUES (o.day + o.opens_at,
                                         o.day + coalesce(o.break_starts_at, o.closes_at)),
                                        (o.day + o.break_ends_at, o.day + o.closes_at)) AS p(s, e)
                           WHERE p.s IS NOT NULL) AS ts
                         WHERE o.day = %s) AS planned
                   ORDER BY office_id, os_id, t""",
                [day],
            )
        steps["slots"] = time.monotonic() - mark
        mark = time.monotonic()
        # One held booking in each of `holds` sampled slots, confirmed ones for the rest.
        cursor.execute(
            """CREATE TEMP TABLE bench_holds AS SELECT s.id AS slot_id FROM booking_slot s
               WHERE s.taken > 0 AND s.local_date > %s ORDER BY random() LIMIT %s""",
            [first, holds],
        )
        cursor.execute("CREATE UNIQUE INDEX ON bench_holds (slot_id)")
        known = {
            "code": "'C' || lpad(to_hex(n), 11, '0')",
            "slot_id": "slot_id",
            "service_id": "service_id",
            "status": "'confirmed'",
            "occupies_slot": "true",
            "full_name": "'Warga Uji Beban'",
            "nik_encrypted": "'bench'",
            "nik_hash": "md5(n::text) || md5((-n)::text)",
            "nik_last4": "lpad(mod(n, 10000)::text, 4, '0')",
            "phone": "'+62812' || lpad(n::text, 9, '0')",
            "channel": "'whatsapp'",
            "language": "'id'",
            "source": "'web'",
            "created_at": "starts_at - interval '9 days'",
            "confirmed_at": "starts_at - interval '9 days'",
        }
        columns, values, defaults = insert_columns(Booking, known)
        cursor.execute("CREATE TEMP SEQUENCE bench_n")
        for day in days:
            cursor.execute(
                f"""INSERT INTO booking_booking ({columns}) SELECT {values} FROM (
                      SELECT nextval('bench_n') AS n, * FROM (
                        SELECT s.id AS slot_id, os.service_id, s.starts_at
                        FROM bench_os_days d JOIN offices_officeservice os ON os.id = d.os_id
                        JOIN booking_slot s
                          ON s.office_service_id = d.os_id AND s.local_date = d.day
                        CROSS JOIN LATERAL generate_series(1, s.taken - (
                          SELECT count(*) FROM bench_holds h WHERE h.slot_id = s.id)::int) AS unit
                        WHERE d.day = %s ORDER BY random()) AS units) AS numbered""",  # noqa: S608 - columns from the model
                [*defaults, day],
            )
        known |= {
            "status": "'held'",
            "code": "'H' || lpad(to_hex(n), 11, '0')",
            "hold_token": "md5('hold' || n)",
            "releases_at": (
                "CASE WHEN random() < 0.85 THEN now() - random() * interval '2 days' "
                "ELSE now() + random() * interval '10 minutes' END"
            ),
            "confirmed_at": "NULL",
        }
        columns, values, defaults = insert_columns(Booking, known)
        cursor.execute(
            f"""INSERT INTO booking_booking ({columns}) SELECT {values} FROM (
                  SELECT nextval('bench_n') AS n, h.slot_id, os.service_id, s.starts_at
                  FROM bench_holds h JOIN booking_slot s ON s.id = h.slot_id
                  JOIN offices_officeservice os ON os.id = s.office_service_id) AS held""",  # noqa: S608 - columns from the model
            defaults,
        )
        steps["bookings"] = time.monotonic() - mark
        mark = time.monotonic()
        for table, (constraints, indexes) in schema.items():
            for definition in indexes:
                cursor.execute(definition)
            for name, definition in constraints:
                cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        cursor.execute("VACUUM (ANALYZE)")
        steps["indexes_constraints_vacuum"] = time.monotonic() - mark
    return {"first_day": first.isoformat(), "steps": {k: round(v) for k, v in steps.items()}}


def drop_secondary(cursor: Any, table: str) -> tuple[list[tuple[str, str]], list[str]]:
    """Drop a table's unique and foreign-key constraints and other indexes (not the
    primary key), returning their definitions: loading without them is several times
    faster, and they come back exactly as migrated."""
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY contype DESC",
        [table],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
        "JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = %s::regclass "
        "AND NOT x.indisprimary AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
        "WHERE c.conrelid = x.indrelid AND c.conindid = x.indexrelid)",
        [table],
    )
    indexes = cursor.fetchall()
    for name, _ in constraints:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    return constraints, [definition for _, definition in indexes]


def months(first: date, last: date) -> list[str]:
    found, cursor = [], first.replace(day=1)
    while cursor <= last:
        found.append(f"{cursor:%Y-%m}")
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    return found


def facts(db_url: str) -> dict[str, Any]:
    with psycopg.connect(db_url) as conn:
        row = conn.execute(
            """SELECT (SELECT count(*) FROM booking_slot), (SELECT count(*) FROM booking_booking),
                 (SELECT count(*) FROM booking_booking
                  WHERE status = 'held' AND releases_at <= now()),
                 (SELECT max(local_date) FROM booking_slot), pg_database_size(current_database()),
                 pg_total_relation_size('booking_slot'), pg_total_relation_size('booking_booking'),
                 (SELECT avg((taken = capacity)::int) FROM booking_slot),
                 current_setting('shared_buffers')"""
        ).fetchone()
        codes = conn.execute(
            "SELECT o.code, s.code FROM offices_office o CROSS JOIN offices_service s ORDER BY 1, 2"
        ).fetchall()
    assert row
    keys = (
        "slots",
        "bookings",
        "expired_holds",
        "last_day",
        "database_bytes",
        "slot_bytes",
        "booking_bytes",
        "full_slots",
        "shared_buffers",
    )
    return {**dict(zip(keys, row, strict=True)), "codes": codes}


def main() -> int:
    bench = run.Bench(NAME, __doc__ or "", PARAMS, groups=("load", "server", "database"))
    o = bench.o
    procs.flush_redis(o.redis)
    with bench.database(demo=False) as env:
        env.update(REDIS_URL=o.redis)
        run.manage(env, "collectstatic", "--no-input")
        began = time.monotonic()
        made = run.django_call(
            env,
            generate,
            offices=o.offices,
            services=o.services,
            plan_days=o.plan_days,
            holds=o.holds,
            seed=o.seed,
        )
        made["seconds"] = round(time.monotonic() - began)
        f = facts(bench.url())
        spans = months(date.fromisoformat(made["first_day"]), f["last_day"])
        files = {}
        for label, pattern in (("month page", PAGE), ("month API", API)):
            files[label] = bench.path(f"{label.replace(' ', '-')}-paths.txt")
            paths = [
                pattern.format(office=a, service=b, month=m) for a, b in f["codes"] for m in spans
            ]
            files[label].write_text("\n".join(paths) + "\n")
        samples = [random.choice(files[k].read_text().split()) for k in files for _ in range(3)]
        queries = run.django_call(env, django_call.queries_per_request, paths=samples)
        with net.gunicorn(env, o, bench.path("gunicorn.log")) as server:
            endpoints = [net.Endpoint("hello", net.BASELINE)]
            endpoints += [
                net.Endpoint(k, PAGE if k == "month page" else API, v) for k, v in files.items()
            ]
            summaries = net.alternate(server, endpoints, o)
    problems = net.log_problems(server.log)
    errors = sum(s.errors for s in summaries) + len(problems)
    per_kind = {
        "hello": 0,
        **{
            k: max(
                n
                for p, n in queries.items()
                if p.startswith("/kantor/" if k == "month page" else "/api/")
            )
            for k in files
        },
    }
    report = {
        "generated": made,
        "facts": {k: v for k, v in f.items() if k != "codes"},
        "summaries": [vars(s) for s in summaries],
        "queries": queries,
        "problems": problems[:50],
    }
    return bench.finish(
        report,
        render(bench, made, f, len(spans), summaries, per_kind),
        [f"{errors} errors"] * bool(errors),
    )


def render(
    bench: run.Bench,
    made: dict[str, Any],
    f: dict[str, Any],
    spans: int,
    summaries: list[net.Summary],
    queries: dict[str, int],
) -> str:
    o, base = bench.o, summaries[0].figure("requests_per_second")
    steps = ", ".join(f"{k} {v} s" for k, v in made["steps"].items())
    p99s = [s.figure("p99_ms") for s in summaries[1:]]
    rates = [s.figure("requests_per_second") for s in summaries[1:]]
    goals = stats.table(
        ["goal", *(s.label for s in summaries[1:])],
        [
            [
                f"p99 ≤ {GOAL_P99_MS:.0f} ms",
                *(f"{stats.verdict(p99 <= GOAL_P99_MS)}: {p99:.0f} ms" for p99 in p99s),
            ],
            [
                f"throughput ≥ {GOAL_RATIO} × hello",
                *(
                    f"{stats.verdict(r >= GOAL_RATIO * base)}: {stats.ratio(r, base)}"
                    for r in rates
                ),
            ],
            ["no errors", *(f"{stats.verdict(not s.errors)}: {s.errors}" for s in summaries[1:])],
        ],
    )
    gb = 1024**3
    return stats.section(
        "Availability at national scale",
        __doc__ or "",
        bench.command,
        bench.run_line(stats.versions("django", "gunicorn")),
        f"The database: {o.offices} offices × {o.services} services × {o.plan_days} open days "
        f"from {made['first_day']}: **{f['slots']:,} slots** ({f['full_slots']:.1%} full), "
        f"**{f['bookings']:,} bookings** ({f['expired_holds']:,} expired holds still counted); "
        f"{f['database_bytes'] / gb:.2f} GB (slots {f['slot_bytes'] / gb:.2f} GB, bookings "
        f"{f['booking_bytes'] / gb:.2f} GB with indexes), PostgreSQL `shared_buffers` "
        f"{f['shared_buffers']}. Generated in {made['seconds']} s ({steps}). "
        f"wrk picks among {o.offices * o.services * spans:,} paths per endpoint. "
        + net.load_line(o),
        net.load_table(summaries, queries),
        goals,
        "With 32 connections always waiting, a request's latency is mostly its wait behind "
        "the others (Little's law: mean latency ≈ connections ÷ throughput), so on this "
        "machine the latency goal is a throughput goal.",
    )


if __name__ == "__main__":
    sys.exit(main())
