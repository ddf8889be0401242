"""The data map and retention pages: supervisors and administrators read, in both
languages, what personal data Giliran keeps, why and how long, and what the retention
job last did; counter staff and strangers do not."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from core.models import RetentionRun

pytestmark = pytest.mark.django_db


def _url(name: str, language: str = "id") -> str:
    with translation.override(language):
        return reverse(name)


def test_supervisor_reads_the_data_map_in_indonesian(client: Client, supervisor: Any) -> None:
    client.force_login(supervisor)
    page = client.get(_url("staff:data-map")).content.decode()
    assert "Peta data pribadi" in page
    assert "<code>nik_hash</code>" in page
    assert "Identitas" in page
    assert "Pelayanan publik berdasarkan undang-undang (pasal 20(2)(e))" in page
    assert "90 hari setelah hari kunjungan (waktu kantor)" in page


def test_office_admin_reads_the_data_map_in_english(client: Client, office_admin: Any) -> None:
    client.force_login(office_admin)
    page = client.get(_url("staff:data-map", "en")).content.decode()
    assert "Personal data map" in page
    assert "Public service by law (art. 20(2)(e))" in page
    assert "Specific (health-adjacent)" in page


def test_retention_page_shows_policy_and_last_runs(
    client: Client, supervisor: Any, settings: Any
) -> None:
    settings.GILIRAN_RETENTION_MESSAGE_DAYS = 14
    RetentionRun.objects.create(
        started_at=datetime(2026, 12, 1, 3, 0, tzinfo=UTC),
        finished_at=datetime(2026, 12, 1, 3, 0, 2, tzinfo=UTC),
        counts={"booking.Booking": 12, "queueing.Ticket": 30},
        total=42,
    )
    client.force_login(supervisor)

    page = client.get(_url("staff:retention")).content.decode()
    assert "Retensi data pribadi" in page
    assert "14 hari setelah pengiriman" in page  # the configured value, not the default
    assert "GILIRAN_RETENTION_VISIT_DAYS" in page
    assert "<code>booking.Booking</code>: 12" in page
    assert "10:00 WIB" in page

    english = client.get(_url("staff:retention", "en")).content.decode()
    assert "Retention of personal data" in english
    assert "14 days after sending" in english


def test_retention_page_says_when_nothing_ran_yet(client: Client, national_admin: Any) -> None:
    client.force_login(national_admin)
    assert "Belum ada proses." in client.get(_url("staff:retention")).content.decode()


def test_counter_staff_cannot_see_the_pages(client: Client, counter_clerk: Any) -> None:
    client.force_login(counter_clerk)
    assert client.get(_url("staff:data-map")).status_code == 403
    assert client.get(_url("staff:retention")).status_code == 403


def test_strangers_are_sent_to_sign_in(client: Client, db: None) -> None:
    response = client.get(_url("staff:data-map"))
    assert response.status_code == 302
    assert reverse("staff:login") in response["Location"]


def test_staff_home_links_the_pages_for_supervisors_only(
    client: Client, supervisor: Any, counter_clerk: Any
) -> None:
    client.force_login(supervisor)
    assert _url("staff:data-map") in client.get(reverse("staff:home")).content.decode()
    client.force_login(counter_clerk)
    assert _url("staff:data-map") not in client.get(reverse("staff:home")).content.decode()
