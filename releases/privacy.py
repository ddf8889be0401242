"""The data map of the waiting room's rows (core/data_map.py explains the mechanism):
a join's network and device hash are kept as long as bookings are (the visits' policy,
counted from the release day) and then erased; the row stays as a count of joins."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from core.data_map import (
    VISITS,
    Category,
    LegalBasis,
    Personal,
    past_office_days,
    personal_data,
    register_anonymiser,
)
from core.retention import anonymise_batch
from releases.models import RoomJoin

_JOIN_MARK = Personal(
    category=Category.TECHNICAL,
    purpose=_("find many waiting-room joins from one network or device (anti-calo report)"),
    basis=LegalBasis.PUBLIC_TASK,
    retention=VISITS,
)

personal_data(RoomJoin, fields={"client_network": _JOIN_MARK, "device_hash": _JOIN_MARK})


def anonymise_past_joins(*, now: datetime, batch_size: int) -> int:
    due = RoomJoin.objects.filter(
        past_office_days(
            date_field="release_day",
            zone_field="office_service__office__timezone",
            days=VISITS.days or 0,
            now=now,
        )
    )
    return anonymise_batch(
        due=due, values={"client_network": "", "device_hash": ""}, now=now, batch_size=batch_size
    )


register_anonymiser("releases.RoomJoin", policy=VISITS, run=anonymise_past_joins)
