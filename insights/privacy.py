"""The data map of insights: counts and minute histograms of an office's days, with no
person behind any row (core/data_map.py explains the mechanism)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.data_map import personal_data
from insights.models import CounterDay, ServiceHour

_HISTOGRAM = _("how many durations fell in each band of minutes; no person is named")

personal_data(
    ServiceHour,
    fields={},
    not_personal={
        "waits": _HISTOGRAM,
        "service_times": _HISTOGRAM,
        "ratings": _("how many ratings gave each score; no person is named"),
        "ikm": _("sums and counts of IKM answers per element; no person is named"),
    },
)
# A counter, never the clerk at it: who sat there is in the staff rota, not here.
personal_data(CounterDay, fields={}, not_personal={"service_times": _HISTOGRAM})
