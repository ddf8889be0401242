from django.apps import AppConfig


class TwoFactorConfig(AppConfig):
    name = "twofactor"
    verbose_name = "Staff two-factor sign-in"

    def ready(self) -> None:
        from twofactor import (
            privacy,  # noqa: F401  (the data map of the staff second factors)
            signals,  # noqa: F401  (stamps the sign-in time on the session)
        )
