"""The data map of planning rows (core/data_map.py): plans are counts; a plan change
records which supervisor changed what and why."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.data_map import (
    STAFF_ACTION,
    STAFF_RECORDS,
    AtEnd,
    Category,
    LegalBasis,
    Personal,
    personal_data,
)
from scheduling.models import DayPlan, PlanChange

_COUNTS = _("counts and times of the day's plan, no person")
personal_data(
    DayPlan,
    fields={},
    not_personal={
        name: _COUNTS
        for name in (
            "staffed",
            "quota_overrides",
            "reason",
            "instance",
            "solution",
            "previous",
        )
    },
)
personal_data(
    PlanChange,
    fields={
        "by": STAFF_ACTION,
        "why": Personal(
            category=Category.FREE_TEXT,
            purpose=_("explain a change of capacity"),
            basis=LegalBasis.CONTRACT,
            retention=STAFF_RECORDS,
            at_end=AtEnd.MANUAL,
        ),
    },
    not_personal={"what": _("counters, quotas and the codes of moved bookings")},
)
