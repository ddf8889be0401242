"""Expired sessions are purged by a periodic task, in batches; live ones stay
(issue 10, finding 10)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from config.celery import app
from core.sessions import sessions_purge_expired
from core.tasks import purge_expired_sessions

pytestmark = pytest.mark.django_db


def _session(expires_in: timedelta) -> str:
    store = SessionStore()
    store["booking_ids"] = [1]
    store.set_expiry(timezone.now() + expires_in)
    store.save()
    assert store.session_key is not None
    return store.session_key


def test_the_hourly_task_deletes_expired_sessions_and_keeps_live_ones() -> None:
    expired = [_session(timedelta(seconds=-1)) for _ in range(5)]
    live = _session(timedelta(days=1))
    purge_expired_sessions.delay()
    assert list(Session.objects.values_list("session_key", flat=True)) == [live]
    assert not Session.objects.filter(session_key__in=expired).exists()


def test_a_backlog_goes_in_batches() -> None:
    for _ in range(7):
        _session(timedelta(seconds=-1))
    _session(timedelta(hours=1))
    assert sessions_purge_expired(batch_size=3) == 7
    assert Session.objects.count() == 1


def test_the_purge_is_in_the_beat_schedule() -> None:
    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "core.tasks.purge_expired_sessions" in tasks
