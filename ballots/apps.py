from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BallotsConfig(AppConfig):
    name = "ballots"
    verbose_name = _("Ballots")

    def ready(self) -> None:
        from ballots import messages, privacy  # noqa: F401  (message kinds; the data map)
