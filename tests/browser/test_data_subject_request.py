"""A citizen proves who they are with NIK + a code from their email, sees and downloads
their data, asks for a correction; the office's supervisor finds it in the queue with its
WIB deadline and completes it; the citizen is told. In Indonesian and in English, in
real Chromium."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from booking.models import Booking, Slot, Source
from booking.selectors.availability import slot_refusal
from booking.services.booking import booking_confirm, booking_hold
from core.errors import ApplicationError
from offices.models import OfficeService
from privacy.models import DataRequest, RequestStatus
from tests.booking.conftest import citizen_details
from tests.browser.conftest import DESKTOP
from tests.browser.test_booking_journey import latest_code_sent_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NIK = "3171014501900001"
EMAIL = "siti.data@example.id"


def _booked(nik: str, email: str) -> Booking:
    """Siti's confirmed passport booking at Kantor Imigrasi Jakarta Pusat (WIB)."""
    office_service = OfficeService.objects.get(
        office__code="kanim-jakarta-pusat", service__code="paspor-baru"
    )
    now = timezone.now()
    for slot in Slot.objects.filter(
        office_service=office_service, starts_at__gt=now + timedelta(days=2), capacity__gt=0
    ).order_by("starts_at")[:200]:
        if slot.taken >= slot.capacity or slot_refusal(slot, now):
            continue
        try:
            hold = booking_hold(
                slot_id=slot.pk, details=citizen_details(nik, email=email), source=Source.WEB
            )
        except ApplicationError:
            continue
        return booking_confirm(booking=hold)
    raise AssertionError("no bookable slot in the demo plan")


@pytest.mark.parametrize(
    ("language", "prefix", "texts"),
    [
        ("id", "", {"filed": "sudah diterima", "done": "Selesai", "corrected": "Data diperbaiki"}),
        ("en", "/en", {"filed": "is received", "done": "Done", "corrected": "Data corrected"}),
    ],
)
def test_a_citizen_asks_for_a_correction_and_the_supervisor_makes_it(
    live_server: Any,
    demo_country: None,
    new_phone_page: Callable[..., Page],
    new_device_page: Callable[..., Page],
    sign_in: Callable[[Page, Any], None],
    language: str,
    prefix: str,
    texts: dict[str, str],
) -> None:
    booking = _booked(NIK, EMAIL)
    base = live_server.url + prefix

    # The citizen, on a phone.
    phone = new_phone_page()
    phone.goto(base + "/data-saya/")
    expect(phone.locator("html")).to_have_attribute("lang", language)
    phone.locator("input[name=nik]").fill(NIK)
    phone.locator("input[name=contact]").fill(EMAIL)
    phone.locator("main form button[type=submit]").click()
    expect(phone).to_have_url(base + "/data-saya/kode/")
    phone.locator("input[name=code]").fill(latest_code_sent_to(EMAIL))
    phone.locator("main form button[type=submit]").click()
    expect(phone).to_have_url(base + "/data-saya/lihat/")
    expect(phone.locator("main")).to_contain_text(booking.code)
    expect(phone.locator("main")).to_contain_text("************0001")
    expect(phone.locator("[data-testid=trail] li").first).to_be_visible()

    with phone.expect_download() as download_info:
        phone.locator(f'a[href="{prefix}/data-saya/unduh/"]').click()
    exported = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
    assert [b["code"] for b in exported["bookings"]] == [booking.code]
    assert NIK not in json.dumps(exported)

    phone.locator("input[name=kind][value=correction]").check()
    phone.locator("select[name=field]").select_option("full_name")
    phone.locator("input[name=new_value]").fill("Siti Rahmawati Putri")
    phone.locator("form[action$='/data-saya/permintaan/'] button[type=submit]").click()
    expect(phone.locator("[data-testid=filed]")).to_contain_text(texts["filed"])
    request = DataRequest.objects.get()
    expect(phone.locator("[data-testid=filed]")).to_contain_text(request.reference)

    # The supervisor of the Jakarta office, at a desktop.
    desk = new_device_page(DESKTOP, timezone_id="Asia/Jakarta")
    sign_in(desk, User.objects.get(username="supervisor.jakarta"))
    desk.goto(base + "/staf/permintaan-data/")
    row = desk.locator("tr", has_text=request.reference)
    expect(row).to_contain_text("WIB")
    row.locator("a").click()
    expect(desk).to_have_url(re.compile(rf"/staf/permintaan-data/{request.reference}/$"))
    expect(desk.locator("[data-testid=new-value]")).to_have_text("Siti Rahmawati Putri")
    desk.locator("input[name=action][value=take] + button").click()
    desk.locator("input[name=action][value=complete] + button").click()
    expect(desk.locator("[data-testid=request-status]")).to_have_text(texts["done"])
    expect(desk.locator("main")).to_contain_text(texts["corrected"])

    request.refresh_from_db()
    booking.refresh_from_db()
    assert request.status == RequestStatus.DONE
    assert booking.full_name == "Siti Rahmawati Putri"
    told = [m for m in mail.outbox if EMAIL in m.to and request.reference in m.body]
    assert told, "the citizen was not told the outcome"
