"""Retention: a closed complaint's text, answer and contact are erased after
GILIRAN_RETENTION_COMPLAINT_DAYS; open ones and recent ones are kept."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from complaints.models import Complaint, ComplaintPhoto
from complaints.privacy import erase_old_complaints
from complaints.services import complaint_answer, complaint_close
from core.data_map import personal_fields
from tests.complaints.conftest import file

pytestmark = pytest.mark.django_db


def test_closed_complaints_lose_their_personal_data_after_the_retention(
    jakarta_office: Any, supervisor: Any, settings: Any
) -> None:
    settings.GILIRAN_RETENTION_COMPLAINT_DAYS = 30
    old = file(jakarta_office, photo=b"\x89PNG\r\n\x1a\n" + b"\x00" * 20).complaint
    complaint_answer(complaint=old, by=supervisor, answer="Sudah ditangani.")
    complaint_close(complaint=old, by=supervisor, now=timezone.now() - timedelta(days=31))
    recent = file(jakarta_office).complaint
    complaint_answer(complaint=recent, by=supervisor, answer="Sudah ditangani.")
    complaint_close(complaint=recent, by=supervisor)
    still_open = file(jakarta_office).complaint

    assert erase_old_complaints(now=timezone.now(), batch_size=100) == 1
    assert erase_old_complaints(now=timezone.now(), batch_size=100) == 0
    old.refresh_from_db()
    assert old.text == old.answer == old.contact_encrypted == old.contact_hash == ""
    assert old.anonymised_at is not None and old.number and old.category == "service_delay"
    assert old.events.filter(kind="erased").count() == 1
    assert not ComplaintPhoto.objects.exists()
    for kept in (recent, still_open):
        kept.refresh_from_db()
        assert kept.text and kept.contact_encrypted and kept.anonymised_at is None
    assert Complaint.objects.filter(anonymised_at__isnull=True).count() == 2


def test_the_personal_fields_are_in_the_data_map() -> None:
    assert {"text", "answer", "contact_encrypted", "contact_hash", "assignee"} <= set(
        personal_fields(Complaint)
    )
