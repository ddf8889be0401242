"""Claims on PostgreSQL, with real threads: a slow gateway makes a batch outlast its
lease, but the sweeper renews the lease of the rows it still holds, so a second
sweeper started meanwhile finds nothing to take and nothing is sent twice; and a claim
lost with a dead worker is not counted as an attempt at the gateway."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from notifications.models import Message, MessageChannel, MessageStatus
from notifications.services.outbox import outbox_dispatch_due
from queueing.messages import TicketMessageKind
from tests.fake_gateway import FakeGateway

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CONTEXT = {
    "office": "Kantor Imigrasi Jakarta Pusat",
    "survey_url": "https://x/1",
    "reference": "A-001",
}


@pytest.fixture
def slow_gateway(settings: Any) -> Iterator[FakeGateway]:
    with FakeGateway(delay=0.4) as running:
        settings.GILIRAN_GATEWAYS = {"sms": {"url": running.url, "token": ""}}
        settings.GILIRAN_GATEWAY_TIMEOUT_SECONDS = 1  # renew when 3 s of lease are left
        settings.GILIRAN_OUTBOX_LEASE_SECONDS = 2
        yield running


def _due(count: int) -> None:
    Message.objects.bulk_create(
        Message(
            dedup_key=f"survey:{n}",
            kind=TicketMessageKind.SURVEY,
            channel=MessageChannel.SMS,
            recipient=f"+62812000{n:05d}",
            context=CONTEXT,
            due_at=timezone.now(),
        )
        for n in range(count)
    )


def test_a_batch_slower_than_its_lease_is_not_taken_over(slow_gateway: FakeGateway) -> None:
    _due(10)  # 10 × 0.4 s = 4 s of sending, twice the 2-second lease

    def sweep() -> None:
        outbox_dispatch_due()
        connection.close()  # the thread's own connection

    first = threading.Thread(target=sweep)
    first.start()
    time.sleep(2.5)  # the first sweeper's original lease has run out by now
    assert outbox_dispatch_due() == 0
    first.join(timeout=30)
    assert Message.objects.filter(status=MessageStatus.SENT).count() == 10
    assert slow_gateway.repeated_requests() == 0


def test_a_claim_lost_with_a_dead_worker_is_not_an_attempt(slow_gateway: FakeGateway) -> None:
    _due(1)
    orphan = Message.objects.get()
    Message.objects.filter(pk=orphan.pk).update(
        status=MessageStatus.SENDING,
        claim_token="dead-worker",
        claims=5,
        lease_until=timezone.now() - timedelta(seconds=1),
    )
    assert outbox_dispatch_due() == 1
    orphan.refresh_from_db()
    assert orphan.status == MessageStatus.SENT and orphan.attempts == 1 and orphan.claims == 6
