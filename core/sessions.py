"""Expired sessions are deleted, not left in the database forever (issue 10, finding 10):
a session row holds who was signed in and, for a citizen, which bookings they may see."""

from __future__ import annotations

from datetime import datetime
from importlib import import_module

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.utils import timezone


def sessions_purge_expired(*, now: datetime | None = None, batch_size: int = 1000) -> int:
    """Delete sessions whose expiry has passed; returns how many rows went. Database
    sessions go in batches of `batch_size` keys, so a backlog never holds one long
    transaction; other engines do what Django's `clearsessions` does. A session renewed
    meanwhile is kept: each DELETE re-checks the expiry."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not issubclass(store, DatabaseSessionStore):
        store.clear_expired()
        return 0
    now = now or timezone.now()
    model = store.get_model_class()
    deleted = 0
    while True:
        keys = list(
            model.objects.filter(expire_date__lt=now).values_list("session_key", flat=True)[
                :batch_size
            ]
        )
        if not keys:
            return deleted
        deleted += model.objects.filter(session_key__in=keys, expire_date__lt=now).delete()[0]
