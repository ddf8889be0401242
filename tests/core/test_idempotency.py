"""Idempotency-Key records are deleted by the retention job 24 hours after their request
(issue 10, finding 1)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import override_settings

from core.models import IdempotentRequest
from core.retention import retention_run

pytestmark = pytest.mark.django_db


@override_settings(GILIRAN_RETENTION_BATCH_SIZE=2)
def test_idempotency_keys_are_forgotten_after_24_hours_in_batches() -> None:
    start = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        for n in range(3):
            IdempotentRequest.objects.create(key=f"k{n}", scope="s", request_hash="h")
    with time_machine.travel(start + timedelta(hours=24), tick=False):
        assert retention_run().counts["core.IdempotentRequest"] == 0  # exactly 24 h: kept
    with time_machine.travel(start + timedelta(hours=24, seconds=1), tick=False):
        IdempotentRequest.objects.create(key="new", scope="s", request_hash="h")
        assert retention_run().counts["core.IdempotentRequest"] == 3
        assert retention_run().counts["core.IdempotentRequest"] == 0  # nothing left to do
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["new"]
