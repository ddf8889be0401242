"""Supervisor pages refuse days more than a year away and odd digits with a translated
error, never a 500 (issue 10, finding 6)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client

from booking.models import Slot
from offices.models import OfficeService
from scheduling.services import default_plan_extend

pytestmark = pytest.mark.django_db

CAPACITY = "/staf/kantor/kanim-jakarta/kapasitas/"


@pytest.fixture
def passport_here(jakarta_office: Any) -> Iterator[OfficeService]:
    """Tuesday 1 December 2026, 10:00 WIB; December planned."""
    with time_machine.travel(datetime(2026, 12, 1, 3, 0, tzinfo=UTC), tick=False):
        default_plan_extend(office=jakarta_office, first=date(2026, 12, 1), last=date(2026, 12, 31))
        yield OfficeService.objects.get(office=jakarta_office)


@pytest.fixture
def supervisor_client(supervisor: Any, passport_here: OfficeService) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(supervisor)
    return client


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2028-01-01"])
def test_capacity_page_for_a_day_out_of_range_is_an_error_page(
    supervisor_client: Client, day: str
) -> None:
    response = supervisor_client.get(CAPACITY, {"tanggal": day})
    assert response.status_code == 400
    assert "tanggal:" in response.content.decode()


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-02"])
def test_plan_day_out_of_range_is_an_error_page(supervisor_client: Client, day: str) -> None:
    for url in (
        f"/staf/kantor/kanim-jakarta/rencana/{day}/",
        f"/staf/kantor/kanim-jakarta/rencana/{day}/status/",
    ):
        assert supervisor_client.get(url).status_code == 400


def test_capacity_with_superscript_digits_is_a_field_error(
    supervisor_client: Client, passport_here: OfficeService
) -> None:
    slot = Slot.objects.filter(office_service=passport_here, local_date="2026-12-02")[0]
    response = supervisor_client.post(CAPACITY, {"tanggal": "2026-12-02", f"slot-{slot.pk}": "²"})
    assert response.status_code == 200
    assert "0 sampai 1000" in response.content.decode()
    slot.refresh_from_db()
    assert slot.capacity != 2


def test_plan_day_with_superscript_digits_is_a_field_error(supervisor_client: Client) -> None:
    response = supervisor_client.post(
        "/staf/kantor/kanim-jakarta/rencana/2026-12-03/",
        {"walk_in_reserve_percent": "²", "why": "uji"},
    )
    assert response.status_code == 400


# Review item 13: the pages read numbers with core.params.whole_number, which bounds the
# length; int() of more than 4,300 digits raises ValueError (a 500 before).
HUGE = "1" * 5000


def test_capacity_with_thousands_of_digits_is_a_field_error(
    supervisor_client: Client, passport_here: OfficeService
) -> None:
    slot = Slot.objects.filter(office_service=passport_here, local_date="2026-12-02")[0]
    before = slot.capacity
    response = supervisor_client.post(CAPACITY, {"tanggal": "2026-12-02", f"slot-{slot.pk}": HUGE})
    assert response.status_code == 200
    assert "0 sampai 1000" in response.content.decode()
    slot.refresh_from_db()
    assert slot.capacity == before


def test_plan_day_with_thousands_of_digits_is_a_field_error(supervisor_client: Client) -> None:
    response = supervisor_client.post(
        "/staf/kantor/kanim-jakarta/rencana/2026-12-03/",
        {"walk_in_reserve_percent": HUGE, "why": "uji"},
    )
    assert response.status_code == 400
