from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """Data-subject requests (UU PDP No. 27/2022): access, export, processing trail,
    correction and deletion. Imports booking, queueing and notifications; nothing
    imports it except config."""

    name = "privacy"
    verbose_name = _("Personal data requests")

    def ready(self) -> None:
        from privacy import messages, privacy  # noqa: F401  (message kinds; data map)
