from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistantConfig(AppConfig):
    """Tanya Giliran: the citizen's assistant on every channel. It understands a message
    (intent and entities, offline), answers from the records and acts through the other
    apps' services; nothing imports it except config."""

    name = "assistant"
    verbose_name = _("Assistant")
