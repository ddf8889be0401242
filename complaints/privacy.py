"""The data map of complaints and their retention (core/data_map.py explains the
mechanism).

A complaint holds no NIK: the citizen is known by the contact they chose to give (or
not at all). The text, the answer and the contact serve handling the complaint and
proving it was answered (UU 25/2009 on public services obliges offices to manage
complaints), so they are kept for GILIRAN_RETENTION_COMPLAINT_DAYS (365) after closing,
then erased; the number, office, category, status and dates stay as a statistic."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils.translation import gettext_lazy as _

from complaints.models import (
    Complaint,
    ComplaintEvent,
    ComplaintPhoto,
    ComplaintStatus,
    EventKind,
)
from core.data_map import (
    STAFF_ACTION,
    AtEnd,
    Category,
    LegalBasis,
    Personal,
    RetentionPolicy,
    personal_data,
    register_anonymiser,
)
from core.retention import anonymise_batch

COMPLAINTS = RetentionPolicy(
    key="complaints",
    label=_("Complaints"),
    after=_("the complaint is closed"),
    setting="GILIRAN_RETENTION_COMPLAINT_DAYS",
    default_days=365,
)

_HANDLE = _("handle a citizen's complaint, tell them its progress and prove it was answered")


def _tag(category: Category) -> Personal:
    return Personal(
        category=category,
        purpose=_HANDLE,
        basis=LegalBasis.LEGAL_OBLIGATION,
        retention=COMPLAINTS,
        at_end=AtEnd.ERASED,
    )


personal_data(
    Complaint,
    fields={
        "text": _tag(Category.FREE_TEXT),
        "answer": _tag(Category.FREE_TEXT),
        "contact_encrypted": _tag(Category.CONTACT),
        "contact_hash": _tag(Category.CONTACT),
        "assignee": STAFF_ACTION,
    },
    not_personal={
        "access_key_hash": _("a keyed hash of the random access key, not of the citizen"),
    },
)
personal_data(ComplaintEvent, fields={"staff": STAFF_ACTION})
personal_data(
    ComplaintPhoto,
    fields={
        "data": Personal(
            category=Category.FREE_TEXT,
            purpose=_HANDLE,
            basis=LegalBasis.LEGAL_OBLIGATION,
            retention=COMPLAINTS,
            at_end=AtEnd.ROW_DELETED,
        )
    },
    not_personal={"content_type": _("the image format")},
)


def erase_old_complaints(*, now: datetime, batch_size: int) -> int:
    """Erase the text, answer and contact of complaints closed before the retention (a
    trail entry says so); open and answered complaints are never due."""
    cutoff = now - timedelta(days=COMPLAINTS.days or 0)
    return anonymise_batch(
        due=Complaint.objects.filter(status=ComplaintStatus.CLOSED, closed_at__lte=cutoff),
        values={"text": "", "answer": "", "contact_encrypted": "", "contact_hash": ""},
        now=now,
        batch_size=batch_size,
        also=lambda ids: _erase_related(ids, now),
    )


def _erase_related(ids: list[int], now: datetime) -> None:
    ComplaintPhoto.objects.filter(complaint_id__in=ids).delete()
    ComplaintEvent.objects.bulk_create(
        [ComplaintEvent(complaint_id=pk, kind=EventKind.ERASED, at=now) for pk in ids]
    )


register_anonymiser("complaints.Complaint", policy=COMPLAINTS, run=erase_old_complaints)
