"""The offices API is served from the cache, keyed by the catalog's version and the
language: a catalog edit shows at the next request, each language gets its own answer,
and an office's coming closed days move on at the office's midnight.

The tests commit for real (transaction=True): the catalog's version is bumped when the
edit's transaction commits."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from offices.models import Closure, OfficeService, OpeningHours, Service

pytestmark = pytest.mark.django_db(transaction=True)

LIST = "/api/v1/offices/"
# Tuesday 1 December 2026, 10:00 WIB.
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


def _get(client: Client, path: str, language: str = "id", **params: str) -> tuple[int, Any]:
    """(queries it took, the JSON answer)."""
    with CaptureQueriesContext(connection) as captured:
        body = client.get(path, params, headers={"Accept-Language": language}).json()
    return len(captured.captured_queries), body


def test_the_list_and_an_office_are_read_once_then_served_from_the_cache(
    client: Client, jakarta_office: Any, denpasar_office: Any
) -> None:
    detail = f"{LIST}{jakarta_office.code}/"
    first, body = _get(client, LIST)
    again, same = _get(client, LIST)
    assert first > 0 and again == 0 and same == body
    first, office = _get(client, detail)
    again, same = _get(client, detail)
    assert first > 0 and again == 0 and same == office
    # Filters and pages are answers of their own.
    assert [o["code"] for o in _get(client, LIST, q="denpasar")[1]["results"]] == [
        denpasar_office.code
    ]
    assert _get(client, LIST, limit="1")[1]["next"] is not None


def test_an_office_edit_shows_at_the_next_request(client: Client, jakarta_office: Any) -> None:
    detail = f"{LIST}{jakarta_office.code}/"
    _get(client, LIST), _get(client, detail)
    jakarta_office.name = "Kantor Imigrasi Kelas I Jakarta Pusat"
    jakarta_office.save(update_fields=["name"])
    assert _get(client, LIST)[1]["results"][0]["name"] == jakarta_office.name
    assert _get(client, detail)[1]["name"] == jakarta_office.name


def test_a_service_offered_edited_or_withdrawn_shows_at_the_next_request(
    client: Client, jakarta_office: Any
) -> None:
    detail = f"{LIST}{jakarta_office.code}/"
    assert _get(client, detail)[1]["services"][0]["booking_window_days"] == 30
    offered = OfficeService.objects.get(office=jakarta_office)
    offered.booking_window_days = 60
    offered.save(update_fields=["booking_window_days"])
    assert _get(client, detail)[1]["services"][0]["booking_window_days"] == 60
    service = Service.objects.get(pk=offered.service_id)
    service.is_active = False  # withdrawn nationally
    service.save(update_fields=["is_active"])
    assert _get(client, detail)[1]["services"] == []
    assert _get(client, LIST)[1]["results"][0]["services"] == []


def test_hours_and_a_closure_show_at_the_next_request(client: Client, jakarta_office: Any) -> None:
    detail = f"{LIST}{jakarta_office.code}/"
    with time_machine.travel(NOW, tick=False):
        before = _get(client, detail)[1]
        Closure.objects.create(
            office=jakarta_office,
            starts_on=date(2026, 12, 3),
            ends_on=date(2026, 12, 3),
            reason_id="Pemadaman listrik",
            reason_en="Power cut",
        )
        after = _get(client, detail)[1]
        OpeningHours.objects.filter(office=jakarta_office, weekday=4).get().delete()
        hours = _get(client, detail)[1]
    assert {"day": "2026-12-03", "reason": "Pemadaman listrik", "is_national": False} in (
        after["closed_days"]
    )
    assert after["closed_days"] != before["closed_days"]
    assert [h["weekday"] for h in hours["opening_hours"]] == [0, 1, 2, 3]


def test_each_language_has_its_own_answer(client: Client, jakarta_office: Any) -> None:
    indonesian = _get(client, LIST, "id")[1]["results"][0]["services"][0]["name"]
    english = _get(client, LIST, "en")[1]["results"][0]["services"][0]["name"]
    assert (indonesian, english) == ("Paspor baru", "New passport")
    assert _get(client, LIST, "id")[1]["results"][0]["services"][0]["name"] == "Paspor baru"


def test_the_coming_closed_days_move_on_at_the_offices_midnight(
    client: Client, jakarta_office: Any
) -> None:
    detail = f"{LIST}{jakarta_office.code}/"
    Closure.objects.create(
        office=jakarta_office,
        starts_on=date(2026, 12, 1),
        ends_on=date(2026, 12, 1),
        reason_id="Rapat kerja",
        reason_en="Staff meeting",
    )
    midnight = datetime(2026, 12, 2, tzinfo=jakarta_office.zone)
    with time_machine.travel(midnight - timedelta(seconds=1), tick=False):
        today = _get(client, detail)[1]["closed_days"]
        assert _get(client, detail)[0] == 0
    with time_machine.travel(midnight + timedelta(seconds=1), tick=False):
        tomorrow = _get(client, detail)[1]["closed_days"]
    assert today[0]["day"] == "2026-12-01"
    assert all(day["day"] != "2026-12-01" for day in tomorrow)
