"""Code messages now say how long the code works from `minutes` in their context
(GILIRAN_CODE_MINUTES when the code was made). A code queued before this change and
not yet sent would fail to render (a missing variable is an error) and the citizen
would wait for nothing: give those rows the minutes their code was made with."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import migrations

CODE_KINDS = ["code", "privacy_code"]
NOT_YET_SENT = ["pending", "sending"]


def name_the_minutes(apps: Any, schema_editor: Any) -> None:
    Message = apps.get_model("notifications", "Message")
    waiting = Message.objects.filter(kind__in=CODE_KINDS, status__in=NOT_YET_SENT)
    changed = []
    for message in waiting.only("pk", "context"):
        if isinstance(message.context, dict) and "minutes" not in message.context:
            message.context = {**message.context, "minutes": settings.GILIRAN_CODE_MINUTES}
            changed.append(message)
    Message.objects.bulk_update(changed, ["context"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0006_message_kinds")]

    operations = [migrations.RunPython(name_the_minutes, migrations.RunPython.noop)]
