from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReleasesConfig(AppConfig):
    name = "releases"
    verbose_name = _("Release moments")

    def ready(self) -> None:
        from releases import privacy  # noqa: F401  (the data map)
