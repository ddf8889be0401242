"""Expired sessions are deleted by the hourly retention job, in batches; live ones stay
(issue 10, finding 10)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import override_settings
from django.utils import timezone

from core.tasks import retention_run

pytestmark = pytest.mark.django_db


def _session(expires_in: timedelta) -> str:
    store = SessionStore()
    store["booking_ids"] = [1]
    store.set_expiry(timezone.now() + expires_in)
    store.save()
    assert store.session_key is not None
    return store.session_key


def test_the_retention_job_deletes_expired_sessions_and_keeps_live_ones() -> None:
    expired = [_session(timedelta(seconds=-1)) for _ in range(5)]
    live = _session(timedelta(days=1))
    retention_run.delay()
    assert list(Session.objects.values_list("session_key", flat=True)) == [live]
    assert not Session.objects.filter(session_key__in=expired).exists()


@override_settings(GILIRAN_RETENTION_BATCH_SIZE=3)
def test_a_backlog_goes_in_batches() -> None:
    for _ in range(7):
        _session(timedelta(seconds=-1))
    _session(timedelta(hours=1))
    run = retention_run.delay().get()
    assert run == 7
    assert Session.objects.count() == 1
