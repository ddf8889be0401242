"""Record in the audit log (django-auditlog) what its signals cannot see: a signed-in
person reading a row of personal data, and a change written with QuerySet.update().
Only models registered with the audit log (audit/registry.py) are recorded."""

from __future__ import annotations

from typing import Any

from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from auditlog.signals import accessed
from django.conf import settings
from django.db.models import Model


def record_access(instance: Any) -> None:
    accessed.send(sender=type(instance), instance=instance)


def record_update(before: Model, after: Model) -> None:
    """Record the change from `before` to `after` (a copy of the row taken before a
    QuerySet.update() and the row read back) as save() would: the same excluded and
    masked fields, the actor and address of the current request, the row's office."""
    if not auditlog.contains(type(after)):
        return
    changes = model_instance_diff(
        before, after, use_json_for_changes=settings.AUDITLOG_STORE_JSON_CHANGES
    )
    if changes:
        LogEntry.objects.log_create(after, action=LogEntry.Action.UPDATE, changes=changes)
