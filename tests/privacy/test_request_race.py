"""Two staff members answering one request at the same moment, on real PostgreSQL with
real threads: exactly one answer takes effect and the citizen is told once."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection, transaction

from booking.models import Booking, Channel
from core.errors import ApplicationError
from notifications.models import Message, MessageStatus
from privacy.messages import PrivacyMessageKind
from privacy.models import DataRequest, RequestKind, RequestStatus
from privacy.services.proof import Contact
from privacy.services.requests import (
    data_request_complete,
    data_request_file,
    data_request_refuse,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RUNS = 8


def test_parallel_answers_to_one_request_take_effect_once(
    siti_booking: Booking, siti_hash: str, supervisor: Any, national_admin: Any
) -> None:
    request = data_request_file(
        nik_hash=siti_hash,
        kind=RequestKind.CORRECTION,
        field="full_name",
        new_value="Siti Rahmawati Putri",
        contact=Contact(Channel.EMAIL, "siti@example.id"),
    )
    barrier = threading.Barrier(RUNS)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def answer(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            mine = DataRequest.objects.get(pk=request.pk)
            if n % 2:
                data_request_complete(request=mine, staff=supervisor)
                outcomes.append("done")
            else:
                data_request_refuse(request=mine, staff=national_admin, reason="Sudah sesuai.")
                outcomes.append("refused")
        except ApplicationError as refused:
            outcomes.append(refused.code)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=answer, args=(n,)) for n in range(RUNS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(outcomes).count("request_closed") == RUNS - 1
    request.refresh_from_db()
    assert request.status in (RequestStatus.DONE, RequestStatus.REFUSED)
    told = Message.objects.filter(
        kind__in=[PrivacyMessageKind.PRIVACY_DONE, PrivacyMessageKind.PRIVACY_REFUSED]
    ).count()
    assert told == 1
    siti_booking.refresh_from_db()
    corrected = siti_booking.full_name == "Siti Rahmawati Putri"
    assert corrected == (request.status == RequestStatus.DONE)


def test_a_deletion_waits_for_rows_another_worker_has_locked_and_erases_them(
    siti_booking: Booking, siti_hash: str, supervisor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The outbox worker holds the lock on one of Siti's sent messages while a deletion
    runs: the deletion waits for it instead of skipping the row and calling itself done."""
    sent = Message.objects.filter(booking=siti_booking, status=MessageStatus.SENT).first()
    assert sent is not None and sent.recipient
    request = data_request_file(
        nik_hash=siti_hash,
        kind=RequestKind.DELETION,
        contact=Contact(Channel.EMAIL, "siti@example.id"),
    )
    locked = threading.Event()
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with transaction.atomic():
                Message.objects.select_for_update().get(pk=sent.pk)
                locked.set()
                time.sleep(1.5)
        except BaseException as error:  # reported below
            errors.append(error)
            locked.set()
        finally:
            connection.close()

    thread = threading.Thread(target=worker)
    thread.start()
    assert locked.wait(timeout=30)
    data_request_complete(request=request, staff=supervisor)
    thread.join(timeout=60)
    assert errors == []
    request.refresh_from_db()
    sent.refresh_from_db()
    assert request.status == RequestStatus.DONE
    assert sent.recipient == "" and sent.anonymised_at is not None
