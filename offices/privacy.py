"""The data map of the catalog and staff roles (core/data_map.py explains the mechanism):
the catalog is public, written by the office; a membership links a staff account."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.data_map import STAFF_ACTION, personal_data
from offices.models import Closure, Counter, Office, OfficeService, Service, StaffMembership

personal_data(StaffMembership, fields={"user": STAFF_ACTION})

_PUBLIC = _("the office's public catalogue, written by the office")
personal_data(
    Office,
    fields={},
    not_personal={name: _PUBLIC for name in ("name", "address", "phone", "email")},
)
personal_data(
    Service,
    fields={},
    not_personal={
        name: _PUBLIC
        for name in (
            "name_id",
            "name_en",
            "description_id",
            "description_en",
            "requirements_id",
            "requirements_en",
            "fee_note_id",
            "fee_note_en",
        )
    },
)
personal_data(Counter, fields={}, not_personal={"name": _PUBLIC})
personal_data(Closure, fields={}, not_personal={"reason_id": _PUBLIC, "reason_en": _PUBLIC})
personal_data(OfficeService, fields={}, not_personal={})
