"""Celery edges of the outbox: each task takes an id (or nothing) and calls a service.

Both are safe to run twice or in parallel: delivery goes through the outbox claim."""

from __future__ import annotations

from celery import shared_task

from notifications.services.outbox import outbox_dispatch_due, outbox_dispatch_message


@shared_task(name="notifications.tasks.outbox_dispatch_message", ignore_result=True)
def outbox_dispatch_message_task(message_id: int) -> str | None:
    """Sent right after the transaction that queued the message commits."""
    return outbox_dispatch_message(message_id=message_id)


@shared_task(name="notifications.tasks.outbox_sweep", ignore_result=True)
def outbox_sweep() -> int:
    """Periodic: deliver everything due (reminders), retries, and rows whose worker died."""
    return outbox_dispatch_due()
