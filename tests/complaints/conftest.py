from __future__ import annotations

from typing import Any

import pytest

from complaints.services import Filed, Intake, complaint_file
from tests.factories import StaffFactory

SITI_PHONE = "0812-3456-7890"
TEXT = "Petugas loket 2 meminta uang tambahan Rp50.000 agar berkas saya diproses hari ini."


@pytest.fixture
def integrity_officer(jakarta_office: Any) -> Any:
    """Watches the Jakarta office's pungli reports from outside it."""
    return StaffFactory(username="wati", office=jakarta_office, role="integrity")


def file(
    office: Any, *, category: str = "service_delay", pungli: bool = False, **fields: Any
) -> Filed:
    intake = Intake(
        office_code=office.code,
        category=category,
        text=fields.pop("text", "Antrean sangat lama, saya menunggu empat jam tanpa kepastian."),
        contact=fields.pop("contact", SITI_PHONE),
        pungli=pungli,
        language=fields.pop("language", "id"),
        photo=fields.pop("photo", None),
    )
    return complaint_file(intake=intake, **fields)
