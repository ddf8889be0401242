"""The audit log is kept GILIRAN_RETENTION_AUDIT_DAYS (730) after each recorded action,
long enough to investigate a breach found late, and then deleted by the hourly retention
job: to the second, in bounded batches, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model

from booking.models import Booking
from core.models import RetentionRun
from core.retention import retention_run
from tests.core.test_retention import JAKARTA_DUE, _visit

pytestmark = pytest.mark.django_db

# A staff account created (an audited change) at 09:00 WIB on 5 January 2026.
ACTION = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
# 730 days later.
DUE = datetime(2028, 1, 5, 2, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


@pytest.fixture(autouse=True)
def _retention_settings(settings: Any) -> None:
    settings.GILIRAN_RETENTION_AUDIT_DAYS = 730
    settings.GILIRAN_RETENTION_BATCH_SIZE = 500
    settings.GILIRAN_RETENTION_MAX_BATCHES = 100


def _staff_created_at(moment: datetime, username: str = "budi") -> LogEntry:
    with time_machine.travel(moment, tick=False):
        user = get_user_model().objects.create_user(username, email=f"{username}@kantor.go.id")
    return LogEntry.objects.get_for_object(user).get(action=LogEntry.Action.CREATE)


def _run_at(moment: datetime) -> RetentionRun:
    with time_machine.travel(moment, tick=False):
        return retention_run()


def test_an_audit_entry_is_kept_until_730_days_after_the_action() -> None:
    entry = _staff_created_at(ACTION)
    assert entry.timestamp == ACTION

    run = _run_at(DUE - SECOND)

    assert run.counts["auditlog.LogEntry"] == 0
    assert LogEntry.objects.filter(pk=entry.pk).exists()


def test_an_audit_entry_is_deleted_730_days_after_the_action() -> None:
    old = _staff_created_at(ACTION)
    newer = _staff_created_at(ACTION + SECOND, username="sari")

    run = _run_at(DUE)

    assert run.counts["auditlog.LogEntry"] == 1
    assert not LogEntry.objects.filter(pk=old.pk).exists()
    assert LogEntry.objects.filter(pk=newer.pk).exists()


def test_audit_retention_follows_its_setting(settings: Any) -> None:
    settings.GILIRAN_RETENTION_AUDIT_DAYS = 30
    entry = _staff_created_at(ACTION)

    _run_at(ACTION + timedelta(days=30) - SECOND)
    assert LogEntry.objects.filter(pk=entry.pk).exists()
    _run_at(ACTION + timedelta(days=30))
    assert not LogEntry.objects.filter(pk=entry.pk).exists()


def test_old_entries_go_in_bounded_batches_and_a_second_run_deletes_nothing_more(
    settings: Any,
) -> None:
    settings.GILIRAN_RETENTION_BATCH_SIZE = 2
    settings.GILIRAN_RETENTION_MAX_BATCHES = 2
    for n in range(5):
        _staff_created_at(ACTION + n * SECOND, username=f"petugas{n}")
    kept = _staff_created_at(DUE, username="baru")

    assert _run_at(DUE + 5 * SECOND).counts["auditlog.LogEntry"] == 4
    assert _run_at(DUE + 6 * SECOND).counts["auditlog.LogEntry"] == 1
    assert _run_at(DUE + 7 * SECOND).counts["auditlog.LogEntry"] == 0
    assert list(LogEntry.objects.values_list("pk", flat=True)) == [kept.pk]


def test_anonymising_a_booking_copies_nothing_erased_into_the_audit_log(
    jakarta_office: Any,
) -> None:
    # The log keeps what it recorded for two years; the retention job must not add an
    # entry carrying the name and contact it erases from the booking.
    with time_machine.travel(ACTION, tick=False):
        booking = _visit(jakarta_office)
    before = list(LogEntry.objects.get_for_object(booking).values_list("pk", flat=True))

    assert _run_at(JAKARTA_DUE + SECOND).counts["booking.Booking"] == 1

    booking.refresh_from_db()
    assert booking.anonymised_at is not None and booking.full_name == ""
    after = LogEntry.objects.get_for_object(Booking.objects.get(pk=booking.pk))
    assert list(after.values_list("pk", flat=True)) == before
