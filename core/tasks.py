from __future__ import annotations

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from core.sessions import sessions_purge_expired

HEARTBEAT_KEY = "worker-heartbeat"


@shared_task(name="core.tasks.heartbeat", ignore_result=True)
def heartbeat() -> str:
    """Record that a worker ran a beat-scheduled task; /healthz/ reports its age."""
    now = timezone.now().isoformat()
    cache.set(HEARTBEAT_KEY, now, timeout=None)
    return now


@shared_task(name="core.tasks.purge_expired_sessions", ignore_result=True)
def purge_expired_sessions() -> int:
    """Delete expired sessions (Django's `clearsessions`, in batches); beat runs it hourly."""
    return sessions_purge_expired()
