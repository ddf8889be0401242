"""The data map of the audit log (django-auditlog's LogEntry) and its retention
(core/data_map.py explains the mechanism).

An entry holds what changed (citizens' names and contacts included, never a NIK: see
audit/registry.py), who did it and from which address. It is kept for
GILIRAN_RETENTION_AUDIT_DAYS (730) after the recorded action, longer than the rows it
describes, so a misuse or a breach found late can still be traced; then the row is
deleted."""

from __future__ import annotations

from datetime import datetime, timedelta

from auditlog.models import LogEntry
from django.utils.translation import gettext_lazy as _

from core.data_map import (
    AtEnd,
    Category,
    LegalBasis,
    Personal,
    RetentionPolicy,
    personal_data,
    register_anonymiser,
)
from core.retention import delete_batch

AUDIT = RetentionPolicy(
    key="audit",
    label=_("Audit log"),
    after=_("the recorded action"),
    setting="GILIRAN_RETENTION_AUDIT_DAYS",
    default_days=730,
)

_TRACE = _(
    "show who read or changed personal data and the catalog, when and from where, "
    "to investigate misuse or a breach"
)


def _audit(category: Category) -> Personal:
    return Personal(
        category=category,
        purpose=_TRACE,
        basis=LegalBasis.LEGAL_OBLIGATION,
        retention=AUDIT,
        at_end=AtEnd.ROW_DELETED,
    )


personal_data(
    LogEntry,
    fields={
        "object_pk": _audit(Category.TECHNICAL),
        "object_id": _audit(Category.TECHNICAL),
        "object_repr": _audit(Category.IDENTITY),
        "changes": _audit(Category.IDENTITY),
        "changes_text": _audit(Category.IDENTITY),
        "serialized_data": _audit(Category.IDENTITY),
        "actor": _audit(Category.ACCOUNT),
        "actor_email": _audit(Category.CONTACT),
        "remote_addr": _audit(Category.TECHNICAL),
        "remote_port": _audit(Category.TECHNICAL),
        "cid": _audit(Category.TECHNICAL),
        "timestamp": _audit(Category.BEHAVIOURAL),
    },
    not_personal={
        "additional_data": _(
            "the id of the office the entry belongs to, which limits who may read it"
        )
    },
)


def delete_old_entries(*, now: datetime, batch_size: int) -> int:
    """Delete at most `batch_size` audit entries recorded at least the audit retention
    ago (an entry of time T goes at T + GILIRAN_RETENTION_AUDIT_DAYS)."""
    cutoff = now - timedelta(days=AUDIT.days or 0)
    return delete_batch(due=LogEntry.objects.filter(timestamp__lte=cutoff), batch_size=batch_size)


register_anonymiser("auditlog.LogEntry", policy=AUDIT, run=delete_old_entries)
