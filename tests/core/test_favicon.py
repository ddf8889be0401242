"""Every page names its icon, and /favicon.ico, which browsers and crawlers ask for on
their own, is a real icon instead of a 404 (issue 12, item 9)."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def test_favicon_ico_is_a_32_pixel_icon(client: Client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    body = response.getvalue()  # a file, streamed by WhiteNoise
    reserved, kind, count = struct.unpack("<HHH", body[:6])
    width, height = body[6], body[7]
    assert (reserved, kind, count, width, height) == (0, 1, 1, 32, 32)
    size, offset = struct.unpack("<II", body[14:22])
    assert body[offset : offset + 8] == b"\x89PNG\r\n\x1a\n" and offset + size == len(body)


ICON_LINKS = [
    '<link rel="icon" href="/favicon.ico" sizes="32x32">',
    '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">',
]


@pytest.mark.parametrize("path", ["/", "/en/layanan/", "/staf/masuk/", "/kios/kanim-jakarta/"])
def test_pages_link_the_svg_icon_and_its_fallback(
    client: Client, jakarta_office: Any, path: str
) -> None:
    html = client.get(path).content.decode()  # the kiosk's base_bare.html refuses: 403
    for link in ICON_LINKS:
        assert link in html, path


def test_the_svg_icon_is_a_square_drawing() -> None:
    svg = (ROOT / "static" / "img" / "favicon.svg").read_text(encoding="utf-8")
    assert svg.startswith("<svg") and 'viewBox="0 0 32 32"' in svg
