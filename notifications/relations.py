"""The reverse side of `Message.subject`, for the apps whose rows messages are about.

    class Booking(models.Model):
        messages = messages_about(related_query_name="booking")

gives `booking.messages.all()` and lets queries go from messages to their subject
(`Message.objects.filter(booking__nik_hash=…)`, `filter(ticket__booking__in=…)`). This
module imports no model, so an app's models can use it while notifications.models
imports the catalog."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.fields import GenericRelation
from django.db import DEFAULT_DB_ALIAS, models


class KeptMessages(GenericRelation):
    """A generic relation that does not delete its messages with their subject.

    Django deletes the rows of a generic relation with the object; the outbox log is the
    record of what a citizen was told (with its own retention, notifications/privacy.py),
    so a deleted subject leaves its messages in place, pointing at nothing, as the
    `SET_NULL` foreign keys before did. A message still waiting is then skipped at
    delivery (notifications/services/outbox.py)."""

    def bulk_related_objects(
        self, objs: list[models.Model], using: str = DEFAULT_DB_ALIAS
    ) -> models.QuerySet[Any]:
        return self.remote_field.model._base_manager.db_manager(using).none()


def messages_about(*, related_query_name: str) -> KeptMessages:
    return KeptMessages(
        "notifications.Message",
        content_type_field="subject_type",
        object_id_field="subject_id",
        related_query_name=related_query_name,
    )
