"""The citizen's hot paths stay lean: a hold, a new code and a confirmation through the
API make a bounded number of queries (counted on PostgreSQL in docs/architecture.md,
"The hold and confirm requests are lean"), render no template and send no mail in the
request (the code goes out through the outbox, by a worker); a calendar read again is
served from the cache with one query (the office-service named in its address).

Celery is not eager here, as in production: the request only sends the task."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext

from booking.models import Slot
from config.celery import app as celery_app
from notifications.services.outbox import outbox_dispatch_due

pytestmark = pytest.mark.django_db(transaction=True)

CITIZEN = {
    "full_name": "Budi Santoso",
    "nik": "3171010101900002",
    "phone": "081298765432",
    "email": "budi@example.id",
    "channel": "email",
    "language": "en",
}
MONTH = "/api/v1/offices/kanim-jakarta/services/paspor-baru/availability/"
# At most, on PostgreSQL (SQLite takes no advisory lock, so one fewer for a hold). The
# hold's bound includes the content type the audit log looks up once per process, and the
# waiting-room gate's read of the slot's office-service, made before any lock.
HOLD, CODE, CONFIRM = 22, 9, 14


@pytest.fixture
def as_in_production() -> Iterator[None]:
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = True


def _measured(request: Callable[[], Any]) -> tuple[Any, int, int]:
    """(response, queries, templates rendered) of one request; no mail may leave."""
    rendered: list[object] = []

    def record(**kwargs: object) -> None:
        rendered.append(kwargs["template"])

    template_rendered.connect(record, dispatch_uid="hot-path-templates")
    sent = len(mail.outbox)
    try:
        with CaptureQueriesContext(connection) as captured:
            response = request()
    finally:
        template_rendered.disconnect(dispatch_uid="hot-path-templates")
    assert len(mail.outbox) == sent, "mail was sent in the request"
    return response, len(captured.captured_queries), len(rendered)


def _post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, body, content_type="application/json")


def test_hold_code_and_confirm_are_lean_and_render_nothing(
    client: Client, slot: Slot, as_in_production: None
) -> None:
    hold, queries, templates = _measured(
        lambda: _post(client, "/api/v1/holds/", {**CITIZEN, "slot": slot.pk})
    )
    assert hold.status_code == 201, hold.json()
    assert queries <= HOLD and templates == 0
    token = hold.json()["hold_token"]
    again, queries, templates = _measured(lambda: _post(client, f"/api/v1/holds/{token}/code/", {}))
    assert again.status_code == 202 and queries <= CODE and templates == 0
    outbox_dispatch_due()  # the worker's part: the code's email is written and sent
    code = re.search(r"\b(\d{6})\b", str(mail.outbox[-1].body)).group(1)  # type: ignore[union-attr]
    confirmed, queries, templates = _measured(
        lambda: _post(client, f"/api/v1/holds/{token}/confirm/", {"code": code})
    )
    assert confirmed.status_code == 200, confirmed.json()
    assert confirmed.json()["booking"]["status"] == "confirmed"
    assert queries <= CONFIRM and templates == 0


def test_a_calendar_read_again_takes_one_query(client: Client, slot: Slot) -> None:
    month = lambda: client.get(MONTH, {"month": "2026-12"})  # noqa: E731
    day = lambda: client.get(f"{MONTH}2026-12-02/")  # noqa: E731
    assert _measured(month)[1] > 1 and _measured(month)[1] == 1
    first = _measured(day)[1]
    assert 1 < first <= 8  # the times reuse the day's own status, just read
    assert _measured(day)[1] == 1
