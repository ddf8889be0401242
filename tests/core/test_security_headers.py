"""Every response carries a Content-Security-Policy that allows only this origin and a
Permissions-Policy that turns powerful features off; the kiosk alone may use the camera
(issue 10, finding 10). Templates keep no inline script, style or event handler, which
that policy would block."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _directives(response: Any) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return {
        part.strip().split(" ", 1)[0]: part.strip().partition(" ")[2]
        for part in policy.split(";")
        if part.strip()
    }


def _assert_strict(response: Any) -> None:
    csp = _directives(response)
    for directive in ("default-src", "script-src", "style-src", "img-src", "connect-src"):
        assert csp[directive] == "'self'", (directive, csp)
    assert csp["object-src"] == "'none'" and csp["frame-ancestors"] == "'none'"
    assert "unsafe" not in response["Content-Security-Policy"]
    permissions = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in permissions


def test_pages_carry_a_strict_policy(client: Client, jakarta_office: Any) -> None:
    for url in ("/", "/en/", "/kantor/kanim-jakarta/", "/pesanan/", "/staf/masuk/"):
        _assert_strict(client.get(url))


def test_the_api_and_its_errors_carry_it_too(client: Client, jakarta_office: Any) -> None:
    _assert_strict(client.get("/api/v1/offices/"))
    _assert_strict(client.get("/api/v1/tidak-ada/"))
    _assert_strict(client.post("/api/v1/holds/", "[", content_type="application/json"))


def test_the_admin_carries_it(client: Client, national_admin: Any) -> None:
    _assert_strict(client.get("/admin/login/"))
    client.force_login(national_admin)
    for url in ("/admin/", "/admin/offices/office/", "/admin/offices/office/add/"):
        response = client.get(url)
        assert response.status_code == 200
        _assert_strict(response)


def test_the_api_docs_load_their_script_from_a_file(client: Client) -> None:
    page = client.get("/api/docs/")
    assert page.status_code == 200
    csp = _directives(page)
    assert csp["script-src"] == "'self'" and csp["img-src"] == "'self' data:"
    assert csp["style-src"] == "'self' 'unsafe-inline'"  # Swagger UI injects <style>
    html = page.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    script = re.search(r'<script src="([^"]*\?script=[^"]*)"', html)
    assert script is not None
    assert client.get(script.group(1).replace("&amp;", "&")).status_code == 200


def test_only_the_kiosk_may_use_the_camera(client: Client, jakarta_office: Any) -> None:
    from queueing.kiosks import kiosk_device_create

    _device, token = kiosk_device_create(office=jakarta_office, name="Pintu", by=None)
    client.post("/kios/kanim-jakarta/daftar/", {"token": token})
    kiosk = client.get("/kios/kanim-jakarta/")
    assert kiosk.status_code == 200
    assert "camera=(self)" in kiosk["Permissions-Policy"]
    assert "microphone=()" in kiosk["Permissions-Policy"]
    assert "camera=()" in client.get("/")["Permissions-Policy"]


@pytest.mark.parametrize(
    "template",
    sorted(
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if "notifications" not in path.parts  # e-mail bodies, never served as pages
    ),
)
def test_templates_have_no_inline_script_style_or_handler(template: str) -> None:
    html = (TEMPLATES / template).read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert "<style" not in html, "inline <style>"
    assert not re.search(r"\sstyle=", html), "style attribute"
    assert not re.search(r"\son[a-z]+=", html), "on* event handler"
    assert "javascript:" not in html
