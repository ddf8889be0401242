"""A supervisor reads the audit log in the browser, in both languages: a clerk's booking
for a citizen at the counter, and the clerk's read of it, are there with the clerk's name,
a filter by who finds it, the NIK is nowhere on the page, and another office's supervisor
does not see it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from booking.models import Booking, Slot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NIK = "3171014501900001"
TEXTS = {
    "id": {"heading": "Log audit", "who": "Siapa (nama pengguna)", "search": "Cari"},
    "en": {"heading": "Audit log", "who": "Who (username)", "search": "Search"},
}


def _clerk_books_for_a_citizen_and_reads_it() -> str:
    slot = Slot.objects.filter(
        office_service__office__code="kanim-jakarta-pusat",
        capacity__gt=0,
        starts_at__gte=timezone.now() + timedelta(days=2),  # past the same-day cut-off
    ).order_by("starts_at")[0]
    clerk = Client()
    clerk.force_login(get_user_model().objects.get(username="petugas.jakarta"))
    url = reverse("staff:book-details", args=["kanim-jakarta-pusat", slot.pk])
    details = {"full_name": "Mbah Sarinah", "nik": NIK, "channel": "none"}
    assert clerk.post(url, details).status_code == 302
    booking = Booking.objects.get(nik_last4=NIK[-4:])
    assert clerk.get(reverse("booking-detail", args=[booking.code])).status_code == 200
    return booking.code


@pytest.mark.parametrize("language", ["id", "en"])
def test_supervisor_finds_a_clerks_read_and_never_sees_the_nik(
    demo_country: None,
    live_server: Any,
    page: Page,
    sign_in: Callable[..., None],
    language: str,
) -> None:
    code = _clerk_books_for_a_citizen_and_reads_it()
    text = TEXTS[language]
    users = get_user_model().objects
    sign_in(page, users.get(username="supervisor.jakarta"))
    prefix = "/en" if language == "en" else ""
    page.goto(f"{live_server.url}{prefix}/staf/audit/")
    expect(page.get_by_role("heading", level=1)).to_have_text(text["heading"])
    page.get_by_label(text["who"]).fill("petugas.jakarta")
    page.get_by_role("button", name=text["search"]).click()
    entries = page.get_by_test_id("audit-entries")
    expect(entries).to_contain_text("petugas.jakarta")
    expect(entries).to_contain_text(code)
    assert NIK not in page.content() and NIK[:12] not in page.content()

    other = page.context.browser.new_context().new_page()  # type: ignore[union-attr]
    sign_in(other, users.get(username="supervisor.bandung"))
    other.goto(f"{live_server.url}{prefix}/staf/audit/?who=petugas.jakarta")
    expect(other.get_by_test_id("audit-entries")).not_to_contain_text(code)
