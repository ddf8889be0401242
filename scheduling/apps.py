from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchedulingConfig(AppConfig):
    name = "scheduling"
    verbose_name = _("Capacity planning")

    def ready(self) -> None:
        from scheduling import privacy  # noqa: F401  (the data map)
