"""Admin screens: the whole catalog for national administrators, only their own offices
for office administrators, and field errors in the user's language."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from offices.models import Counter, OpeningHours
from tests.factories import CounterFactory

pytestmark = pytest.mark.django_db

CATALOG_MODELS = [
    "office",
    "service",
    "officeservice",
    "counter",
    "openinghours",
    "closure",
    "staffmembership",
]


@pytest.mark.parametrize("model", CATALOG_MODELS)
def test_national_admin_lists_searches_and_filters_every_catalog_model(
    client: Client, national_admin: Any, jakarta_office: Any, model: str
) -> None:
    client.force_login(national_admin)
    url = reverse(f"admin:offices_{model}_changelist")
    assert client.get(url).status_code == 200
    assert client.get(url, {"q": "jakarta"}).status_code == 200
    assert client.get(reverse(f"admin:offices_{model}_add")).status_code == 200


def test_office_page_edits_hours_counters_and_services_inline(
    client: Client, national_admin: Any, jakarta_office: Any
) -> None:
    client.force_login(national_admin)
    page = client.get(reverse("admin:offices_office_change", args=[jakarta_office.pk]))
    assert page.status_code == 200
    for inline in ("office_services", "opening_hours", "counters", "closures", "memberships"):
        assert f'id="{inline}-group"' in page.content.decode()


def test_office_admin_sees_only_their_offices_rows(
    client: Client, office_admin: Any, jakarta_office: Any, denpasar_office: Any
) -> None:
    theirs = Counter.objects.get(office=jakarta_office)
    other = CounterFactory.create(office=denpasar_office, number=9)
    client.force_login(office_admin)
    listing = client.get(reverse("admin:offices_counter_changelist")).content.decode()
    assert reverse("admin:offices_counter_change", args=[theirs.pk]) in listing
    assert reverse("admin:offices_counter_change", args=[other.pk]) not in listing
    response = client.get(reverse("admin:offices_counter_change", args=[other.pk]))
    assert response.status_code == 302  # "does not exist" → back to the admin index


def test_office_admin_cannot_change_the_national_service_catalog(
    client: Client, office_admin: Any, passport_service: Any
) -> None:
    client.force_login(office_admin)
    url = reverse("admin:offices_service_change", args=[passport_service.pk])
    assert client.get(url).status_code == 200  # read-only view
    response = client.post(url, {"code": "x"})
    assert response.status_code == 403


def test_counter_staff_cannot_enter_the_admin(client: Client, counter_clerk: Any) -> None:
    client.force_login(counter_clerk)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def _hours_post(office: Any, **overrides: str) -> dict[str, str]:
    data = {"office": str(office.pk), "weekday": "5", "opens_at": "08:00", "closes_at": "12:00"}
    data.update(overrides)
    return data


def test_hours_that_close_before_they_open_get_a_field_error_in_indonesian(
    client: Client, national_admin: Any, jakarta_office: Any
) -> None:
    client.force_login(national_admin)
    response = client.post(
        reverse("admin:offices_openinghours_add"), _hours_post(jakarta_office, closes_at="07:00")
    )
    assert response.status_code == 200
    assert "Kantor harus tutup setelah buka." in response.content.decode()
    assert not OpeningHours.objects.filter(office=jakarta_office, weekday=5).exists()


def test_same_error_in_english_under_the_english_admin(
    client: Client, national_admin: Any, jakarta_office: Any
) -> None:
    client.force_login(national_admin)
    response = client.post(
        "/en" + reverse("admin:offices_openinghours_add"),
        _hours_post(jakarta_office, closes_at="07:00"),
    )
    assert "The office must close after it opens." in response.content.decode()


def test_counter_cannot_serve_a_service_its_office_does_not_offer(
    client: Client, national_admin: Any, jakarta_office: Any
) -> None:
    from tests.factories import ServiceFactory

    elsewhere = ServiceFactory.create(code="bpjs-daftar", name_id="Pendaftaran JKN")
    client.force_login(national_admin)
    response = client.post(
        reverse("admin:offices_counter_add"),
        {
            "office": str(jakarta_office.pk),
            "number": "5",
            "services": [str(elsewhere.pk)],
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "Kantor ini tidak menawarkan" in response.content.decode()
    assert not Counter.objects.filter(office=jakarta_office, number=5).exists()


def test_office_service_takes_the_service_letter_when_left_empty(
    client: Client, national_admin: Any, denpasar_office: Any
) -> None:
    from tests.factories import ServiceFactory

    service = ServiceFactory.create(code="ktp", ticket_letter="K")
    client.force_login(national_admin)
    response = client.post(
        reverse("admin:offices_officeservice_add"),
        {
            "office": str(denpasar_office.pk),
            "service": str(service.pk),
            "ticket_letter": "",
            "booking_opens_days_ahead": "1",
            "booking_window_days": "30",
            "slot_minutes": "30",
            "release_time": "08:00",
            "release_pattern": "rolling",
            "release_day": "1",
            "waiting_room_minutes": "30",
            "allocation": "first_come",
            "ballot_entry_hours": "48",
            "ballot_claim_hours": "24",
            "ballot_priority_percent": "10",
            "min_notice_minutes": "60",
            "walk_in_reserve_percent": "20",
            "target_share_percent": "80",
            "target_wait_minutes": "15",
            "change_until_days_before": "1",
            "max_reschedules": "1",
            "cancel_release_minutes": "0",
            "checkin_opens_minutes": "30",
            "checkin_closes_minutes": "15",
            "late_arrival": "walk_in",
            "remote_walk_in": "on",
            "walk_in_daily_quota": "0",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert denpasar_office.office_services.get(service=service).ticket_letter == "K"
