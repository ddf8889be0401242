"""The supervisor's planning pages read their input through forms: a bad number for a
slot's capacity, the counters staffed in a block, a daily quota or the walk-in reserve
gets a translated error next to its field, and nothing changes (issue 11, item 4)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from booking.models import Slot
from scheduling.models import DayPlan, PlanChange
from scheduling.services import default_plan_extend

pytestmark = pytest.mark.django_db

# Tuesday 1 December 2026, 10:00 WIB; the day edited is Wednesday 2 December.
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
DAY = date(2026, 12, 2)
BAD = ["lima", "²", "-1", "1.5", "9" * 40]


@pytest.fixture
def planned_office(jakarta_office: Any) -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False):
        default_plan_extend(office=jakarta_office, first=DAY, last=DAY)
        yield jakarta_office


@pytest.mark.parametrize("value", BAD)
def test_a_bad_capacity_is_shown_at_its_slot_and_nothing_is_saved(
    client: Client, planned_office: Any, supervisor: Any, value: str
) -> None:
    first, second = Slot.objects.filter(office_service__office=planned_office, local_date=DAY)[:2]
    capacities = dict(Slot.objects.values_list("pk", "capacity"))
    client.force_login(supervisor)
    url = reverse("staff:capacity", args=[planned_office.code])
    page = client.post(
        url, {"tanggal": DAY.isoformat(), f"slot-{first.pk}": value, f"slot-{second.pk}": "3"}
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert 'class="has-error"' in html and "Isi angka dari 0 sampai 1000." in html
    assert dict(Slot.objects.values_list("pk", "capacity")) == capacities


def test_the_capacity_error_is_in_the_language_of_the_page(
    client: Client, planned_office: Any, supervisor: Any
) -> None:
    slot = Slot.objects.filter(office_service__office=planned_office, local_date=DAY).first()
    assert slot is not None
    client.force_login(supervisor)
    url = "/en" + reverse("staff:capacity", args=[planned_office.code])
    page = client.post(url, {"tanggal": DAY.isoformat(), f"slot-{slot.pk}": "lima"})
    assert "Enter a number from 0 to 1000." in page.content.decode()


@pytest.mark.parametrize("field", ["staffed-08:00", "quota-paspor-baru", "walk_in_reserve_percent"])
@pytest.mark.parametrize("value", BAD)
def test_a_bad_number_on_the_day_plan_is_shown_at_its_field_and_nothing_changes(
    client: Client, planned_office: Any, supervisor: Any, field: str, value: str
) -> None:
    client.force_login(supervisor)
    url = reverse("staff:plan-day", args=[planned_office.code, DAY.isoformat()])
    page = client.post(url, {field: value, "is_closed": "on", "why": "Dewi sakit"})
    assert page.status_code == 400
    html = page.content.decode()
    assert f'<p class="error" data-field="{field}">Masukkan bilangan bulat.</p>' in html
    assert f'value="{value}"' in html  # what was typed is shown again, to correct it
    assert not PlanChange.objects.exists()
    assert not DayPlan.objects.filter(
        office=planned_office, local_date=DAY, is_closed=True
    ).exists()


def test_the_day_plan_error_is_in_the_language_of_the_page(
    client: Client, planned_office: Any, supervisor: Any
) -> None:
    client.force_login(supervisor)
    url = "/en" + reverse("staff:plan-day", args=[planned_office.code, DAY.isoformat()])
    page = client.post(url, {"walk_in_reserve_percent": "lima", "why": "x"})
    assert page.status_code == 400 and "Enter a whole number." in page.content.decode()


def test_closing_the_day_through_the_form_is_recorded(
    client: Client, planned_office: Any, supervisor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(supervisor)
    url = reverse("staff:plan-day", args=[planned_office.code, DAY.isoformat()])
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(url, {"is_closed": "on", "why": "Banjir"})
    assert page.status_code == 302
    assert DayPlan.objects.get(office=planned_office, local_date=DAY).is_closed
    assert PlanChange.objects.get().why == "Banjir"


def test_a_change_without_a_reason_is_refused_at_the_reason(
    client: Client, planned_office: Any, supervisor: Any
) -> None:
    client.force_login(supervisor)
    url = reverse("staff:plan-day", args=[planned_office.code, DAY.isoformat()])
    page = client.post(url, {"is_closed": "on", "why": "  "})
    assert page.status_code == 400 and 'data-field="why"' in page.content.decode()
    assert not PlanChange.objects.exists()


def test_closing_a_day_with_bookings_lists_them_instead_of_failing(
    client: Client, planned_office: Any, supervisor: Any
) -> None:
    from booking.models import Source
    from booking.services.booking import booking_confirm, booking_hold
    from tests.booking.conftest import citizen_details

    slot = Slot.objects.filter(
        office_service__office=planned_office, local_date=DAY, capacity__gt=0
    ).first()
    assert slot is not None
    with time_machine.travel(NOW, tick=False):
        booking_confirm(
            booking=booking_hold(
                slot_id=slot.pk, details=citizen_details("3171014501900001"), source=Source.WEB
            )
        )
    client.force_login(supervisor)
    url = reverse("staff:plan-day", args=[planned_office.code, DAY.isoformat()])
    page = client.post(url, {"is_closed": "on", "why": "Banjir"})
    assert page.status_code == 409
    assert not PlanChange.objects.exists()
    assert not DayPlan.objects.filter(
        office=planned_office, local_date=DAY, is_closed=True
    ).exists()
