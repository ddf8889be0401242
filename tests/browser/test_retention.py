"""A supervisor reads the data map and the retention runs in real Chromium, in both
languages, and sees a run's counts once the retention job has anonymised a past visit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from booking.models import Booking, BookingStatus
from core.retention import retention_run
from tests.factories import StaffFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_supervisor_follows_retention_in_both_languages(
    page: Page,
    live_server: Any,
    jakarta_office: Any,
    sign_in: Callable[[Page, Any], None],
    settings: Any,
) -> None:
    from tests.core.test_retention import _visit

    supervisor = StaffFactory(username="bambang", office=jakarta_office, role="supervisor")
    past = timezone.localdate() - timedelta(days=120)
    booking = _visit(jakarta_office, past, status=BookingStatus.ATTENDED)
    sign_in(page, supervisor)

    page.goto(live_server.url + "/staf/")
    page.get_by_role("link", name="Peta data pribadi").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Peta data pribadi")
    expect(page.locator("main")).to_contain_text("90 hari setelah hari kunjungan (waktu kantor)")

    page.get_by_role("link", name="Kebijakan retensi dan prosesnya").click()
    expect(page.locator("main")).to_contain_text("Belum ada proses.")

    retention_run()
    assert Booking.objects.get(pk=booking.pk).anonymised_at is not None
    page.reload()
    expect(page.locator("main")).to_contain_text("booking.Booking: 1")

    page.goto(live_server.url + "/en/staf/data-pribadi/retensi/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Retention of personal data")
    expect(page.locator("main")).to_contain_text("90 days after the day of the visit (office time)")
