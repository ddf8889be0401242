"""Complaints in the audit log (audit/registry.py explains what is recorded): every
change of a complaint, and each time staff open one. The citizen's words, the answer
and the contact stay out of the log (they are erased after the retention; the log
would outlive that); the secret's hash is never logged. A pungli report's entries carry
no office, so the office's supervisors do not find them in their audit search."""

from __future__ import annotations

from auditlog.registry import auditlog

from audit.registry import OFFICE_OF
from complaints.models import Complaint


def _office_of(complaint: Complaint) -> int | None:
    return None if complaint.pungli else complaint.office_id


def _additional_data(instance: Complaint) -> dict[str, int | None]:
    return {"office_id": _office_of(instance)}


def register() -> None:
    auditlog.register(
        Complaint,
        exclude_fields=[
            "text",
            "answer",
            "contact_encrypted",
            "contact_hash",
            "access_key_hash",
            "lookup_failures",
        ],
    )
    OFFICE_OF[Complaint] = _office_of
    Complaint.get_additional_data = _additional_data  # type: ignore[attr-defined]
