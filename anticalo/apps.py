from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnticaloConfig(AppConfig):
    """The anti-calo report: holds and bookings of an office that look like one broker
    (calo) at work, each flag with the rule that raised it (docs/anticalo.md). Reads
    booking's rows; owns none."""

    name = "anticalo"
    verbose_name = _("Anti-calo report")
