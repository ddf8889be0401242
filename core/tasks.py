from __future__ import annotations

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from core.idempotency import idempotency_purge as idempotency_purge_service

HEARTBEAT_KEY = "worker-heartbeat"


@shared_task(name="core.tasks.heartbeat", ignore_result=True)
def heartbeat() -> str:
    """Record that a worker ran a beat-scheduled task; /healthz/ reports its age."""
    now = timezone.now().isoformat()
    cache.set(HEARTBEAT_KEY, now, timeout=None)
    return now


@shared_task(name="core.tasks.idempotency_purge", ignore_result=True)
def idempotency_purge() -> int:
    """Forget Idempotency-Keys past their useful life (GILIRAN_IDEMPOTENCY_HOURS)."""
    return idempotency_purge_service()
