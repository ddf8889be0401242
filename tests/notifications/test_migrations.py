"""A code message queued before its text named the code's minutes still renders after the
upgrade: the migration gives waiting code messages the minutes (sent ones are history)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import override_settings
from django.utils import timezone

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("latest_schema_restored"),
]

BEFORE = [("notifications", "0006_message_kinds")]
AFTER = [("notifications", "0007_code_messages_name_their_minutes")]


@override_settings(GILIRAN_CODE_MINUTES=7)
def test_waiting_code_messages_get_the_minutes_and_sent_ones_are_left_alone() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    Message = executor.loader.project_state(BEFORE).apps.get_model("notifications", "Message")
    fields = {"channel": "sms", "recipient": "+6281234567890", "due_at": timezone.now()}
    waiting = Message.objects.create(
        dedup_key="a", kind="code", status="pending", context={"code": "123456"}, **fields
    )
    sent = Message.objects.create(
        dedup_key="b", kind="code", status="sent", context={"service": "Paspor"}, **fields
    )
    other = Message.objects.create(
        dedup_key="c", kind="confirmed", status="pending", context={}, **fields
    )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    Message = executor.loader.project_state(AFTER).apps.get_model("notifications", "Message")
    assert Message.objects.get(pk=waiting.pk).context == {"code": "123456", "minutes": 7}
    assert Message.objects.get(pk=sent.pk).context == {"service": "Paspor"}
    assert Message.objects.get(pk=other.pk).context == {}
    assert Message.objects.count() == 3
