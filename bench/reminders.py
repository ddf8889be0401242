"""Reminders due at once, through the outbox.

Confirmed bookings (100,000) on the demo catalog's future appointment slots (capacities
raised to fit; one citizen in ten reads English), each with its "shortly before" reminder
(`reminder_soon`, by SMS) written as `booking_reminders_queue()` writes it: the context of
`booking.messages.booking_context()`, the dedup key `booking:<id>:reminder_soon:<slot>`,
`stale_after` the appointment; one booking's row is compared field by field with the row
the application itself queues (in a transaction rolled back). All are due at the same moment.

Then what production runs, started together: a Celery worker (`celery --app=config worker
--pool=prefork --concurrency=2 --without-gossip --without-mingle`, as compose.yaml) and
beat, with Redis as broker and cache, PostgreSQL, `DEBUG=0`. Reminders leave only through
the sweeper that beat enqueues every 10 s: it claims due rows 100 at a time (`… FOR
UPDATE SKIP LOCKED`), checks, renders and posts each to the SMS gateway, and marks it sent.
The gateway is tests/fake_gateway.py in its own process; it counts what a citizen would
have received twice and requests repeating an idempotency key. The time runs from
starting the worker and beat to the last row's `sent_at`. Memory is the worker's
processes' PSS, sampled every 0.5 s from /proc. Goals: 100,000 in ≤ 180 s, worker ≤ 300
MB, no duplicates.

Baseline, in the same round, just before and just after the delivery: 2 plain Python
processes post the same requests (JSON body, `Idempotency-Key`, one `requests.Session`
each, as the transport does) to a fresh gateway: what it takes from 2 senders on this
machine, with no database, Celery or templates. The ratio is the outbox's messages/s over
the mean of the two. Further rounds of 10,000 reminders give medians.

    .venv/bin/python bench/reminders.py            # full run, rewrites its docs section
    .venv/bin/python bench/reminders.py --quick    # smoke run, leaves the docs alone
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import sys
import time
from collections.abc import Iterator
from typing import Any

import psycopg
from harness import net, procs, run, stats

NAME = "reminders"
GOAL_SECONDS, GOAL_MB = 180.0, 300.0
PARAMS: dict[str, tuple[Any, Any, str]] = {
    "count": (100_000, 2_000, "reminders in the main round"),
    "rounds": (3, 1, "further rounds, for medians"),
    "round_count": (10_000, 1_000, "reminders in each further round"),
    "baseline_count": (20_000, 1_000, "most raw gateway requests per baseline"),
    "senders": (2, 2, "baseline sender processes"),
    "concurrency": (2, 2, "Celery worker pool processes"),
    "time_limit": (3600.0, 600.0, "seconds for one round's delivery"),
    "redis": ("redis://127.0.0.1:6379/13", "redis://127.0.0.1:6379/13", "broker and cache"),
}


def set_up(counts: list[int]) -> dict[str, Any]:
    """In Django: the bookings and one reminder row each, in batches (first id, last id);
    the main round's due now, the others at their real time until their round."""
    from collections import Counter
    from datetime import timedelta

    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone, translation

    from booking.messages import BookingMessageKind, booking_context, booking_reminders_queue
    from booking.models import Booking, BookingStatus, Channel, Slot, Source
    from core import personal_data
    from notifications.models import Message

    kind, now = BookingMessageKind.REMINDER_SOON, timezone.now()
    before = timedelta(minutes=settings.GILIRAN_REMINDER_BEFORE_MINUTES)
    slots = list(
        Slot.objects.filter(
            starts_at__gt=now + timedelta(hours=6),  # none goes stale during the run
            office_service__service__accepts_appointments=True,
        ).select_related("office_service__office")
    )
    taken: Counter[int] = Counter()
    bookings = []
    for n in range(sum(counts)):
        slot, nik = slots[n % len(slots)], f"3171{n:012d}"
        taken[slot.pk] += 1
        bookings.append(
            Booking(
                code=f"R{n:07d}",
                slot=slot,
                service_id=slot.office_service.service_id,
                status=BookingStatus.CONFIRMED,
                occupies_slot=True,
                full_name=f"Warga {n}",
                nik_encrypted=personal_data.encrypt(nik),
                nik_hash=personal_data.keyed_hash(nik),
                nik_last4=nik[-4:],
                phone=f"+62812{n:08d}",
                channel=Channel.SMS,
                language="en" if n % 10 == 9 else "id",
                source=Source.WEB,
                confirmed_at=now,
            )
        )
    with transaction.atomic():
        for slot in slots:
            slot.taken += taken[slot.pk]
            slot.capacity = max(slot.capacity, slot.taken)
        Slot.objects.bulk_update(slots, ["capacity", "taken"], batch_size=1000)
        Booking.objects.bulk_create(bookings, batch_size=2000)

    def reminder(booking: Booking, due_at: Any) -> Message:
        with translation.override(booking.language):
            context = booking_context(booking)
        return Message(
            dedup_key=f"booking:{booking.pk}:{kind}:{booking.slot.pk}"[:160],
            kind=kind,
            channel=booking.channel,
            recipient=booking.phone,
            language=booking.language,
            context=context,
            office=booking.slot.office_service.office,
            subject=booking,
            due_at=due_at,
            stale_after=booking.slot.starts_at,
        )

    with transaction.atomic():  # the application's own row, rolled back
        real = next(
            m for m in booking_reminders_queue(booking=bookings[0], now=now) if m.kind == kind
        )
        transaction.set_rollback(True)
    mine = reminder(bookings[0], bookings[0].slot.starts_at - before)
    fields = [
        "dedup_key",
        "kind",
        "channel",
        "recipient",
        "language",
        "context",
        "office_id",
        "subject_type_id",
        "subject_id",
        "due_at",
        "stale_after",
    ]
    if any(getattr(real, f) != getattr(mine, f) for f in fields):
        raise SystemExit("the bench's reminder rows differ from the application's")
    batches, first = [], 0
    for index, count in enumerate(counts):
        rows = [
            reminder(b, now if index == 0 else b.slot.starts_at - before)
            for b in bookings[first : first + count]
        ]
        ids = [m.pk for m in Message.objects.bulk_create(rows, batch_size=2000)]
        batches.append((min(ids), max(ids)))
        first += count
    return {"batches": batches, "slots": len(slots)}


def send_raw(url: str, first: int, count: int, start: Any, results: Any) -> None:
    """One baseline sender: the transport's request, up to `count` times."""
    import requests

    session = requests.Session()
    errors = 0
    start.wait()
    for n in range(first, first + count):
        payload = {
            "id": f"raw-{n}",
            "channel": "sms",
            "to": f"+62813{n:08d}",
            "text": "Pengingat",
            "language": "id",
            "kind": "reminder_soon",
        }
        answer = session.post(
            url, json=payload, headers={"Idempotency-Key": payload["id"]}, timeout=5
        )
        errors += answer.status_code != 200
    results.put(errors)


@contextlib.contextmanager
def gateway(bench: run.Bench, label: str) -> Iterator[tuple[str, int]]:
    """tests/fake_gateway.py in a process of its own; yields its URL and pid."""
    port = net.free_port()
    command = [sys.executable, "-m", "tests.fake_gateway", "--port", str(port)]
    with procs.started(command, {}, bench.path(f"gateway-{label}.log")) as process:
        url = f"http://127.0.0.1:{port}/messages"
        for _ in range(100):
            with contextlib.suppress(OSError):
                net.fetch(url)
                break
            time.sleep(0.1)
        yield url, process.pid


def baseline(bench: run.Bench, count: int, label: str) -> dict[str, float]:
    context, o = multiprocessing.get_context("spawn"), bench.o
    with gateway(bench, label) as (url, _pid):
        start, results = context.Event(), context.Queue()
        share = count // o.senders
        senders = [
            context.Process(target=send_raw, args=(url, i * share, share, start, results))
            for i in range(o.senders)
        ]
        for sender in senders:
            sender.start()
        time.sleep(3)  # every sender imported and connected
        began = time.perf_counter()
        start.set()
        errors = sum(results.get(timeout=600) for _ in senders)
        seconds = time.perf_counter() - began
        for sender in senders:
            sender.join(timeout=30)
    return {"per_second": round(share * o.senders / seconds, 1), "errors": errors}


def deliver(bench: run.Bench, env: dict[str, str], lo: int, hi: int, label: str) -> dict[str, Any]:
    """One round: worker and beat on a fresh gateway until no row of lo..hi is open."""
    o, count = bench.o, hi - lo + 1
    procs.flush_redis(o.redis)
    with psycopg.connect(bench.url(), autocommit=True) as conn:
        conn.execute(
            "UPDATE notifications_message SET due_at = now() WHERE id BETWEEN %s AND %s", [lo, hi]
        )
        conn.execute("VACUUM (ANALYZE) notifications_message")
    before = baseline(bench, min(o.baseline_count, count), f"{label}-before")
    logs = [bench.path(f"{label}-worker.log"), bench.path(f"{label}-beat.log")]
    peak = {"pss": 0, "rss": 0}
    with (
        gateway(bench, label) as (url, gateway_pid),
        psycopg.connect(bench.url(), autocommit=True) as conn,
    ):
        round_env = {**env, "GILIRAN_SMS_GATEWAY_URL": url}
        began, watch, outcome = time.time(), procs.CpuWatch(), "time limit"
        with (
            procs.celery(round_env, logs[0], concurrency=o.concurrency) as worker,
            procs.celery(round_env, logs[1], beat=True) as beat,
        ):
            while time.time() - began < o.time_limit:
                time.sleep(0.5)
                pool = procs.family(worker.pid)
                peak["pss"] = max(peak["pss"], sum(procs.memory_kb(p, "Pss") for p in pool))
                peak["rss"] = max(peak["rss"], sum(procs.memory_kb(p, "VmRSS") for p in pool))
                watch.sample(
                    {
                        "worker": pool,
                        "beat": procs.family(beat.pid),
                        "gateway": [gateway_pid],
                        "postgres": procs.postgres_pids(conn, o.database),
                    }
                )
                if worker.poll() is not None or beat.poll() is not None:
                    outcome = "the worker or beat exited"
                    break
                row = conn.execute(
                    "SELECT count(*) FROM notifications_message WHERE id BETWEEN %s AND %s "
                    "AND status IN ('pending', 'sending')",
                    [lo, hi],
                ).fetchone()
                if row and row[0] == 0:
                    outcome = "done"
                    break
        census = conn.execute(
            "SELECT count(*) FILTER (WHERE status = 'sent'), sum(attempts), sum(claims), "
            "extract(epoch FROM min(sent_at)), extract(epoch FROM max(sent_at)) "
            "FROM notifications_message WHERE id BETWEEN %s AND %s",
            [lo, hi],
        ).fetchone()
        got = json.loads(net.fetch(url)[1])
    after = baseline(bench, min(o.baseline_count, count), f"{label}-after")
    sent, attempts, claims, first, last = census or (0, 0, 0, None, None)
    wall = float(last) - began if last else None
    raw = (before["per_second"] + after["per_second"]) / 2
    cpu = watch.seconds()
    return {
        "label": label,
        "count": count,
        "outcome": outcome,
        "sent": sent,
        "attempts": int(attempts or 0),
        "claims": int(claims or 0),
        "wall_seconds": round(wall, 1) if wall else None,
        "first_sent_after": round(float(first) - began, 1) if first else None,
        "per_second": stats.ratio(sent, wall, 1),
        "baseline": raw,
        "baseline_errors": before["errors"] + after["errors"],
        "ratio": stats.ratio(sent / wall if wall else None, raw),
        "peak_pss_mb": round(peak["pss"] / 1024),
        "peak_rss_mb": round(peak["rss"] / 1024),
        "gateway": got,
        "cpu": cpu,
        "problems": net.log_problems(*logs)[:20],
    }


def main() -> int:
    bench = run.Bench(NAME, __doc__ or "", PARAMS, groups=("database",))
    o, rounds = bench.o, []
    with bench.database(demo=False) as env:
        env.update(REDIS_URL=o.redis, GILIRAN_CONSOLE_MESSAGES="0")
        run.manage(env, "load_demo", "--allow-without-debug")
        counts = [o.count] + [o.round_count] * o.rounds
        setup = run.django_call(env, set_up, counts=counts)
        for index, (lo, hi) in enumerate(setup["batches"]):
            rounds.append(
                deliver(bench, env, lo, hi, "main" if index == 0 else f"round-{index + 1}")
            )
            print(f"bench: {rounds[-1]}", flush=True)
    failures = [
        f"{r['label']}: {what}"
        for r in rounds
        for what, bad in (
            (r["outcome"], r["outcome"] != "done"),
            (f"{r['count'] - r['sent']} not sent", r["sent"] != r["count"]),
            (
                f"{r['gateway']['duplicates_delivered']} duplicates, "
                f"{r['gateway']['repeated_requests']} repeated",
                r["gateway"]["duplicates_delivered"] or r["gateway"]["repeated_requests"],
            ),
            (
                f"{r['attempts']} attempts, {r['claims']} claims",
                r["attempts"] != r["count"] or r["claims"] != r["count"],
            ),
            (f"{r['baseline_errors']} baseline errors", r["baseline_errors"]),
            (f"errors in the logs: {r['problems'][:2]}", r["problems"]),
        )
        if bad
    ]
    return bench.finish({"setup": setup, "rounds": rounds}, render(bench, setup, rounds), failures)


def render(bench: run.Bench, setup: dict[str, Any], rounds: list[dict[str, Any]]) -> str:
    main_round = rounds[0]
    table = stats.table(
        [
            "round",
            "reminders",
            "time",
            "first sent after",
            "messages/s",
            "baseline requests/s",
            "ratio",
            "worker peak PSS (RSS)",
            "duplicates / repeated",
            "not sent",
        ],
        [
            [
                r["label"],
                f"{r['count']:,}",
                stats.num(r["wall_seconds"], " s"),
                stats.num(r["first_sent_after"], " s"),
                stats.num(r["per_second"]),
                f"{r['baseline']:,.0f}",
                r["ratio"],
                f"{r['peak_pss_mb']} MB ({r['peak_rss_mb']} MB)",
                f"{r['gateway']['duplicates_delivered']} / {r['gateway']['repeated_requests']}",
                r["count"] - r["sent"],
            ]
            for r in rounds
        ],
    )
    cpu = main_round["cpu"]
    groups = ("worker", "postgres", "gateway", "beat")
    cpu_table = stats.table(
        ["processes (main round)", "CPU seconds", "CPU ms per message"],
        [
            [g, cpu.get(g, 0), stats.num(cpu.get(g, 0) * 1000 / main_round["count"], "", 3)]
            for g in groups
        ],
    )
    wall, mb = main_round["wall_seconds"], main_round["peak_pss_mb"]
    further = rounds[1:]
    return stats.section(
        "Reminders due at once, through the outbox",
        __doc__ or "",
        bench.command,
        bench.run_line(stats.versions("django", "celery", "requests")),
        f"Data: {sum(r['count'] for r in rounds):,} bookings and reminders on {setup['slots']:,} "
        f"slots; Redis `{bench.o.redis}`, emptied before each round.",
        table,
        f"**{main_round['count']:,} reminders delivered in {stats.num(wall, ' s')}: goal ≤ "
        f"{GOAL_SECONDS:.0f} s {stats.verdict(wall is not None and wall <= GOAL_SECONDS)}. Worker "
        f"memory {mb} MB at its peak (PSS): goal ≤ {GOAL_MB:.0f} MB "
        f"{stats.verdict(mb <= GOAL_MB)}. "
        f"Outbox delivery = {main_round['ratio']} × the raw gateway throughput.** Further rounds, "
        f"medians: {stats.num(stats.median(r['wall_seconds'] for r in further), ' s')}, ratio "
        f"{stats.median(r['ratio'] for r in further)}. The machine was "
        f"{cpu['machine_busy_share']:.0%} busy during the main round.",
        cpu_table,
    )


if __name__ == "__main__":
    sys.exit(main())
