"""Writing to the audit log outside auditlog's own signals."""

from __future__ import annotations

from collections.abc import Iterable

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q


def audit_entries_erase(objects: Iterable[Model]) -> int:
    """Blank what the log recorded of `objects` (a citizen's rows, on their deletion
    request): the changed values and any serialized copy go; who acted, when, from
    where and on which row stay. Returns the number of entries blanked."""
    keys: dict[int, set[str]] = {}
    for obj in objects:
        content_type = ContentType.objects.get_for_model(obj)
        keys.setdefault(content_type.pk, set()).add(str(obj.pk))
    if not keys:
        return 0
    match = Q()
    for content_type_id, pks in keys.items():
        match |= Q(content_type_id=content_type_id, object_pk__in=pks)
    return LogEntry.objects.filter(match).update(changes={}, changes_text="", serialized_data=None)
