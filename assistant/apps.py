from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistantConfig(AppConfig):
    """Tanya Giliran: the citizen's assistant on every channel. It understands a message
    (intent and entities, offline), answers from the records and acts through the other
    apps' services; nothing imports it except config."""

    name = "assistant"
    verbose_name = _("Assistant")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from assistant import outbound, privacy  # noqa: F401  (registries)
        from assistant.channels import sms  # noqa: F401  (SMS is read by its keywords)
        from assistant.understanding.entities import catalog_forget
        from offices.models import Office, Service

        # The entity extractor's catalog index is rebuilt after any change to the
        # offices or services it names (in this process; others within CATALOG_SECONDS).
        for model in (Office, Service):
            post_save.connect(catalog_forget, sender=model, dispatch_uid=f"entities-{model}")
            post_delete.connect(catalog_forget, sender=model, dispatch_uid=f"entities-{model}-del")
