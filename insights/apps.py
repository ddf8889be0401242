from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    """Facts of every office day, built nightly from the queue, the appointments, the
    plan, the surveys, the complaints and the assistant (docs/insights.md). Reads those
    apps' rows; they know nothing of it."""

    name = "insights"
    verbose_name = _("Insights")

    def ready(self) -> None:
        from insights import privacy  # noqa: F401  (the data map)
