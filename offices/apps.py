from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfficesConfig(AppConfig):
    name = "offices"
    verbose_name = _("Offices, services and staff")

    def ready(self) -> None:
        from offices import privacy  # noqa: F401  (the data map of the catalog and staff roles)
        from offices.catalog_cache import catalog_signals_connect

        catalog_signals_connect()
