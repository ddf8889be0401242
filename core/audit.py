"""Record that a signed-in person read a row of personal data (django-auditlog's access
log). Only models registered with the audit log (audit/registry.py) are recorded."""

from __future__ import annotations

from typing import Any

from auditlog.signals import accessed


def record_access(instance: Any) -> None:
    accessed.send(sender=type(instance), instance=instance)
