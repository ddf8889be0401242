from django.apps import AppConfig


class TwoFactorConfig(AppConfig):
    name = "twofactor"
    verbose_name = "Staff two-factor sign-in"

    def ready(self) -> None:
        from twofactor import signals  # noqa: F401  (stamps the sign-in time on the session)
