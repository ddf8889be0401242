"""Answered personal-data requests and their trail are deleted by the retention job
GILIRAN_RETENTION_DATA_REQUEST_DAYS after the answer; open ones are never due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from booking.models import Booking, Channel
from core.retention import retention_run
from privacy.models import DataEvent, DataRequest, RequestKind, RequestStatus
from privacy.services.proof import Contact
from privacy.services.requests import data_request_file

pytestmark = pytest.mark.django_db

ANSWERED = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


def _request(nik_hash: str, *, answered: bool) -> DataRequest:
    request = data_request_file(
        nik_hash=nik_hash,
        kind=RequestKind.DELETION,
        contact=Contact(Channel.EMAIL, "siti@example.id"),
    )
    if answered:
        DataRequest.objects.filter(pk=request.pk).update(
            status=RequestStatus.REFUSED, refusal_reason="Not ours", decided_at=ANSWERED
        )
    return request


def test_an_answered_request_and_its_trail_go_730_days_after_the_answer(
    siti_booking: Booking, siti_hash: str
) -> None:
    answered = _request(siti_hash, answered=True)
    still_open = _request(siti_hash, answered=False)
    assert DataEvent.objects.filter(request=answered).exists()
    with time_machine.travel(ANSWERED + timedelta(days=730) - timedelta(seconds=1), tick=False):
        assert retention_run().counts["privacy.DataRequest"] == 0
    with time_machine.travel(ANSWERED + timedelta(days=730), tick=False):
        assert retention_run().counts["privacy.DataRequest"] == 1
        assert retention_run().counts["privacy.DataRequest"] == 0  # nothing left to do
    assert list(DataRequest.objects.values_list("pk", flat=True)) == [still_open.pk]
    assert not DataEvent.objects.filter(request_id=answered.pk).exists()
