"""Outbox rows no longer store manage links: they are minted when a message is sent
(notifications.services.citizen.manage_url). Remove the ones stored before, which hold
90-day bearer tokens (issue 10, finding 3)."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def forget_manage_links(apps: Any, schema_editor: Any) -> None:
    Message = apps.get_model("notifications", "Message")
    changed = []
    for message in Message.objects.only("pk", "context").iterator(chunk_size=2000):
        if isinstance(message.context, dict) and "manage_url" in message.context:
            message.context = {k: v for k, v in message.context.items() if k != "manage_url"}
            changed.append(message)
        if len(changed) >= 500:
            Message.objects.bulk_update(changed, ["context"])
            changed = []
    Message.objects.bulk_update(changed, ["context"])


class Migration(migrations.Migration):
    dependencies = [("notifications", "0004_lookup_locked_kind")]

    operations = [migrations.RunPython(forget_manage_links, migrations.RunPython.noop)]
