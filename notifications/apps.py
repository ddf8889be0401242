from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # Registers each kind's relevance check and attachments with the outbox.
        from notifications import privacy  # noqa: F401  (the data map and the anonymiser)
        from notifications.services import citizen  # noqa: F401
