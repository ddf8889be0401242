"""A deletion request blanks what the audit log recorded of the citizen's rows; who
acted and when stays, and other citizens' entries are untouched."""

from __future__ import annotations

import json
from typing import Any

import pytest
from auditlog.models import LogEntry

from booking.models import Booking, Channel
from privacy.models import RequestKind
from privacy.services.proof import Contact
from privacy.services.requests import data_request_complete, data_request_file
from tests.privacy.conftest import budi_booking, denpasar_slot, siti_booking, siti_hash

__all__ = ["budi_booking", "denpasar_slot", "siti_booking", "siti_hash"]

pytestmark = pytest.mark.django_db


def test_a_deletion_request_blanks_the_citizens_audit_entries_and_keeps_others(
    siti_booking: Booking,
    siti_hash: str,
    budi_booking: Booking,
    supervisor: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    siti_entries = LogEntry.objects.get_for_object(siti_booking)
    assert "S*** R***" in json.dumps(list(siti_entries.values_list("changes", flat=True)))
    request = data_request_file(
        nik_hash=siti_hash,
        kind=RequestKind.DELETION,
        contact=Contact(Channel.EMAIL, "siti@example.id"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        data_request_complete(request=request, staff=supervisor)

    entries = LogEntry.objects.get_for_object(siti_booking)
    assert entries.filter(action=LogEntry.Action.CREATE).exists()  # the trail stays…
    text = json.dumps([[e.changes, e.changes_text, e.serialized_data] for e in entries])
    for erased in ["S***", "R***", "s***@", "+6281"]:  # …its contents do not
        assert erased not in text
    budi = LogEntry.objects.get_for_object(budi_booking).get(action=LogEntry.Action.CREATE)
    assert budi.changes["full_name"][1] == "B*** S***"
