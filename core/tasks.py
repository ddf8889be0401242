from __future__ import annotations

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from core import retention

HEARTBEAT_KEY = "worker-heartbeat"


@shared_task(name="core.tasks.heartbeat", ignore_result=True)
def heartbeat() -> str:
    """Record that a worker ran a beat-scheduled task; /healthz/ reports its age."""
    now = timezone.now().isoformat()
    cache.set(HEARTBEAT_KEY, now, timeout=None)
    return now


@shared_task(name="core.tasks.retention_run", ignore_result=True)
def retention_run() -> int:
    """Anonymise what is past its retention (core.retention); returns the rows changed."""
    return retention.retention_run().total
