from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingConfig(AppConfig):
    name = "booking"
    verbose_name = _("Bookings")

    def ready(self) -> None:
        from booking import privacy  # noqa: F401  (the data map and the anonymisers)
