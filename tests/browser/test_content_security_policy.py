"""Under the Content-Security-Policy, the pages, the admin and the API docs work in real
Chromium without a single violation: nothing inline is blocked (issue 10, finding 10)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from offices.models import Office, OfficeService
from queueing.kiosks import kiosk_device_create
from tests.browser.conftest import DESKTOP, TABLET

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def _watched(page: Page) -> Page:
    page.add_init_script(RECORD_VIOLATIONS)
    return page


def _violations(page: Page) -> list[str]:
    return list(page.evaluate("window.cspViolations"))


def test_citizen_pages_and_the_kiosk_run_without_violations(
    new_device_page: Callable[..., Page], live_server: Any, demo_country: None
) -> None:
    base = live_server.url
    page = _watched(new_device_page(DESKTOP))
    office_service = OfficeService.objects.filter(
        service__accepts_appointments=True, office__code="kanim-jakarta-pusat"
    ).select_related("office", "service")[0]
    page.goto(f"{base}/kantor/{office_service.office.code}/layanan/{office_service.service.code}/")
    page.locator("a[rel=next]").click()  # htmx swaps the month in
    expect(page.locator("#picker h2")).to_be_visible()
    page.goto(f"{base}/")
    assert _violations(page) == []

    kiosk = _watched(new_device_page(TABLET))
    _device, token = kiosk_device_create(
        office=Office.objects.get(code="kanim-jakarta-pusat"), name="Pintu", by=None
    )
    kiosk.goto(f"{base}/kios/kanim-jakarta-pusat/daftar/#{token}")
    kiosk.locator("form[data-kiosk-enrol] button[type=submit]").click()
    expect(kiosk.get_by_test_id("kiosk-code")).to_be_visible()
    assert _violations(kiosk) == []


def test_the_admin_and_the_api_docs_run_without_violations(
    new_device_page: Callable[..., Page],
    sign_in: Callable[[Page, Any], None],
    live_server: Any,
    national_admin: Any,
    demo_country: None,
) -> None:
    base = live_server.url
    page = _watched(new_device_page(DESKTOP))
    page.goto(f"{base}/admin/login/")
    expect(page.locator("#id_username")).to_be_visible()
    sign_in(page, national_admin)
    for path in (
        "/admin/",
        "/admin/offices/office/",
        "/admin/offices/office/add/",
        "/admin/queueing/kioskdevice/add/",
    ):
        page.goto(base + path)
        expect(page.locator("#content")).to_be_visible()
        assert _violations(page) == [], path
    page.goto(f"{base}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Giliran API")
    page.locator(".opblock-summary").first.click()
    assert _violations(page) == []
