from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Giliran"

    def ready(self) -> None:
        from core import (
            checks,  # noqa: F401  (registers the deploy checks)
            privacy,  # noqa: F401  (tags core's, accounts' and sign-in records)
        )
