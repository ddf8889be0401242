"""Two retention workers at once on real PostgreSQL (two beat processes started by
mistake, or a run still going when the next hour's starts): they take disjoint batches,
every row is anonymised exactly once, and neither waits for nor fails the other."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from booking.models import Booking, BookingStatus
from core.models import RetentionRun
from core.retention import retention_run
from tests.core.test_retention import JAKARTA_DUE, SECOND, _visit

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WORKERS = 4
ROWS = 120


def test_parallel_runs_anonymise_each_booking_once(jakarta_office: Any, settings: Any) -> None:
    settings.GILIRAN_RETENTION_VISIT_DAYS = 90
    settings.GILIRAN_RETENTION_BATCH_SIZE = 7
    settings.GILIRAN_RETENTION_MAX_BATCHES = 1000
    for n in range(ROWS):
        _visit(jakarta_office, status=BookingStatus.CANCELLED, nik=f"3171014501{n:06d}")
    barrier = threading.Barrier(WORKERS)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(timeout=30)
            retention_run(now=JAKARTA_DUE + SECOND)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    runs = list(RetentionRun.objects.all())
    assert len(runs) == WORKERS
    assert sum(run.counts["booking.Booking"] for run in runs) == ROWS
    assert not Booking.objects.filter(anonymised_at__isnull=True).exists()
    assert not Booking.objects.exclude(nik_hash="").exists()
