"""Benchmark: 100,000 reminders due at once, delivered by Celery through the outbox.

    .venv/bin/python bench/reminders.py                  # full run, rewrites its docs section
    .venv/bin/python bench/reminders.py --count 20000    # fewer reminders in the main round
    .venv/bin/python bench/reminders.py --quick          # smoke run, leaves the docs alone

A throwaway PostgreSQL database gets the demo catalog, then confirmed bookings on its
future slots (capacities raised to fit) and, for each, its "shortly before" reminder row
(`reminder_soon`, by SMS) exactly as booking.messages builds it: the
context of `booking_context()`, the dedup key `booking:<id>:reminder_soon:<slot>`, the
booking and office, `stale_after` the appointment. One booking's row is checked against
what `booking_reminders_queue()` itself writes, in a transaction rolled back.

The main round makes --count of those rows due at once and starts what production runs:
a Celery worker (`celery --app=config worker`, prefork, --concurrency 2) and beat, which
enqueues the outbox sweeper every GILIRAN_OUTBOX_SWEEP_SECONDS. Reminders leave only
through the sweeper, which claims due rows 100 at a time and posts each to the SMS
gateway. The gateway is tests/fake_gateway.py in its own process; it counts what it
received and what a citizen would have got twice. The round ends when the database
holds no open row of the batch. Reported: the time from starting the worker to the last
row sent, messages/s, the worker's peak memory (parent and pool processes, from /proc),
the gateway's duplicates and repeated requests, rows not sent, the CPU time each process
group used per message, and how long beat's other tasks (the heartbeat) waited in the
queue meanwhile.

Baseline, in the same round, just before and just after the delivery: the gateway's
requests posted by --baseline-processes plain Python processes, each with a
requests.Session as the transport posts them, to a fresh gateway (up to --baseline-count
requests, for at most --baseline-seconds): the most the gateway takes from that many
senders on this machine. Further --rounds at --round-count rows give medians.

Before the rounds, the sweeper's own loop runs in-process over a few thousand rows with a
timer on each step (claim, relevance facts and check, render, HTTP, finish UPDATE), and
again under cProfile: where the time of one message goes; the finish step is also timed
row by row and batched. The run stops if the application's files change meanwhile (others
edit this working tree).

Redis (broker and cache) is a database of its own on the loopback server (--redis, db 13
by default), emptied before each round. The PostgreSQL database is left in place after a
run, for looking into; the next run drops it.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import multiprocessing
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import harness
import processes
import psycopg

NAME = "reminders"
TITLE = "Reminders due at once, through the outbox"
DEFAULT_DATABASE = "giliran_bench_reminders"
DEFAULT_REDIS = "redis://127.0.0.1:6379/13"
RESULTS_FILE = harness.RESULTS_DIR / f"{NAME}.json"
GOAL_SECONDS = 180.0
GOAL_MB = 300.0
SWEEP_BATCH = 100  # outbox_dispatch_due()'s batch_size
PROFILE_WARMUP = 100  # rows delivered in-process before the timers start
PROFILE_REPEATS = 15  # timings of each alternative to a step
SAMPLE_SECONDS = 0.5
STOP_SECONDS = 30.0


# --- Parameters -----------------------------------------------------------------------


@dataclass(frozen=True)
class Params:
    count: int = 100_000
    rounds: int = 3  # further rounds at round_count, for medians
    round_count: int = 10_000
    baseline_count: int = 20_000
    baseline_seconds: float = 60.0
    baseline_processes: int = 2
    concurrency: int = 2
    sweep_seconds: int | None = None  # None: the setting's default
    profile_count: int = 2_000
    time_limit: float = 3600.0  # seconds for one round's delivery


QUICK = Params(
    count=2_000, rounds=1, round_count=1_000, baseline_count=1_000, baseline_seconds=20.0,
    profile_count=300, time_limit=600.0,
)  # fmt: skip


class Options(processes.WorkerOptions[Params]):
    """The command line: the run's Params, PostgreSQL and Redis."""


def parse_options(argv: Sequence[str] | None = None) -> Options:
    argv = list(sys.argv[1:] if argv is None else argv)
    d = Params()
    parser = argparse.ArgumentParser(
        description=f"{TITLE}: reminders delivered by Celery to the fake SMS gateway, "
        "against raw requests to the same gateway."
    )
    parser.add_argument("--count", type=int, help=f"reminders in the main round ({d.count:,})")
    parser.add_argument(
        "--rounds", type=int, help=f"further rounds at --round-count, for medians ({d.rounds})"
    )
    parser.add_argument(
        "--round-count", type=int, help=f"reminders in each further round ({d.round_count:,})"
    )
    parser.add_argument(
        "--baseline-count",
        type=int,
        help=f"most raw gateway requests per baseline ({d.baseline_count:,})",
    )
    parser.add_argument(
        "--baseline-seconds",
        type=float,
        help=f"longest a baseline posts ({d.baseline_seconds:.0f})",
    )
    parser.add_argument(
        "--baseline-processes", type=int, help=f"baseline sender processes ({d.baseline_processes})"
    )
    parser.add_argument(
        "--concurrency", type=int, help=f"Celery worker pool processes ({d.concurrency})"
    )
    parser.add_argument(
        "--sweep-seconds",
        type=int,
        help="GILIRAN_OUTBOX_SWEEP_SECONDS for beat (default: the setting's, 10)",
    )
    parser.add_argument(
        "--profile-count",
        type=int,
        help=f"rows timed in-process step by step ({d.profile_count:,}; half as many again "
        "under cProfile; 0 skips the profile)",
    )
    parser.add_argument(
        "--time-limit", type=float, help=f"seconds for one round's delivery ({d.time_limit:.0f})"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"smoke run ({QUICK.count:,} reminders in the main round, {QUICK.rounds} further "
        f"round of {QUICK.round_count:,}); does not touch docs/benchmarks.md",
    )
    harness.add_database_options(parser, DEFAULT_DATABASE)
    parser.add_argument(
        "--redis",
        default=DEFAULT_REDIS,
        help="broker and cache: a loopback Redis database, emptied before each round (%(default)s)",
    )
    parser.add_argument(
        "--no-docs", action="store_true", help="do not rewrite this benchmark's docs section"
    )
    args = parser.parse_args(argv)
    params = harness.preset_with_flags(QUICK if args.quick else d, args)
    # The sweeper claims 100 rows at a time; the profile is counted in whole claims.
    params = replace(params, profile_count=_whole_claims(params.profile_count))
    if min(params.count, params.round_count, params.baseline_count) < 1:
        parser.error("--count, --round-count and --baseline-count must be positive")
    if params.rounds < 0 or params.profile_count < 0:
        parser.error("--rounds and --profile-count cannot be negative")
    if min(params.baseline_processes, params.concurrency) < 1:
        parser.error("--baseline-processes and --concurrency must be positive")
    if params.time_limit <= 0 or params.baseline_seconds <= 0:
        parser.error("--time-limit and --baseline-seconds must be positive")
    if params.sweep_seconds is not None and params.sweep_seconds < 1:
        parser.error("--sweep-seconds must be at least 1")
    return Options.from_args(args, params, "bench/reminders.py", argv)


def _whole_claims(rows: int) -> int:
    return -(-rows // SWEEP_BATCH) * SWEEP_BATCH


# --- The data -------------------------------------------------------------------------

# Bookings are spread over the demo's future appointment slots (capacities raised to fit).
# Each batch's reminders are due `due` seconds from now (the profile's a minute before the
# main round's, so the sweeper's ORDER BY due_at claims them first while the main round's
# rows wait, due, behind them), or at their real time, two hours before the appointment
# (None: a further round makes them due when it starts).
_SETUP_SCRIPT = """
import json, time
from collections import Counter
from datetime import timedelta
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from booking.models import Booking, BookingStatus, Channel, Slot, Source
from booking.services.booking import CODE_ALPHABET, CODE_LENGTH
from core import personal_data
from booking.messages import BookingMessageKind, booking_context, booking_reminders_queue
from notifications.models import Message
from notifications.registry import message_kind
from notifications.rendering import message_render

KIND = BookingMessageKind.REMINDER_SOON
BEFORE = timedelta(minutes=settings.GILIRAN_REMINDER_BEFORE_MINUTES)
seconds = {}
started = time.monotonic()
now = timezone.now()
total = sum(count for _name, count, _due in BATCHES)
slots = list(
    Slot.objects.filter(
        starts_at__gt=now + timedelta(hours=6),  # none goes stale during the run
        office_service__service__accepts_appointments=True,
    )
    .select_related("office_service__office", "office_service__service")
    .order_by("starts_at", "pk")
)
if not slots:
    raise SystemExit("no future appointment slots in the demo catalog")

def booking_code(n):
    # Distinct for every n below 28**8, and as random-looking as real codes.
    value, digits = n * 2_654_435_761 % len(CODE_ALPHABET) ** CODE_LENGTH, []
    for _ in range(CODE_LENGTH):
        value, digit = divmod(value, len(CODE_ALPHABET))
        digits.append(CODE_ALPHABET[digit])
    return "".join(digits)

taken = Counter()
bookings = []
for n in range(total):
    slot = slots[n % len(slots)]
    taken[slot.pk] += 1
    nik = f"3171{n:012d}"
    bookings.append(Booking(
        code=booking_code(n + 1), slot=slot, service_id=slot.office_service.service_id,
        status=BookingStatus.CONFIRMED, occupies_slot=True, full_name=f"Warga Pengingat {n}",
        nik_encrypted=personal_data.encrypt(nik), nik_hash=personal_data.keyed_hash(nik),
        nik_last4=nik[-4:], phone=f"+62812{n:08d}", channel=Channel.SMS,
        language="en" if n % 10 == 9 else "id", source=Source.API if n % 3 == 0 else Source.WEB,
        confirmed_at=now,
    ))
seconds["build_bookings"] = time.monotonic() - started

with transaction.atomic():
    for slot in slots:
        slot.taken += taken[slot.pk]
        slot.capacity = max(slot.capacity, slot.taken)
    Slot.objects.bulk_update(slots, ["capacity", "taken"], batch_size=1000)
    Booking.objects.bulk_create(bookings, batch_size=2000)
seconds["insert_bookings"] = time.monotonic() - started - sum(seconds.values())

def reminder(booking, due_at):
    # What booking_message_send() writes for booking_reminders_queue()'s reminder_soon.
    slot = booking.slot
    with translation.override(booking.language):
        context = booking_context(booking)
    return Message(
        dedup_key=f"booking:{booking.pk}:{KIND}:{slot.pk}"[:160], kind=KIND,
        channel=booking.channel, recipient=booking.phone, language=booking.language,
        context=context, office=slot.office_service.office, subject=booking, due_at=due_at,
        stale_after=slot.starts_at,
    )

# The same row, as the application itself queues it (then rolled back).
probe = bookings[0]
with transaction.atomic():
    queued = booking_reminders_queue(booking=probe, now=now)
    transaction.set_rollback(True)
real = next(m for m in queued if m.kind == KIND)
mine = reminder(probe, probe.slot.starts_at - BEFORE)
fields = ["dedup_key", "kind", "channel", "recipient", "language", "context", "office_id",
          "subject_type_id", "subject_id", "due_at", "stale_after"]
different = [f for f in fields if getattr(real, f) != getattr(mine, f)]
if different:
    raise SystemExit(f"the bench's reminder rows differ from the application's in {different}")

batches, first = {}, 0
for name, count, due in BATCHES:
    rows = []
    for booking in bookings[first:first + count]:
        due_at = booking.slot.starts_at - BEFORE if due is None else now + timedelta(seconds=due)
        rows.append(reminder(booking, due_at))
    first += count
    made = Message.objects.bulk_create(rows, batch_size=2000)
    ids = [m.pk for m in made]
    assert max(ids) - min(ids) + 1 == count, name
    batches[name] = [min(ids), max(ids)]
seconds["insert_reminders"] = time.monotonic() - started - sum(seconds.values())

# As delivery renders it: with what the kind adds at send time (the manage link).
at_delivery = message_kind(KIND).at_delivery
sending = {**mine.context, **(at_delivery(mine, probe) if at_delivery else {})}
sample = message_render(kind=KIND, language=probe.language, context=sending)
print("BENCH_SETUP " + json.dumps({
    "batches": batches,
    "slots": len(slots),
    "offices": len({s.office_service.office_id for s in slots}),
    "bookings_per_slot_max": max(taken.values()),
    "first_slot": slots[0].starts_at.isoformat(),
    "last_slot": slots[-1].starts_at.isoformat(),
    "checked_fields": fields,
    "sample_context": mine.context,
    "sample_text": sample.text,
    "seconds": {k: round(v, 1) for k, v in seconds.items()},
}))
"""


@dataclass(frozen=True)
class Batch:
    name: str
    count: int
    due: int | None  # seconds from the setup's now; None: two hours before the appointment
    timed: int = 0  # profile batches: rows timed step by step, and under cProfile
    cprofile: int = 0


def batch_plan(params: Params) -> list[Batch]:
    plan = []
    if params.profile_count:
        timed, cprofile = params.profile_count, _whole_claims(params.profile_count // 2)
        plan.append(Batch("profile", PROFILE_WARMUP + timed + cprofile, -60, timed, cprofile))
    plan.append(Batch("main", params.count, 0))
    plan += [Batch(f"round-{i}", params.round_count, None) for i in range(2, params.rounds + 2)]
    return plan


def set_up(env: dict[str, str], options: Options, plan: Sequence[Batch]) -> dict[str, Any]:
    started = time.monotonic()
    harness.load_demo_database(env, options.postgres, options.database)
    catalog = time.monotonic() - started
    header = f"BATCHES = {[(b.name, b.count, b.due) for b in plan]!r}\n"
    setup: dict[str, Any] = harness.manage_shell(
        env, header + _SETUP_SCRIPT, "BENCH_SETUP", "bookings, reminders"
    )
    harness.vacuum_analyze(
        env["DATABASE_URL"], ("booking_slot", "booking_booking", "notifications_message")
    )
    setup["seconds"] = {"catalog": round(catalog, 1), **setup["seconds"]}
    setup["seconds"]["total"] = round(time.monotonic() - started, 1)
    print(
        f"bench: {sum(b.count for b in plan):,} confirmed bookings and reminders on "
        f"{setup['slots']:,} slots in {setup['seconds']['total']:.0f} s",
        flush=True,
    )
    return setup


# --- The profile ----------------------------------------------------------------------

# In-process, on the profile batch's rows (due a minute before the main round's, which
# are due too, so the claim query sees the main round's rows behind them): the
# sweeper's own loop (outbox_dispatch_due(): claim 100, deliver each), stopped after a
# number of rows. First with a timer around each step and every SQL query attributed to
# the step that ran it; then under cProfile. Then EXPLAIN ANALYZE of the claim's queries
# and of the relevance check, in transactions rolled back.
_PROFILE_SCRIPT = """
import cProfile, dataclasses, json, pstats, statistics, time
from collections import Counter
from datetime import timedelta
from django.db import connection, transaction
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from booking.messages import BookingMessageKind
from notifications import registry
from notifications.models import Message
from notifications.services import outbox

KIND = BookingMessageKind.REMINDER_SOON
handled = []

def sweep(rows):
    # outbox_dispatch_due()'s loop, stopped after `rows`.
    done = 0
    while done < rows:
        batch = outbox._claim(Q(), limit=BATCH, now=timezone.now())
        if not batch:
            break
        outbox._deliver_batch(batch)
        handled.extend(m.pk for m in batch)
        done += len(batch)
    return done

step_seconds, sql_seconds, sql_count, stack = Counter(), Counter(), Counter(), ["sweep"]
sql_text = {}

def on_sql(execute, sql, params, many, context):
    started = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        step = stack[-1]
        sql_seconds[step] += time.perf_counter() - started
        sql_count[step] += 1
        sql_text.setdefault(step, [])
        if sql not in sql_text[step]:
            sql_text[step].append(sql)

def timed(step, function):
    def run(*args, **kwargs):
        stack.append(step)
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            step_seconds[step] += time.perf_counter() - started
            stack.pop()
    return run

# The outbox's own steps, by the names outbox_dispatch_due() reaches them.
original = {
    name: getattr(outbox, name)
    for name in ("_claim", "_deliver_batch", "_deliver", "_finish", "message_render",
                 "transport_for")
}
subjects_of = outbox.Subjects.__dict__["of"]
registered = registry._KINDS[KIND]

class TimedTransport:
    def __init__(self, transport):
        self.send = timed("http", transport.send)

sweep(WARMUP)  # templates, translations, the connections to PostgreSQL and the gateway
outbox._claim = timed("claim", original["_claim"])
outbox._deliver_batch = timed("deliver_batch", original["_deliver_batch"])
outbox._deliver = timed("deliver", original["_deliver"])
outbox._finish = timed("finish", original["_finish"])
outbox.message_render = timed("render", original["message_render"])
outbox.transport_for = lambda channel: TimedTransport(original["transport_for"](channel))
outbox.Subjects.of = classmethod(timed("facts", subjects_of.__func__))
registry._KINDS[KIND] = dataclasses.replace(
    registered, relevance=timed("relevance", registered.relevance)
)
with connection.execute_wrapper(on_sql):
    started = time.perf_counter()
    timed_rows = sweep(TIMED)
    timed_wall = time.perf_counter() - started
for name, function in original.items():
    setattr(outbox, name, function)
outbox.Subjects.of = subjects_of
registry._KINDS[KIND] = registered

by_tottime, by_cumtime, cprofile_rows, cprofile_wall = [], [], 0, 0.0
if CPROFILE:
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    cprofile_rows = sweep(CPROFILE)
    profiler.disable()
    cprofile_wall = time.perf_counter() - started
    functions = []
    for (filename, line, name), (_cc, ncalls, tottime, cumtime, _callers) in pstats.Stats(
        profiler
    ).stats.items():
        short = filename.split("site-packages/")[-1].replace(BASE_DIR + "/", "")
        functions.append({"function": f"{short}:{line}({name})", "calls": ncalls,
                          "tottime": tottime, "cumtime": cumtime})
    by_tottime = sorted(functions, key=lambda f: -f["tottime"])[:25]
    by_cumtime = sorted(functions, key=lambda f: -f["cumtime"])[:40]

outside = [pk for pk in handled if not LO <= pk <= HI]
if outside:
    raise SystemExit(f"the profile claimed rows outside its batch: {outside[:5]}")
statuses = dict(Counter(
    Message.objects.filter(pk__in=handled).values_list("status", flat=True)
))

def explain(sql):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        plan = [row[0] for row in cursor.fetchall()]
        transaction.set_rollback(True)
    return plan

# One claim with the main round's rows due (rolled back), and the batch's relevance facts.
with transaction.atomic():
    with CaptureQueriesContext(connection) as capture:
        outbox._claim(Q(), limit=BATCH, now=timezone.now())
    transaction.set_rollback(True)
claim_queries = [q["sql"] for q in capture.captured_queries
                 if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
main_batch = list(Message.objects.filter(pk__range=(MAIN_LO, MAIN_LO + BATCH - 1)))
with CaptureQueriesContext(connection) as capture:
    outbox.Subjects.of(main_batch)
facts_sql = capture.captured_queries[0]["sql"]
due_now = Message.objects.filter(status="pending", due_at__lte=timezone.now()).count()

# The finish step, three ways, on 100 of the profile's own rows (sent above): before
# each timing they are put back to SENDING under a claim token (untimed), then marked
# SENT again with the values they hold: by the application's own _finish(), row by row;
# by one autocommitted UPDATE per row (which waits for the WAL flush); by the same
# UPDATEs in one transaction; and by two statements for the whole batch in one
# transaction (what all rows share, then bulk_update of what differs), each guarded by
# the claim as _finish() is.
# Timed REPEATS times in alternation; ms per 100 rows, medians.
sent_rows = list(Message.objects.filter(pk__range=(LO, LO + BATCH - 1), status="sent"))
assert len(sent_rows) == BATCH

def reclaim():
    token = "bench-finish"
    Message.objects.filter(pk__in=[m.pk for m in sent_rows]).update(
        status="sending", claim_token=token, lease_until=timezone.now() + timedelta(minutes=5)
    )
    for m in sent_rows:
        m.claim_token, m.lease_until = token, None

def finish_each_as_now():
    for m in sent_rows:
        outbox._finish(m, attempted=False, status="sent", sent_at=m.sent_at,
                       provider_ref=m.provider_ref, last_error="")

def finish_each_autocommit():
    for m in sent_rows:
        Message.objects.filter(pk=m.pk, claim_token=m.claim_token, status="sending").update(
            status="sent", sent_at=m.sent_at, provider_ref=m.provider_ref, last_error="",
            lease_until=None,
        )

def finish_in_one_transaction():
    with transaction.atomic():
        finish_each_autocommit()

def finish_batch():
    with transaction.atomic():
        claimed = Message.objects.filter(claim_token="bench-finish", status="sending")
        claimed.bulk_update(sent_rows, ["sent_at", "provider_ref"])
        claimed.update(status="sent", last_error="", lease_until=None)

variants = {
    "as_now": finish_each_as_now,
    "autocommit_each": finish_each_autocommit,
    "one_transaction": finish_in_one_transaction,
    "batch": finish_batch,
}
samples = {name: [] for name in variants}
for _ in range(REPEATS):
    for name, function in variants.items():
        reclaim()
        for m in sent_rows:
            m.status = "sent"
        started = time.perf_counter()
        function()
        samples[name].append((time.perf_counter() - started) * 1000)
        assert Message.objects.filter(pk__in=[m.pk for m in sent_rows], status="sent").count() == BATCH
with connection.cursor() as cursor:
    cursor.execute("SHOW synchronous_commit")
    synchronous_commit = cursor.fetchone()[0]

print("BENCH_PROFILE " + json.dumps({
    "finish_variants": {name: round(statistics.median(v), 3) for name, v in samples.items()},
    "repeats": REPEATS,
    "synchronous_commit": synchronous_commit,
    "timed_rows": timed_rows, "timed_wall": timed_wall,
    "step_seconds": step_seconds, "sql_seconds": sql_seconds, "sql_count": sql_count,
    "sql_text": sql_text,
    "cprofile_rows": cprofile_rows, "cprofile_wall": cprofile_wall,
    "by_tottime": by_tottime, "by_cumtime": by_cumtime,
    "statuses": statuses,
    "due_rows_behind": due_now,
    "claim_plans": [{"sql": sql, "plan": explain(sql)} for sql in claim_queries],
    "facts_plan": {"sql": facts_sql, "plan": explain(facts_sql)},
}))
"""


def profile(env: dict[str, str], batch: Batch, ids: Sequence[int], main_lo: int) -> dict[str, Any]:
    lo, hi = ids
    header = (
        f"WARMUP, TIMED, CPROFILE, BATCH = {PROFILE_WARMUP}, {batch.timed}, "
        f"{batch.cprofile}, {SWEEP_BATCH}\n"
        f"REPEATS = {PROFILE_REPEATS}\n"
        f"LO, HI, MAIN_LO = {lo}, {hi}, {main_lo}\n"
        f"BASE_DIR = {str(harness.BASE_DIR)!r}\n"
    )
    with gateway_process() as url:
        result: dict[str, Any] = harness.manage_shell(
            {**env, "GILIRAN_SMS_GATEWAY_URL": url},
            header + _PROFILE_SCRIPT,
            "BENCH_PROFILE",
            "profile the sweeper in-process",
        )
        result["gateway"] = gateway_stats(url)
    result["steps"] = profile_steps(result)
    for step in result["steps"]:
        print(
            f"bench:   {step['step']:<14} {step['ms_per_message']:8.3f} ms/message "
            f"({step['share']:4.0%}), {step['sql_per_message']} SQL queries, "
            f"{step['sql_ms_per_message']:.3f} ms in them",
            flush=True,
        )
    print(f"bench:   finish, per 100 rows (ms, medians): {result['finish_variants']}", flush=True)
    return result


STEP_LABELS = {
    "claim": "claim: candidate queries (expired leases, then due rows) `FOR UPDATE SKIP LOCKED`, UPDATE, SELECT; per 100 rows, shown per row",
    "facts": "relevance facts: the batch's subjects, here its bookings (`Subjects.of`), per 100 rows",
    "relevance": "relevance check (`_reminder_still_relevant` in booking/messages.py, from the facts)",
    "render": "render (`message_render`: the SMS text)",
    "http": "HTTP POST to the gateway (requests, and the gateway's own time)",
    "finish": "finish (`_finish`: the UPDATE to SENT, its own transaction)",
    "deliver_other": "rest of `_deliver` (stale check, transport lookup, payload)",
    "batch_other": "rest of `_deliver_batch` (lease renewal when due)",
    "sweep_other": "rest of the loop",
}


def profile_steps(p: dict[str, Any]) -> list[dict[str, Any]]:
    """Milliseconds per message of each step, and of its SQL, from the timed pass."""
    rows, steps = p["timed_rows"], p["step_seconds"]
    sql_s, sql_n = p["sql_seconds"], p["sql_count"]
    inner = ("relevance", "render", "http", "finish")
    values = {name: steps.get(name, 0.0) for name in ("claim", "facts", *inner)}
    values["deliver_other"] = steps.get("deliver", 0.0) - sum(values[n] for n in inner)
    values["batch_other"] = (
        steps.get("deliver_batch", 0.0) - steps.get("facts", 0.0) - steps.get("deliver", 0.0)
    )
    values["sweep_other"] = (
        p["timed_wall"] - steps.get("claim", 0.0) - steps.get("deliver_batch", 0.0)
    )
    own_sql = {"deliver_other": "deliver", "batch_other": "deliver_batch", "sweep_other": "sweep"}
    return [
        {
            "step": name,
            "ms_per_message": round(seconds * 1000 / rows, 3),
            "share": round(seconds / p["timed_wall"], 3),
            "sql_per_message": round(sql_n.get(own_sql.get(name, name), 0) / rows, 2),
            "sql_ms_per_message": round(sql_s.get(own_sql.get(name, name), 0.0) * 1000 / rows, 3),
        }
        for name, seconds in values.items()
    ]


# --- Processes ------------------------------------------------------------------------


def plain_env() -> dict[str, str]:
    env = {key: os.environ[key] for key in harness.PASSED_ENV if key in os.environ}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


gateway_pids: dict[str, int] = {}


@contextlib.contextmanager
def gateway_process() -> Iterator[str]:
    """tests/fake_gateway.py in a process of its own; yields its POST URL."""
    port = harness.free_port()
    with (
        tempfile.TemporaryDirectory(prefix="giliran-gateway-") as tmp,
        processes.started(
            [sys.executable, "-m", "tests.fake_gateway", "--port", str(port)],
            plain_env(),
            Path(tmp) / "gateway.log",
            stop_seconds=STOP_SECONDS,
        ) as process,
    ):
        url = f"http://127.0.0.1:{port}/messages"
        deadline = time.monotonic() + harness.SERVER_START_SECONDS
        while True:
            if process.poll() is not None:
                log = (Path(tmp) / "gateway.log").read_text()
                raise SystemExit(f"bench: the fake gateway exited: {log}")
            with contextlib.suppress(OSError):
                gateway_stats(url)
                break
            if time.monotonic() > deadline:
                raise SystemExit("bench: the fake gateway did not start")
            time.sleep(0.1)
        gateway_pids[url] = process.pid
        try:
            yield url
        finally:
            gateway_pids.pop(url, None)


def gateway_stats(url: str) -> dict[str, int]:
    status, body = harness.fetch(url, timeout=10)
    if status != 200:
        raise OSError(f"gateway stats answered {status}")
    stats: dict[str, int] = json.loads(body)
    return stats


# --- Sampling -------------------------------------------------------------------------


@dataclass
class Watch:
    """Samples the worker's processes' memory and each process group's CPU time."""

    worker_pid: int
    beat_pid: int
    gateway_pid: int
    samples: int = 0
    peak_rss_kb: int = 0
    peak_pss_kb: int = 0
    peak_processes: int = 0
    hwm_kb: dict[int, int] = field(default_factory=dict)
    cpu: dict[str, dict[int, float]] = field(
        default_factory=lambda: {"worker": {}, "beat": {}, "gateway": {}, "postgres": {}}
    )
    machine_start: tuple[float, float] = field(default_factory=processes.machine_cpu)

    def sample(self, postgres_pids: Sequence[int]) -> None:
        pids = [self.worker_pid, *processes.children(self.worker_pid)]
        rss = pss = 0
        for pid in pids:
            memory = processes.proc_memory(pid)
            rss += memory.get("VmRSS", 0)
            pss += memory.get("Pss", 0)
            self.hwm_kb[pid] = max(self.hwm_kb.get(pid, 0), memory.get("VmHWM", 0))
        self.peak_rss_kb = max(self.peak_rss_kb, rss)
        self.peak_pss_kb = max(self.peak_pss_kb, pss)
        self.peak_processes = max(self.peak_processes, len(pids))
        self.samples += 1
        groups = {
            "worker": pids,
            "beat": [self.beat_pid, *processes.children(self.beat_pid)],
            "gateway": [self.gateway_pid],
            "postgres": list(postgres_pids),
        }
        for group, group_pids in groups.items():
            for pid in group_pids:
                stat = processes.proc_stat(pid)
                if stat:
                    self.cpu[group][pid] = stat[1]

    def report(self, messages: int) -> dict[str, Any]:
        busy0, total0 = self.machine_start
        busy1, total1 = processes.machine_cpu()
        cpu = {group: round(sum(v.values()), 2) for group, v in self.cpu.items()}
        machine_busy = busy1 - busy0
        cpu["other"] = round(machine_busy - sum(cpu.values()), 2)
        return {
            "samples": self.samples,
            "peak_rss_mb": round(self.peak_rss_kb / 1024, 1),
            "peak_pss_mb": round(self.peak_pss_kb / 1024, 1),
            "processes": self.peak_processes,
            "parent_hwm_mb": round(self.hwm_kb.get(self.worker_pid, 0) / 1024, 1),
            "pool_hwm_mb": sorted(
                (round(v / 1024, 1) for pid, v in self.hwm_kb.items() if pid != self.worker_pid),
                reverse=True,
            ),
            "cpu_seconds": cpu,
            "cpu_ms_per_message": {
                group: round(seconds * 1000 / messages, 3) for group, seconds in cpu.items()
            },
            "machine_busy_seconds": round(machine_busy, 1),
            "machine_utilisation": round(machine_busy / (total1 - total0), 3)
            if total1 > total0
            else None,
        }


# --- Baseline: raw requests to the gateway --------------------------------------------


def _baseline_sender(
    url: str,
    prefix: str,
    first: int,
    count: int,
    seconds: float,
    text: str,
    barrier: Any,
    results: Any,
) -> None:
    """One sender process: the transport's request (JSON body, Idempotency-Key header,
    a requests.Session kept alive), up to `count` times or for `seconds`."""
    import requests

    payloads = [
        {
            "id": f"{prefix}-{n}",
            "channel": "sms",
            "to": f"+62813{n:08d}",
            "text": text,
            "language": "id",
            "kind": "reminder_soon",
            "reference": f"B{n:07d}",
        }
        for n in range(first, first + count)
    ]
    session = requests.Session()
    sent = errors = 0
    barrier.wait()
    deadline = time.monotonic() + seconds
    for payload in payloads:
        response = session.post(
            url, json=payload, headers={"Idempotency-Key": payload["id"]}, timeout=5
        )
        sent += 1
        if response.status_code != 200 or not response.json().get("id"):
            errors += 1
        if time.monotonic() > deadline:
            break
    results.put((sent, errors))


def baseline(text: str, count: int, seconds: float, processes: int, label: str) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    with gateway_process() as url:
        barrier = context.Barrier(processes + 1)
        results = context.Queue()
        share, extra = divmod(count, processes)
        senders, first = [], 0
        for i in range(processes):
            n = share + (1 if i < extra else 0)
            senders.append(
                context.Process(
                    target=_baseline_sender,
                    args=(url, f"baseline-{label}", first, n, seconds, text, barrier, results),
                )
            )
            first += n
        try:
            for sender in senders:
                sender.start()
            barrier.wait(timeout=120)
            begun = time.perf_counter()
            answers = [results.get(timeout=seconds + 120) for _ in senders]
            elapsed = time.perf_counter() - begun
            for sender in senders:
                sender.join(timeout=30)
        finally:
            for sender in senders:
                if sender.is_alive():
                    sender.terminate()
                    sender.join(timeout=10)
        stats = gateway_stats(url)
    sent = sum(a[0] for a in answers)
    return {
        "requests": sent,
        "processes": processes,
        "seconds": round(elapsed, 3),
        "per_second": round(sent / elapsed, 1),
        "ms_per_request": round(elapsed * 1000 * processes / sent, 3),
        "errors": sum(a[1] for a in answers),
        "gateway": stats,
    }


# --- One round ------------------------------------------------------------------------


def census(conn: psycopg.Connection[Any], lo: int, hi: int) -> dict[str, Any]:
    rows = conn.execute(
        """SELECT status, count(*), sum(attempts), sum(claims), min(sent_at), max(sent_at)
           FROM notifications_message WHERE id BETWEEN %s AND %s GROUP BY status""",
        [lo, hi],
    ).fetchall()
    sent = next((r for r in rows if r[0] == "sent"), None)
    return {
        "statuses": {str(r[0]): int(r[1]) for r in rows},
        "attempts": sum(int(r[2] or 0) for r in rows),
        "claims": sum(int(r[3] or 0) for r in rows),
        "first_sent": sent[4].timestamp() if sent else None,
        "last_sent": sent[5].timestamp() if sent else None,
    }


def open_rows(conn: psycopg.Connection[Any], lo: int, hi: int) -> int:
    row = conn.execute(
        """SELECT count(*) FROM notifications_message
           WHERE id BETWEEN %s AND %s AND status IN ('pending', 'sending')""",
        [lo, hi],
    ).fetchone()
    return int(row[0]) if row else -1


def table_stats(conn: psycopg.Connection[Any]) -> dict[str, Any]:
    row = conn.execute(
        """SELECT n_live_tup, n_dead_tup, autovacuum_count, autoanalyze_count,
                  pg_table_size('notifications_message')
           FROM pg_stat_user_tables WHERE relname = 'notifications_message'"""
    ).fetchone()
    keys = ("live_rows", "dead_rows", "autovacuums", "autoanalyzes", "table_bytes")
    return dict(zip(keys, row, strict=True)) if row else {}


LOG_TIME = r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}): "
SWEEP_DONE = re.compile(LOG_TIME + r".*outbox_sweep\[[^\]]+\] succeeded in ([\d.]+)s: (\d+)", re.M)
HEARTBEAT_SENT = re.compile(LOG_TIME + r".*Sending due task heartbeat ", re.M)
HEARTBEAT_DONE = re.compile(LOG_TIME + r".*core\.tasks\.heartbeat\[[^\]]+\] succeeded", re.M)


def _log_time(text: str) -> float:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S,%f").timestamp()


def queue_waits(beat_log: str, worker_log: str, ended: float) -> dict[str, Any]:
    """How long beat's heartbeats waited for a worker, sent to run (FIFO, so the n-th sent
    is the n-th run); one still queued when the round ended counts until then. One-time
    codes and every other task wait in the same queue."""
    sent = [_log_time(t) for t in HEARTBEAT_SENT.findall(beat_log)]
    done = [_log_time(t) for t in HEARTBEAT_DONE.findall(worker_log)]
    waits = [(done[i] if i < len(done) else ended) - t for i, t in enumerate(sent)]
    return {
        "heartbeats_sent": len(sent),
        "heartbeats_run": len(done),
        "waits_seconds": [round(w, 1) for w in waits],
        "max_wait_seconds": round(max(waits), 1) if waits else None,
    }


@dataclass(frozen=True)
class RoundSpec:
    name: str
    lo: int
    hi: int
    make_due: bool

    @property
    def count(self) -> int:
        return self.hi - self.lo + 1


def run_round(
    spec: RoundSpec, env: dict[str, str], options: Options, text: str, stamp: str
) -> dict[str, Any]:
    params, count, lo, hi = options.params, spec.count, spec.lo, spec.hi
    db_url = env["DATABASE_URL"]
    print(f"bench: round {spec.name}: {count:,} reminders", flush=True)
    with psycopg.connect(db_url, autocommit=True, connect_timeout=10) as conn:
        if spec.make_due:
            conn.execute(
                "UPDATE notifications_message SET due_at = now() WHERE id BETWEEN %s AND %s",
                [lo, hi],
            )
        conn.execute("VACUUM (ANALYZE) notifications_message")
        due = conn.execute(
            "SELECT count(*) FROM notifications_message WHERE status = 'pending' AND due_at <= now()"
        ).fetchone()
        if not due or int(due[0]) != count:
            raise SystemExit(f"bench: {due} rows due before round {spec.name}, expected {count}")
    processes.flush_redis(options.redis)

    def measure_baseline(when: str) -> dict[str, Any]:
        raw = baseline(
            text, min(params.baseline_count, count), params.baseline_seconds,
            params.baseline_processes, f"{spec.name}-{when}",
        )  # fmt: skip
        print(
            f"bench: round {spec.name}: baseline {when}, {raw['requests']:,} requests from "
            f"{params.baseline_processes} processes: {raw['per_second']:,.0f}/s "
            f"({raw['ms_per_request']:.2f} ms each)",
            flush=True,
        )
        return raw

    raw_before = measure_baseline("before")

    logs = {
        kind: harness.RESULTS_DIR / f"{NAME}-{stamp}-{spec.name}-{kind}.log"
        for kind in ("worker", "beat")
    }
    worker_command = [
        sys.executable, "-m", "celery", "--app=config", "worker", "--loglevel=INFO",
        "--pool=prefork", f"--concurrency={params.concurrency}", "--without-gossip",
        "--without-mingle", f"--hostname=bench-{NAME}@%h",
    ]  # fmt: skip
    with (
        tempfile.TemporaryDirectory(prefix="giliran-beat-") as beat_dir,
        gateway_process() as url,
        psycopg.connect(db_url, autocommit=True, connect_timeout=10) as conn,
    ):
        beat_command = [
            sys.executable, "-m", "celery", "--app=config", "beat", "--loglevel=INFO",
            f"--schedule={beat_dir}/celerybeat-schedule",
        ]  # fmt: skip
        run_env = {**env, "GILIRAN_SMS_GATEWAY_URL": url}
        began = time.time()
        with (
            processes.started(
                worker_command, run_env, logs["worker"], stop_seconds=STOP_SECONDS
            ) as worker,
            processes.started(
                beat_command, run_env, logs["beat"], stop_seconds=STOP_SECONDS
            ) as beat,
        ):
            watch = Watch(worker.pid, beat.pid, gateway_pids[url])
            table_before = table_stats(conn)
            outcome, progress = wait_for_delivery(
                conn, watch, worker, beat, url, spec, options, logs["worker"]
            )
            table_after = table_stats(conn)
            ended = time.time()
            usage = watch.report(count)
            print(f"bench: round {spec.name}: {outcome}; stopping the worker and beat", flush=True)
        gateway = gateway_stats(url)
        counted = census(conn, lo, hi)
    # The machine's load drifts during a long round: a baseline on each side of it.
    raw_after = measure_baseline("after")
    raw = {
        "per_second": round((raw_before["per_second"] + raw_after["per_second"]) / 2, 1),
        "errors": raw_before["errors"] + raw_after["errors"],
        "before": raw_before,
        "after": raw_after,
    }
    worker_log = logs["worker"].read_text(errors="replace")
    sweeps = [(float(s), int(n)) for _t, s, n in SWEEP_DONE.findall(worker_log)]
    problems = [line for path in logs.values() for line in harness.server_log_problems(path)]
    last, first = counted["last_sent"], counted["first_sent"]
    sent = counted["statuses"].get("sent", 0)
    wall = (last - began) if last else None
    delivering = (last - first) if last and first and last > first else None
    result = {
        "name": spec.name,
        "count": count,
        "ids": [lo, hi],
        "outcome": outcome,
        "wall_seconds": round(wall, 2) if wall else None,
        "first_sent_after": round(first - began, 2) if first else None,
        "delivery_seconds": round(delivering, 2) if delivering else None,
        "per_second": round(sent / wall, 1) if wall else None,
        "per_second_delivering": round(sent / delivering, 1) if delivering else None,
        "watched_seconds": round(ended - began, 1),
        "baseline": raw,
        "ratio": round(sent / wall / raw["per_second"], 3) if wall else None,
        "ratio_delivering": round(sent / delivering / raw["per_second"], 3) if delivering else None,
        "gateway": gateway,
        "census": counted,
        "not_sent": count - sent,
        "usage": usage,
        "progress": progress,
        "table": {"before": table_before, "after": table_after},
        "sweeps": {
            "count": len(sweeps),
            "seconds": [round(s, 1) for s, _ in sweeps],
            "handled": [n for _, n in sweeps],
        },
        "queue": queue_waits(logs["beat"].read_text(errors="replace"), worker_log, ended),
        "log_problems": problems[:50],
        "logs": {k: str(v.relative_to(harness.BASE_DIR)) for k, v in logs.items()},
    }
    print(
        f"bench: round {spec.name}: {sent:,}/{count:,} sent in {_num(result['wall_seconds'], ' s')}"
        f" ({_num(result['per_second'])}/s; first after {_num(result['first_sent_after'], ' s')}"
        f"), baseline {raw['per_second']:,.0f}/s, ratio {result['ratio']}; worker peak PSS "
        f"{usage['peak_pss_mb']} MB (RSS {usage['peak_rss_mb']} MB); gateway {gateway}; "
        f"heartbeat waited up to {_num(result['queue']['max_wait_seconds'], ' s')}",
        flush=True,
    )
    return result


def wait_for_delivery(
    conn: psycopg.Connection[Any],
    watch: Watch,
    worker: subprocess.Popen[bytes],
    beat: subprocess.Popen[bytes],
    url: str,
    spec: RoundSpec,
    options: Options,
    worker_log: Path,
) -> tuple[str, list[tuple[float, int]]]:
    """Sample until no row of the batch is open (pending or sending). The gateway's count
    is cheap to ask; the database is asked once the gateway has had them all, and every
    5 s before (rows skipped or dead never reach the gateway). Stops early on a
    traceback in the worker's log. Returns how it ended and the gateway's count every 5 s."""
    began = time.monotonic()
    last_check = last_print = began
    progress: list[tuple[float, int]] = []
    while True:
        time.sleep(SAMPLE_SECONDS)
        now = time.monotonic()
        watch.sample(processes.postgres_pids(conn, options.database))
        if worker.poll() is not None or beat.poll() is not None:
            return "the worker or beat exited", progress
        delivered = gateway_stats(url)["delivered"]
        if now - last_print >= 30:
            print(f"bench:   {now - began:5.0f} s: {delivered:,} delivered", flush=True)
            last_print = now
        if delivered >= spec.count or now - last_check >= 5:
            last_check = now
            progress.append((round(now - began, 1), delivered))
            if open_rows(conn, spec.lo, spec.hi) == 0:
                return "done", progress
            if "Traceback" in worker_log.read_text(errors="replace"):
                return "a traceback in the worker's log", progress
        if now - began > options.params.time_limit:
            return f"time limit ({options.params.time_limit:.0f} s)", progress


# --- The run --------------------------------------------------------------------------

# What the figures measure. Others edit this working tree meanwhile: a run whose
# application changed between its rounds would mix two versions, so it stops.
WATCHED = (
    "notifications",
    "config",
    "booking/models",
    "offices/models",
    "booking/messages.py",
    "templates/notifications",
    "tests/fake_gateway.py",
)


def code_fingerprint() -> str:
    digest = hashlib.sha256()
    for top in WATCHED:
        path = harness.BASE_DIR / top
        for file in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if file.is_file() and "__pycache__" not in file.parts:
                digest.update(str(file.relative_to(harness.BASE_DIR)).encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def code_version() -> dict[str, Any]:
    """The commit, and which watched files differ from it (read-only git commands)."""

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=harness.BASE_DIR, capture_output=True, text=True, timeout=30,
            check=False,
        )  # fmt: skip
        return done.stdout

    return {
        "commit": git("rev-parse", "--short", "HEAD").strip(),
        "changed": git("status", "--porcelain", "--", *WATCHED).splitlines(),
        "fingerprint": code_fingerprint(),
    }


def require_same_code(version: dict[str, Any], when: str) -> None:
    if code_fingerprint() != version["fingerprint"]:
        raise SystemExit(
            f"bench: the application changed {when} ({', '.join(WATCHED)}); "
            "the figures would mix two versions: run again"
        )


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_options(argv)
    params = options.params
    harness.stop_cleanly_on_sigterm()
    begun = datetime.now(UTC).replace(microsecond=0)
    stamp = begun.strftime("%Y%m%dT%H%M%SZ")
    db_url = harness.database_url(options.postgres, options.database)
    processes.flush_redis(options.redis)
    machine = processes.describe_machine(
        options.postgres, options.redis, ("django", "celery", "requests")
    )
    load_before = harness.load_average()
    plan = batch_plan(params)
    version = code_version()

    with tempfile.TemporaryDirectory(prefix="giliran-bench-") as var_dir:
        env = harness.django_env(db_url, Path(var_dir))
        env.update(REDIS_URL=options.redis, GILIRAN_CONSOLE_MESSAGES="0")
        if params.sweep_seconds is not None:
            env["GILIRAN_OUTBOX_SWEEP_SECONDS"] = str(params.sweep_seconds)
        setup = set_up(env, options, plan)
        ids = setup["batches"]
        profiled = (
            profile(env, plan[0], ids["profile"], ids["main"][0]) if "profile" in ids else None
        )
        rounds = []
        for b in plan:
            if b.name == "profile":
                continue
            require_same_code(version, f"before round {b.name}")
            spec = RoundSpec(b.name, ids[b.name][0], ids[b.name][1], b.due is None)
            rounds.append(run_round(spec, env, options, setup["sample_text"], stamp))
        require_same_code(version, "during the last round")
    load_after = harness.load_average()

    report = build_report(options, begun, machine, setup, profiled, rounds)
    report["load_average"] = {"before": load_before, "after": load_after}
    report["code"] = version
    results_path = harness.save_results(NAME, begun, report)
    if not options.quick:
        RESULTS_FILE.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print_summary(report, results_path)
    if report["failures"]:
        print(
            f"bench: {'; '.join(report['failures'])}; docs/benchmarks.md left as it was",
            file=sys.stderr,
        )
        return 1
    if options.write_docs:
        harness.replace_docs_section(NAME, render_section(report))
        print(
            f"bench: wrote the {NAME} section of {harness.DOCS_FILE.relative_to(harness.BASE_DIR)}"
        )
    return 0


def failures_of(rounds: Sequence[dict[str, Any]]) -> list[str]:
    failures = []
    for r in rounds:
        g, name = r["gateway"], r["name"]
        if r["outcome"] != "done":
            failures.append(f"round {name}: {r['outcome']}")
        if r["not_sent"]:
            failures.append(
                f"round {name}: {r['not_sent']} rows not sent {r['census']['statuses']}"
            )
        if g["duplicates_delivered"] or g["repeated_requests"]:
            failures.append(
                f"round {name}: {g['duplicates_delivered']} duplicates delivered, "
                f"{g['repeated_requests']} repeated requests"
            )
        if g["delivered"] != r["count"]:
            failures.append(f"round {name}: the gateway got {g['delivered']} of {r['count']}")
        for counted in ("attempts", "claims"):
            if r["census"][counted] != r["count"]:
                failures.append(
                    f"round {name}: {r['census'][counted]} {counted} for {r['count']} rows"
                )
        if r["baseline"]["errors"]:
            failures.append(f"round {name}: {r['baseline']['errors']} baseline errors")
        if r["log_problems"]:
            failures.append(f"round {name}: {len(r['log_problems'])} errors in the logs")
    return failures


def build_report(
    options: Options,
    begun: datetime,
    machine: dict[str, str],
    setup: dict[str, Any],
    profiled: dict[str, Any] | None,
    rounds: list[dict[str, Any]],
) -> dict[str, Any]:
    main_round, further = rounds[0], rounds[1:]
    goals = {
        "time_met": main_round["wall_seconds"] is not None
        and main_round["wall_seconds"] <= GOAL_SECONDS,
        "memory_met": main_round["usage"]["peak_pss_mb"] <= GOAL_MB,
        "duplicates_met": main_round["gateway"]["duplicates_delivered"] == 0,
    }
    summary = {
        "further": {
            "rounds": len(further),
            "count": further[0]["count"] if further else None,
            **{
                key: harness.median([r[key] for r in further])
                for key in (
                    "wall_seconds",
                    "per_second",
                    "per_second_delivering",
                    "ratio",
                    "ratio_delivering",
                )
            },
            "baseline_per_second": harness.median([r["baseline"]["per_second"] for r in further]),
            "peak_pss_mb": harness.median([r["usage"]["peak_pss_mb"] for r in further]),
        },
    }
    return {
        "benchmark": NAME,
        "started": begun.isoformat(),
        "command": options.command,
        "quick": options.quick,
        "params": asdict(options.params),
        "database": options.database,
        "redis": options.redis,
        "machine": machine,
        "setup": setup,
        "profile": profiled,
        "goals": goals,
        "summary": summary,
        "failures": failures_of(rounds),
        "rounds": rounds,
    }


def _num(value: float | None, unit: str = "", digits: int = 1) -> str:
    return "?" if value is None else f"{value:,.{digits}f}{unit}"


def _met(value: bool) -> str:
    return "met" if value else "not met"


def print_summary(report: dict[str, Any], results_path: Path) -> None:
    print()
    for r in report["rounds"]:
        u = r["usage"]
        print(
            f"{r['name']:<14} {r['count']:>7,} in {_num(r['wall_seconds'], ' s'):>9} "
            f"{_num(r['per_second']):>7}/s ({_num(r['per_second_delivering'])}/s delivering); "
            f"baseline {_num(r['baseline']['per_second'])}/s, ratio {r['ratio']} "
            f"({r['ratio_delivering']} delivering); PSS {u['peak_pss_mb']} MB, RSS "
            f"{u['peak_rss_mb']} MB; duplicates {r['gateway']['duplicates_delivered']}, "
            f"repeated {r['gateway']['repeated_requests']}, not sent {r['not_sent']}"
        )
    print("goals: " + ", ".join(f"{k} {v}" for k, v in report["goals"].items()))
    print(f"failures: {report['failures'] or 'none'}")
    print(f"raw results: {results_path.relative_to(harness.BASE_DIR)}")


# --- docs/benchmarks.md ---------------------------------------------------------------

ABOUT = """
{count:,} confirmed bookings on the demo catalog's future appointment slots ({slots:,}
slots of {offices} offices in three time zones, capacities raised to fit, up to
{per_slot} bookings a slot; one citizen in ten reads English, the others Indonesian),
each with its "shortly before" reminder (`reminder_soon`, by SMS) written as
`booking_reminders_queue()` writes it: the context of `booking_context()`, the dedup key
`booking:<id>:reminder_soon:<slot>`, `stale_after` the appointment. One booking's row is
compared field by field with the row the application itself queues (in a transaction
rolled back). All {count:,} are due at the same moment.

Then what production runs, started together: a Celery worker
(`celery --app=config worker --pool=prefork --concurrency={concurrency} --without-gossip
--without-mingle`, as compose.yaml) and beat (`celery --app=config beat`), with Redis as
broker and cache, PostgreSQL, `DEBUG=0`. Reminders leave only through the sweeper that
beat enqueues every {sweep} s: each run claims due rows 100 at a time
(`… FOR UPDATE SKIP LOCKED`) for up to 50 s and, for each row, checks it is still
relevant, renders it and posts it to the SMS gateway, then marks it sent. The gateway is
tests/fake_gateway.py in its own process; it counts what a citizen would have received
twice (`duplicates_delivered`) and requests repeating an idempotency key
(`repeated_requests`). The time runs from starting the worker and beat to the last row's
`sent_at`, so it includes the worker's start and beat's first tick.

Baseline, in the same round, just before and just after the delivery: {senders} plain
Python processes post the same requests (JSON body, `Idempotency-Key`, one
`requests.Session` each, as the transport does) to a fresh gateway, up to
{baseline_count:,} requests or {baseline_seconds:.0f} s: what that gateway takes from
{senders} senders on this machine, with no database, Celery or templates. The ratio is
the outbox's messages/s over the mean of the two baselines' requests/s. Further rounds of
{round_count:,} reminders each (made due when their round starts) give medians.
"""


def _ms(value: float | None) -> str:
    return "?" if value is None else f"{value:,.2f} ms"


def _share(part: float, whole: float) -> str:
    return f"{part / whole:.0%}" if whole else "?"


def rates_per_minute(progress: Sequence[Sequence[float]]) -> list[float]:
    """Messages/s at the gateway in each whole minute of the round."""
    marks = [(0.0, 0)] + [(float(t), int(n)) for t, n in progress]
    rates = []
    minute = 60.0
    while minute <= marks[-1][0]:
        before = max((m for m in marks if m[0] <= minute - 60), key=lambda m: m[0])
        after = max((m for m in marks if m[0] <= minute), key=lambda m: m[0])
        if after[0] > before[0]:
            rates.append(round((after[1] - before[1]) / (after[0] - before[0]), 1))
        minute += 60.0
    return rates


def plan_lines(plan: Sequence[str]) -> str:
    """The nodes of an EXPLAIN ANALYZE that say what it did (no buffers, no filters)."""
    keep = [line.rstrip() for line in plan if "->" in line or line.startswith(("Limit", "Sort"))]
    keep += [line.strip() for line in plan if "Sort Method" in line or "Execution Time" in line]
    return "\n".join(keep)


def estimate(report: dict[str, Any]) -> dict[str, float] | None:
    """Per-message time in-process now, and with the finish written once per batch (the
    profile's faster batched variant): the sweeper's throughput would grow by their ratio
    while the worker is the limit."""
    p = report["profile"]
    if not p:
        return None
    steps = {s["step"]: s["ms_per_message"] for s in p["steps"]}
    now = sum(steps.values())
    f = p["finish_variants"]
    after = now - steps["finish"] + min(f["one_transaction"], f["batch"]) / SWEEP_BATCH
    return {"now_ms": round(now, 3), "after_ms": round(after, 3), "factor": round(now / after, 2)}


def quiet_bound(report: dict[str, Any]) -> dict[str, Any] | None:
    """The main round's best case on an idle machine: the benchmark's own CPU time per
    message spread over every core, or the sweeps' in-process rate, whichever is lower."""
    p, r = report["profile"], report["rounds"][0]
    usage = r["usage"]
    if not p or not r["first_sent_after"] or not usage["machine_busy_seconds"]:
        return None
    ours_ms = sum(usage["cpu_ms_per_message"][g] for g in ("worker", "postgres", "gateway", "beat"))
    cores = int(report["machine"]["nproc"])
    cpu_rate = cores * 1000 / ours_ms
    sweeps = report["params"]["concurrency"]
    serial_rate = sweeps * 1000 / sum(s["ms_per_message"] for s in p["steps"])
    rate = min(cpu_rate, serial_rate)
    return {
        "other_share": usage["cpu_seconds"]["other"] / usage["machine_busy_seconds"],
        "ours_ms": ours_ms,
        "cores": cores,
        "cpu_rate": cpu_rate,
        "sweeps": sweeps,
        "serial_rate": serial_rate,
        "seconds": r["first_sent_after"] + r["count"] / rate,
    }


def findings(report: dict[str, Any]) -> list[str]:
    """What limits throughput, each with its fix and the evidence; from this run's figures."""
    p, main_round = report["profile"], report["rounds"][0]
    found: list[str] = []
    if not p:
        return found
    steps = {s["step"]: s for s in p["steps"]}
    total = sum(s["ms_per_message"] for s in p["steps"])
    usage = main_round["usage"]
    ours = sum(usage["cpu_seconds"][g] for g in ("worker", "beat", "gateway", "postgres"))
    busy = ", and the cores are the limit" if (usage["machine_utilisation"] or 0) >= 0.85 else ""
    found.append(
        f"""**One message costs {total:.2f} ms in-process{busy}.** The
sweeper claims 100 rows and reads their bookings in one query each, then handles one
row at a time: a render, an HTTP request and an UPDATE with its own commit; in the main round
the machine's two cores were {usage["machine_utilisation"]:.0%} busy, the benchmark's
processes using {usage["cpu_ms_per_message"]["worker"]:.2f} ms (worker),
{usage["cpu_ms_per_message"]["postgres"]:.2f} ms (PostgreSQL) and
{usage["cpu_ms_per_message"]["gateway"]:.2f} ms (gateway) of CPU per message
({ours:,.0f} CPU-s in all), the rest other work on the shared machine."""
    )
    claim_ms = steps["claim"]["ms_per_message"] * SWEEP_BATCH
    if claim_ms > 20:
        found.append(
            f"""**A claim takes {claim_ms:.0f} ms for 100 rows with {p["due_rows_behind"]:,}
due.** See its plans below: a claim should stop at the batch's rows, whatever the
backlog."""
        )
    finish = p["finish_variants"]
    finish_step = steps["finish"]
    best = min(finish["one_transaction"], finish["batch"])
    flush_note = (
        ": when the disk is not the bottleneck, skipping the flush (`synchronous_commit` off "
        "in `_finish()`'s transaction) saves no more than its extra statement and round "
        "trips cost; what remains is a transaction per message"
        if finish_step["sql_per_message"] >= 2
        and finish["as_now"] > 0.8 * finish["autocommit_each"]
        else ""
    )
    if finish["as_now"] > 1.5 * best:
        found.append(
            f"""**Each message's outcome is written in a transaction of its own:
{finish_step["ms_per_message"]:.2f} ms, {_share(finish_step["ms_per_message"], total)} of a
message in-process, {finish_step["sql_per_message"]:g} SQL statements plus the commit.**
Row by row, `_finish()` takes {finish["as_now"]:.1f} ms per 100 rows, and one
autocommitted UPDATE per row, which waits for the WAL flush, {finish["autocommit_each"]:.1f}
ms{flush_note}. Fix,
`notifications/services/outbox.py`: let `_deliver()` return each row's outcome and
`_deliver_batch()` write the batch's outcomes together (at its end, or every few
seconds) in one transaction, filtered on `claim_token` and `status=SENDING` as now:
**{finish["as_now"]:.1f} → {best:.1f} ms** per 100 rows (row by row in one transaction:
{finish["one_transaction"]:.1f} ms; what the rows share in one UPDATE and the rest in
one `bulk_update`: {finish["batch"]:.1f} ms). A worker that dies between sending and writing then leaves up to a batch,
not one row, to be sent again once the lease ends; the gateways' idempotency key
(`giliran-<id>`) absorbs that as it does for one row today, and the lease renewal in
`_deliver_batch()` stays as it is."""
        )
    e = estimate(report)
    if e and e["factor"] > 1.1:
        delivering = main_round["delivery_seconds"] or 0
        found.append(
            f"""**With the finish batched**, a message would take about {e["after_ms"]:.2f} ms
in-process instead of {e["now_ms"]:.2f} ms: about {e["factor"]:.2f} × the throughput
while the worker is the limit, so this round's {delivering:.0f} s of sending would take
about {delivering / e["factor"]:.0f} s, and PostgreSQL, which shares the cores, would
commit once per batch instead of once per message. An estimate from in-process
timings."""
        )
    http = steps["http"]["ms_per_message"]
    gateway_cpu = usage["cpu_ms_per_message"]["gateway"]
    if http > 0.25 * total:
        found.append(
            f"""**The HTTP request is {http:.2f} ms of a message ({_share(http, total)}),
while the gateway itself spends {gateway_cpu:.2f} ms of CPU on it.** The rest is the
client: requests and urllib3 building, sending and parsing each request in the worker,
and the wait for the gateway's process to be scheduled on the same two cores. Each
worker process has one request in flight at a time, so a gateway that takes longer to
answer (a real one, tens of ms away) slows delivery in proportion: at 50 ms a request,
{report["params"]["concurrency"]} pool processes send at most
{report["params"]["concurrency"] * 20} messages/s, {main_round["count"]:,} in
{main_round["count"] / (report["params"]["concurrency"] * 20) / 60:.0f} min. Fix when
a real gateway's latency is known: send a batch's requests concurrently
(a small thread pool in `_deliver_batch()`; the transport already keeps one session per
thread), or run the outbox on a worker with more, lighter pool processes."""
        )
    first = main_round["first_sent_after"]
    if first and first > 5:
        found.append(
            f"""**Nothing is sent for the first {first:.0f} s, and only one pool process works
until beat's second tick.** Reminders go out only through the sweeper, which beat
enqueues every {report["params"]["sweep_seconds"] or 10} s, one run at a time; the second pool
process gets work only from the second tick on. Not much on {main_round["count"]:,}
messages; a larger share of a small round (the further rounds' rates above). Fix if it
matters: enqueue a sweep when reminders fall due (a task scheduled with `eta` at the
first due time when they are queued), or let a sweep that finds a full batch enqueue
another at once, so all pool processes work from the first second."""
        )
    queue = main_round["queue"]
    if queue["max_wait_seconds"] and queue["max_wait_seconds"] > 30:
        found.append(
            f"""**Everything else waits behind the sweepers: beat's heartbeat waited up to
{queue["max_wait_seconds"]:.0f} s in the queue during the main round**
({", ".join(f"{w:.0f}" for w in queue["waits_seconds"])} s). Each sweep keeps a pool
process for its whole 50 s while rows are due, and beat adds one every 10 s, so with
{report["params"]["concurrency"]} pool processes sweeps pile up in the one queue, ahead of
every task sent after them: the task that sends a citizen's one-time code right after the booking step
(`outbox_dispatch_message`; the sweeper, its fallback, takes the code's row only after
every reminder due before it), hold releases, waiting-list offers. Fix, `config/settings.py` and
`config/celery.py`: route `notifications.tasks.outbox_sweep` to a queue of its own
(`CELERY_TASK_ROUTES`) served by its own worker (compose: a `worker-outbox` service with
`--queues=outbox`), and give the beat entry `"options": {{"expires": <sweep seconds>}}`
so that sweeps not started in time are dropped instead of piling up."""
        )
    return found


def render_section(report: dict[str, Any]) -> str:
    params, machine, setup = report["params"], report["machine"], report["setup"]
    main_round = report["rounds"][0]
    goals, summary = report["goals"], report["summary"]["further"]
    about = ABOUT.format(
        count=main_round["count"],
        slots=setup["slots"],
        offices=setup["offices"],
        per_slot=setup["bookings_per_slot_max"],
        concurrency=params["concurrency"],
        sweep=params["sweep_seconds"] or 10,
        senders=params["baseline_processes"],
        baseline_count=params["baseline_count"],
        baseline_seconds=params["baseline_seconds"],
        round_count=params["round_count"],
    )
    rows = []
    for r in report["rounds"]:
        u, g = r["usage"], r["gateway"]
        rows.append(
            [
                r["name"],
                f"{r['count']:,}",
                _num(r["wall_seconds"], " s"),
                _num(r["first_sent_after"], " s"),
                f"{_num(r['per_second'])} / {_num(r['per_second_delivering'])}",
                f"{r['baseline']['per_second']:,.0f} ({r['baseline']['before']['per_second']:,.0f}, "
                f"{r['baseline']['after']['per_second']:,.0f})",
                f"{_num(r['ratio'], digits=3)} / {_num(r['ratio_delivering'], digits=3)}",
                f"{u['peak_pss_mb']:.0f} MB ({u['peak_rss_mb']:.0f} MB)",
                f"{g['duplicates_delivered']} / {g['repeated_requests']}",
                str(r["not_sent"]),
                _num(r["queue"]["max_wait_seconds"], " s", 0)
                if r["queue"]["heartbeats_sent"]
                else "none sent",
            ]
        )
    table = harness.markdown_table(
        [
            "round",
            "reminders",
            "time",
            "first sent after",
            "messages/s: round / while sending",
            "baseline requests/s (before, after)",
            "ratio: round / while sending",
            "worker peak PSS (RSS)",
            "duplicates / repeated",
            "not sent",
            "heartbeat waited up to",
        ],
        rows,
    )
    u = main_round["usage"]
    cpu_rows = [
        [
            group,
            f"{u['cpu_seconds'][group]:,.1f}",
            _share(u["cpu_seconds"][group], u["machine_busy_seconds"]),
            f"{u['cpu_ms_per_message'][group]:.3f}",
        ]
        for group in ("worker", "postgres", "gateway", "beat", "other")
    ]
    cpu_table = harness.markdown_table(
        ["processes", "CPU seconds", "share of the busy time", "CPU ms per message"],
        [
            [
                {
                    "worker": "worker (parent and pool)",
                    "postgres": "PostgreSQL backends of the bench database",
                    "gateway": "fake gateway",
                    "beat": "beat",
                    "other": "everything else on the machine",
                }[row[0]],
                *row[1:],
            ]
            for row in cpu_rows
        ],
    )
    p = report["profile"]
    profile_text = "No profile in this run (--profile-count 0)."
    if p:
        step_rows = [
            [
                STEP_LABELS[s["step"]],
                f"{s['ms_per_message']:.3f}",
                f"{s['share']:.0%}",
                f"{s['sql_per_message']:g}",
                f"{s['sql_ms_per_message']:.3f}",
            ]
            for s in p["steps"]
        ]
        total = sum(s["ms_per_message"] for s in p["steps"])
        step_rows.append(["**one message**", f"**{total:.3f}**", "100%", "", ""])
        step_table = harness.markdown_table(
            ["step", "ms per message", "share", "SQL queries", "ms in SQL"], step_rows
        )
        f = p["finish_variants"]
        variant_table = harness.markdown_table(
            ["finish, per 100 rows", "ms (median)"],
            [
                ["row by row, by the application's own `_finish()`", _ms(f["as_now"])],
                [
                    "row by row, one autocommitted UPDATE each (waits for the WAL flush)",
                    _ms(f["autocommit_each"]),
                ],
                [
                    "the same UPDATEs, row by row, in one transaction",
                    _ms(f["one_transaction"]),
                ],
                [
                    "the batch at once, in one transaction: one UPDATE of what all rows share, "
                    "one `bulk_update` of what differs (`sent_at`, `provider_ref`)",
                    _ms(f["batch"]),
                ],
            ],
        )
        claim_plans = "\n\n".join(
            f"```\n{plan_lines(c['plan'])}\n```"
            for c in p["claim_plans"]
            if "SKIP LOCKED" in c["sql"]
        )
        profile_text = f"""\
In-process (`manage.py shell`, same settings): the sweeper's own loop
(`outbox_dispatch_due()`: claim 100, `_deliver_batch()`) over {p["timed_rows"]:,} rows
of a batch of their own, after {PROFILE_WARMUP} unmeasured, with a timer around each step
and each SQL query counted in the step that ran it; the main round's
{p["due_rows_behind"]:,} rows were due behind them, and nothing else of the benchmark was
running. {p["timed_rows"]:,} rows took {p["timed_wall"]:.2f} s, one sender
({p["timed_rows"] / p["timed_wall"]:,.0f} messages/s); {p["cprofile_rows"]:,} more under
cProfile took {p["cprofile_wall"]:.2f} s (its top functions are in the raw results).

{step_table}

The finish step, four ways, timed in alternation ({p["repeats"]} times each, medians), on
{SWEEP_BATCH} of the profile's rows, put back to SENDING under a claim token before each
timing and marked SENT again with what they hold (the server's `synchronous_commit` is
`{p["synchronous_commit"]}`):

{variant_table}

The claim's candidate queries with {p["due_rows_behind"]:,} rows due (EXPLAIN ANALYZE,
rolled back): each an index scan that stops at the batch's 100 rows, so a claim costs the
same whatever the backlog.

{claim_plans}
"""
    found = findings(report)
    found_text = "\n\n".join(f"{i}. {text}" for i, text in enumerate(found, start=1))
    when = datetime.fromisoformat(report["started"]).strftime("%Y-%m-%d %H:%M UTC")
    loads = report["load_average"]
    code = report["code"]
    changed = (
        ", with uncommitted changes to "
        + ", ".join(f"`{line[3:]}`" for line in code["changed"])
        + " (unchanged throughout the run)"
        if code["changed"]
        else ""
    )
    further_text = ""
    if summary["rounds"]:
        further_text = f"""

Further rounds ({summary["rounds"]} × {summary["count"]:,}), medians:
{_num(summary["wall_seconds"], " s")}, {_num(summary["per_second"])} messages/s over the
round and {_num(summary["per_second_delivering"])} while sending, against
{_num(summary["baseline_per_second"], digits=0)} requests/s raw: ratio
{_num(summary["ratio"], digits=3)} ({_num(summary["ratio_delivering"], digits=3)} while
sending). A small round spends a larger share of its time waiting for beat's first
ticks."""
    crowded = ""
    b = quiet_bound(report)
    if b and b["other_share"] >= 0.25:
        crowded = f"""

Other work on the shared machine took {b["other_share"]:.0%} of its busy
CPU time during this round. With the machine to itself, the benchmark's processes would be bound by their own CPU time,
{b["ours_ms"]:.2f} ms per message (table below): at most {b["cpu_rate"]:,.0f} messages/s
on {b["cores"]} cores, and {b["serial_rate"]:,.0f}/s from {b["sweeps"]} sweeps at the
in-process rate, so about {b["seconds"]:.0f} s for {main_round["count"]:,} with the
start-up: a bound, not a measurement."""
    per_minute = rates_per_minute(main_round["progress"])
    minutes = (
        "; messages/s in each minute: " + ", ".join(f"{x:,.0f}" for x in per_minute)
        if len(per_minute) > 1
        else ""
    )
    return harness.reflow(f"""\
## {TITLE}

{about.strip()}

Command: `{report["command"]}`

Run on {when}:

- machine: {machine["nproc"]} CPUs (nproc), {machine["cpu"]}, {machine["memory"]} memory,
  Linux {machine["kernel"]}; shared with other engineers' tests and benchmarks: load
  average (1, 5, 15 min) before: {loads["before"]}, after: {loads["after"]}
- code: commit {code["commit"]}{changed}
- PostgreSQL {machine["postgresql"]}, Redis {machine["redis"]}, Python
  {machine["python"]}, Django {machine["django"]}, Celery {machine["celery"]}, requests
  {machine["requests"]}
- data: {sum(hi - lo + 1 for lo, hi in setup["batches"].values()):,} bookings and
  reminders (the rounds' and the profile's) written in {setup["seconds"]["total"]:.0f} s
  (migrate and demo catalog {setup["seconds"]["catalog"]:.0f} s, the rest with
  `bulk_create`); the database `{report["database"]}` is left in place after the run,
  and the next run drops it; Redis: `{report["redis"]}`, emptied before each round

{table}

**{main_round["count"]:,} reminders delivered in {_num(main_round["wall_seconds"], " s")}:
goal ≤ {GOAL_SECONDS:.0f} s {_met(goals["time_met"])}.** {_num(main_round["per_second"])}
messages/s over the round, {_num(main_round["per_second_delivering"])} from the first
message sent to the last{minutes}. The raw gateway took
{main_round["baseline"]["per_second"]:,.0f} requests/s from {params["baseline_processes"]}
processes in the same round (mean of before and after): **outbox delivery = {_num((main_round["ratio"] or 0) * 100, " %", 0)}
of the raw gateway throughput** ({_num((main_round["ratio_delivering"] or 0) * 100, " %", 0)}
while sending).{crowded}

**Worker memory: {u["peak_pss_mb"]:.0f} MB at its peak: goal ≤ {GOAL_MB:.0f} MB
{_met(goals["memory_met"])}.** That is the PSS of the worker's {u["processes"]}
processes together (parent and pool; pages they share, counted once); each process's
own peak RSS (VmHWM): parent {u["parent_hwm_mb"]:.0f} MB, pool
{", ".join(f"{x:.0f}" for x in u["pool_hwm_mb"])} MB; their RSS summed, counting the
code they share once per process, peaked at {u["peak_rss_mb"]:.0f} MB. Sampled every
{SAMPLE_SECONDS:g} s from /proc.

**Duplicates: {main_round["gateway"]["duplicates_delivered"]}** delivered twice and
{main_round["gateway"]["repeated_requests"]} requests repeating an idempotency key; all
{main_round["count"]:,} rows ended SENT, each claimed and tried once
({main_round["census"]["claims"]:,} claims, {main_round["census"]["attempts"]:,} gateway
attempts), none skipped, dead or left pending. The run fails on any duplicate, row not
sent, error in the worker's or beat's log, or baseline error.{further_text}

CPU time during the main round, from /proc (the machine was
{u["machine_utilisation"]:.0%} busy):

{cpu_table}

### Where the time of one message goes

{profile_text}

### What limits throughput, and the fixes

{found_text or "Nothing found: every goal was met."}
""")


if __name__ == "__main__":
    sys.exit(main())
