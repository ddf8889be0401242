"""Reading the audit log: supervisors see their offices' entries, national
administrators see everything."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.utils import timezone

from offices.models import Role
from offices.permissions import offices_for


@dataclass(frozen=True)
class AuditFilter:
    who: str = ""
    what: int | None = None  # a content type id
    action: int | None = None
    since: date | None = None
    until: date | None = None
    target: str = ""  # an object id or part of its name (a booking code)


def audit_models() -> list[ContentType]:
    models = auditlog.get_models()
    types = ContentType.objects.get_for_models(*models)
    return sorted(types.values(), key=lambda ct: str(ct.model_class()._meta.verbose_name))  # type: ignore[union-attr]


def audit_entries(*, user: User, filters: AuditFilter) -> QuerySet[LogEntry]:
    entries = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp")
    if not user.is_superuser:
        office_ids = list(offices_for(user, at_least=Role.SUPERVISOR).values_list("pk", flat=True))
        entries = entries.filter(additional_data__office_id__in=office_ids)
    if filters.who:
        entries = entries.filter(
            Q(actor__username__icontains=filters.who) | Q(actor_email__icontains=filters.who)
        )
    if filters.what is not None:
        entries = entries.filter(content_type_id=filters.what)
    if filters.action is not None:
        entries = entries.filter(action=filters.action)
    if filters.since is not None:
        entries = entries.filter(timestamp__gte=_start_of(filters.since))
    if filters.until is not None:
        entries = entries.filter(timestamp__lt=_start_of(filters.until + timedelta(days=1)))
    if filters.target:
        entries = entries.filter(
            Q(object_pk=filters.target) | Q(object_repr__icontains=filters.target)
        )
    return entries


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())
