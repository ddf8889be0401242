from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # The apps that send messages register their kinds from their own ready()
        # (notifications/registry.py); the outbox imports none of them.
        from notifications import privacy  # noqa: F401  (the data map and the anonymiser)
