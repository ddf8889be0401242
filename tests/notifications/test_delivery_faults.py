"""The outbox under faults: each message reaches the citizen exactly once although
workers die mid-send, the broker loses everything it held, and two beats sweep at once.

Everything is real: PostgreSQL (the test database, committed rows), Redis, Celery
worker and beat processes started as in production (tests/processes.py), and an HTTP
gateway (tests/fake_gateway.py) in this process that records what a citizen would
receive. The gateway deduplicates by Idempotency-Key like a real one; it also counts
raw re-posts, so a test sees both what was delivered (must be each row once) and what
was repeated on the wire (only a send cut off by a kill may be).

Nothing is sent from this process: the autouse fixture's eager mode is switched off
where a test publishes tasks, and rows created with the ORM queue no task at all."""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone

from config.celery import app as celery_app
from notifications.models import Message, MessageChannel, MessageStatus
from notifications.services.outbox import Recipient, SentOutcomes, message_queue
from notifications.tasks import outbox_dispatch_message_task
from queueing.messages import TicketMessageKind
from tests.fake_gateway import FakeGateway
from tests.processes import (
    celery_beat,
    celery_worker,
    free_port,
    kill_group,
    kill_now,
    project_env,
    redis_server,
    wait_for,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]

# A short lease, so rows orphaned by a killed worker are taken over within seconds.
SHORT_LEASE = "3"
# Long enough for the slowest path on a loaded 2-core machine: a whole backlog retried.
FINISH_TIMEOUT = 150.0


# --- fixtures ---------------------------------------------------------------------------


@pytest.fixture
def gateway() -> Iterator[FakeGateway]:
    """A gateway that takes 10 ms per request, so dispatch lasts long enough to be hit."""
    with FakeGateway(delay=0.01) as running:
        yield running


@pytest.fixture
def shared_redis() -> Iterator[str]:
    """The broker of REDIS_URL (a database the tests own), emptied before and after:
    tasks left by an earlier run would reach this test's workers, including those a
    killed worker left unacknowledged, which kombu restores to the queue an hour later
    (a queue purge does not remove them)."""
    url = str(celery_app.conf.broker_url)
    assert url.startswith("redis://"), f"this process publishes tasks to {url}"
    broker = redis.Redis.from_url(url)
    broker.flushdb()
    yield url
    broker.flushdb()


@pytest.fixture
def tasks_leave_this_process() -> Iterator[None]:
    """Tasks go to the broker, as in the web process, instead of running inline here."""
    celery_app.conf.task_always_eager = False
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = True


# --- helpers ----------------------------------------------------------------------------


def database_url_for_processes() -> str:
    """The database this test writes to, as a DATABASE_URL for the processes it starts."""
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{quote(db['USER'], safe='')}{password}@{host}{port}/{db['NAME']}"


def process_env(tmp_path: Path, gateway: FakeGateway, broker: str, **extra: str) -> dict[str, str]:
    """Environment for worker and beat: the test database, `broker`, the fake gateway,
    no console fallback (a message that cannot reach the gateway must not count as sent)
    and a sweep every second."""
    return project_env(
        DATABASE_URL=database_url_for_processes(),
        CELERY_BROKER_URL=broker,
        REDIS_URL=broker,
        GILIRAN_VAR_DIR=str(tmp_path),
        GILIRAN_CONSOLE_MESSAGES="0",
        GILIRAN_SMS_GATEWAY_URL=gateway.url,
        GILIRAN_SMS_GATEWAY_TOKEN="fault-test",
        GILIRAN_OUTBOX_SWEEP_SECONDS="1",
        **extra,
    )


def survey_context(n: int) -> dict[str, str]:
    """Everything templates/notifications/survey*.txt use; distinct text per citizen, so
    the gateway would tell two deliveries of one message from two messages."""
    return {
        "reference": f"S{n:05d}",
        "office": "Kantor Imigrasi Jakarta Pusat",
        "survey_url": f"https://giliran.example/survei/{n}",
    }


def survey_phone(n: int) -> str:
    return f"+62812{n:07d}"


def queue_after_commit(numbers: range) -> None:
    """Queue surveys as a change would: in its transaction, each row's dispatch task sent
    to the broker once it commits (notifications.services.outbox.message_queue)."""
    with transaction.atomic():
        for n in numbers:
            message_queue(
                kind=TicketMessageKind.SURVEY,
                dedup_key=f"fault:{n}",
                recipient=Recipient(channel="sms", address=survey_phone(n), language="id"),
                context=survey_context(n),
            )


def create_due(numbers: range) -> list[int]:
    """Rows already due and no task for them (a reminder whose moment came): only the
    sweeper can send these. Returns their ids."""
    now = timezone.now()
    rows = Message.objects.bulk_create(
        Message(
            dedup_key=f"fault:{n}",
            kind=TicketMessageKind.SURVEY,
            channel=MessageChannel.SMS,
            recipient=survey_phone(n),
            language="id",
            context=survey_context(n),
            due_at=now - timedelta(seconds=1),
        )
        for n in numbers
    )
    return [row.pk for row in rows]


def publish_dispatch(broker: str, ids: list[int]) -> None:
    """Send one dispatch task per row to `broker`, as the commits that queued them would."""
    with celery_app.connection_for_write(broker) as broker_connection:
        for pk in ids:
            celery_app.send_task(
                outbox_dispatch_message_task.name, args=(pk,), connection=broker_connection
            )


def unsent() -> int:
    return Message.objects.exclude(status=MessageStatus.SENT).count()


def raw_requests(gateway: FakeGateway) -> int:
    return gateway.stats()["raw_requests"]


def situation(gateway: FakeGateway, tmp_path: Path) -> str:
    """What a failed assertion should show: rows by status, the gateway's counts, and
    the end of the latest process logs."""
    statuses = dict(
        Message.objects.order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    recent = sorted(tmp_path.glob("*.log"), key=lambda log: log.stat().st_mtime)[-4:]
    logs = "\n".join(f"--- {log.name}\n{log.read_text()[-2500:]}" for log in recent)
    return f"rows: {statuses}\ngateway: {gateway.stats()}\n{logs}"


def assert_each_row_delivered_once(gateway: FakeGateway, tmp_path: Path, count: int) -> None:
    """Every row SENT with the gateway's reference, and the gateway delivered exactly
    one message per row: none lost, none twice."""
    assert unsent() == 0, situation(gateway, tmp_path)
    assert Message.objects.count() == count
    for pk, provider_ref in Message.objects.values_list("pk", "provider_ref"):
        assert provider_ref == f"fake-giliran-{pk}"
    assert len(gateway.delivered) == count, situation(gateway, tmp_path)
    assert gateway.duplicates_delivered() == 0, situation(gateway, tmp_path)


def wait_for_progress(gateway: FakeGateway, requests: int) -> None:
    """Wait until `requests` more requests reached the gateway: a worker is sending."""
    target = raw_requests(gateway) + requests
    assert wait_for(lambda: raw_requests(gateway) >= target, timeout=60, every=0.005), (
        f"the gateway got no new request: {gateway.stats()}"
    )


def kill_workers_mid_dispatch(
    env: dict[str, str], gateway: FakeGateway, names: range, *, sends: int = 10
) -> None:
    """For each name: start a worker, let it send `sends` messages, SIGKILL it mid-send."""
    for name in names:
        with celery_worker(env, pool="prefork", name=f"worker-{name:02d}") as worker:
            wait_for_progress(gateway, requests=sends)
            kill_group(worker)


def task_cut_off(log: Path) -> str:
    """The task a killed worker was running: the last one its log says it received."""
    received = re.findall(r"Task notifications\.tasks\.(\w+)\[[^\]]+\] received", log.read_text())
    return received[-1] if received else "none"


def sweeps_handled(log: Path) -> int:
    """Rows a worker's sweeps claimed, summed from its log ("… succeeded in 0.5s: 42")."""
    pattern = r"Task notifications\.tasks\.outbox_sweep\[[^\]]+\] succeeded in [^:]+: (\d+)"
    return sum(int(n) for n in re.findall(pattern, log.read_text()))


# --- the faults -------------------------------------------------------------------------


def test_killing_the_worker_30_times_mid_dispatch_loses_nothing_and_delivers_nothing_twice(
    tmp_path: Path, gateway: FakeGateway, shared_redis: str, tasks_leave_this_process: None
) -> None:
    """15 kills hit the path taken right after a commit (one dispatch task per row),
    then, with beat started, 15 hit the sweeper (batches of up to 100 claimed rows: a
    kill orphans the rest of its batch until the lease ends).

    Each kill SIGKILLs the whole worker (its main process and the pool process that is
    sending) and a new worker takes over, one at a time: the task it held dies with it,
    unacknowledged. (Killing only the pool process makes the same point but costs up to
    5 s per kill: billiard often notices the death only on its 5-second timer.)"""
    after_commit, by_schedule, kills = 200, 300, 30
    count = after_commit + by_schedule
    env = process_env(tmp_path, gateway, shared_redis, GILIRAN_OUTBOX_LEASE_SECONDS=SHORT_LEASE)
    started = time.monotonic()
    queue_after_commit(range(after_commit))
    create_due(range(after_commit, count))
    # A worker sends a few more before its SIGKILL lands (about 13 for 10 on an idle
    # machine) and holds one task more: 8 a kill leave the 15th worker rows to send (with
    # 10, the 200 once ran dry), and few enough that the kills below hit the sweeper.
    kill_workers_mid_dispatch(env, gateway, names=range(kills // 2), sends=8)
    with celery_beat(env):
        kill_workers_mid_dispatch(env, gateway, names=range(kills // 2, kills))
        with celery_worker(env, pool="prefork", name="worker-last"):
            assert wait_for(lambda: unsent() == 0, timeout=FINISH_TIMEOUT), situation(
                gateway, tmp_path
            )
    assert_each_row_delivered_once(gateway, tmp_path, count)
    # Only sends cut off by a kill (posted, their outcome not yet recorded) may be
    # re-posted: at most one batch of outcomes per kill (SentOutcomes.FLUSH_EVERY).
    repeated = gateway.repeated_requests()
    assert repeated <= kills * SentOutcomes.FLUSH_EVERY, situation(gateway, tmp_path)
    cut_off = Counter(task_cut_off(log) for log in tmp_path.glob("worker-[0-9]*.log"))
    assert cut_off["outbox_dispatch_message"] >= 5, cut_off
    assert cut_off["outbox_sweep"] >= 5, cut_off
    taken_over = Message.objects.filter(claims__gt=1).count()
    most_claims = Message.objects.aggregate(most=Max("claims"))["most"]
    print(
        f"\n{kills} kills ({dict(cut_off)}), {repeated} repeated requests, "
        f"{taken_over} rows taken over (claimed up to {most_claims} times), "
        f"{time.monotonic() - started:.1f} s"
    )


def test_restarting_redis_mid_dispatch_loses_nothing(
    tmp_path: Path, gateway: FakeGateway, tasks_leave_this_process: None
) -> None:
    """Redis without persistence restarts empty: the dispatch tasks it held are gone.
    Worker and beat reconnect, and the sweeper delivers those rows from the outbox."""
    count, port = 400, free_port()
    broker = f"redis://127.0.0.1:{port}/0"
    env = process_env(tmp_path, gateway, broker, GILIRAN_OUTBOX_LEASE_SECONDS=SHORT_LEASE)
    ids = create_due(range(count))
    worker_log = tmp_path / "worker.log"
    with ExitStack() as servers:  # the Redis restarted below outlives worker and beat
        first_redis = servers.enter_context(redis_server(tmp_path, port))
        publish_dispatch(broker, ids)
        with celery_worker(env, pool="prefork"), celery_beat(env) as beat:
            assert wait_for(lambda: len(gateway.delivered) >= count // 4, timeout=60), situation(
                gateway, tmp_path
            )
            kill_now(first_redis.pid)  # a crash: the queued tasks die with it
            first_redis.wait()
            # The outage is real to the worker: it lost Redis and failed to reconnect.
            assert wait_for(lambda: "Cannot connect to redis" in worker_log.read_text()), situation(
                gateway, tmp_path
            )
            delivered_before_restart = len(gateway.delivered)
            servers.enter_context(redis_server(tmp_path, port))
            assert wait_for(lambda: unsent() == 0, timeout=FINISH_TIMEOUT), situation(
                gateway, tmp_path
            )
            assert beat.poll() is None, "beat did not survive the outage"
    assert delivered_before_restart < count, "nothing was left to resume"
    assert_each_row_delivered_once(gateway, tmp_path, count)
    print(
        f"\n{delivered_before_restart} delivered before the restart, "
        f"{gateway.repeated_requests()} repeated requests"
    )


def test_two_beats_at_once_send_nothing_twice(
    tmp_path: Path, gateway: FakeGateway, shared_redis: str
) -> None:
    """Two beat processes (the classic deployment mistake) each send a sweep every
    second to two workers: the sweeps run in parallel, and the claim gives each row to
    exactly one of them, so not even a raw request is repeated."""
    count = 600
    env = process_env(tmp_path, gateway, shared_redis)  # the default lease: 300 s
    create_due(range(count))
    with (
        celery_worker(env, pool="prefork", name="worker-a"),
        celery_worker(env, pool="prefork", name="worker-b"),
        celery_beat(env, name="beat-a"),
        celery_beat(env, name="beat-b"),
    ):
        assert wait_for(lambda: unsent() == 0, timeout=FINISH_TIMEOUT), situation(gateway, tmp_path)
    assert_each_row_delivered_once(gateway, tmp_path, count)
    assert gateway.repeated_requests() == 0, situation(gateway, tmp_path)
    for beat in ("beat-a", "beat-b"):
        assert "Sending due task outbox-sweep" in (tmp_path / f"{beat}.log").read_text()
    handled = {w: sweeps_handled(tmp_path / f"{w}.log") for w in ("worker-a", "worker-b")}
    # Each row claimed exactly once, and by both workers: the sweeps did run side by side.
    assert sum(handled.values()) == count, handled
    assert all(handled.values()), handled
    print(f"\nrows swept per worker: {handled}")
