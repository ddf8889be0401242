from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    """Pengaduan: a citizen's complaint about an office, tracked by number from intake to
    closing, with a due date and the citizen told of every change."""

    name = "complaints"
    verbose_name = _("Complaints")

    def ready(self) -> None:
        from complaints import audit_log, messages, privacy  # noqa: F401  (registries)

        audit_log.register()
