"""Idempotency-Key records are purged after their useful life (issue 10, finding 1)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from core.idempotency import idempotency_purge
from core.models import IdempotentRequest

pytestmark = pytest.mark.django_db


def test_idempotency_keys_are_forgotten_after_24_hours_in_batches() -> None:
    start = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        for n in range(3):
            IdempotentRequest.objects.create(key=f"k{n}", scope="s", request_hash="h")
    with time_machine.travel(start + timedelta(hours=24), tick=False):
        assert idempotency_purge(batch_size=2) == 0  # exactly 24 hours: still useful
    with time_machine.travel(start + timedelta(hours=24, seconds=1), tick=False):
        IdempotentRequest.objects.create(key="new", scope="s", request_hash="h")
        assert idempotency_purge(batch_size=2) == 3
        assert idempotency_purge(batch_size=2) == 0  # a second run finds nothing
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["new"]


def test_the_purge_is_scheduled_in_the_one_beat_schedule() -> None:
    from config.celery import app

    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "core.tasks.idempotency_purge" in tasks
