from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from audit import (
            privacy,  # noqa: F401  (the data map and the audit log's retention)
            registry,
        )

        registry.register_all()
