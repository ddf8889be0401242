from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QueueingConfig(AppConfig):
    name = "queueing"
    verbose_name = _("Queue and counters")

    def ready(self) -> None:
        from queueing import messages, privacy  # noqa: F401  (message kinds; the data map)
