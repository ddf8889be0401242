"""A message's words are plain text: what a citizen reads by SMS or WhatsApp carries the
office's name and the staff's answer as typed, and only the email's HTML part escapes."""

from __future__ import annotations

from notifications.rendering import message_render

CONTEXT = {
    "booking_code": "K7Q2MZ9D",
    "service": "Paspor <baru>",
    "office": "MPP Bekasi & Cikarang",
    "when": "Jumat, 4 Desember 2026 10:00 WIB",
    "requirements": ["KTP-el & KK"],
    "manage_url": "https://giliran.example/pesanan/x/?a=1&b=2",
}


def test_the_text_carries_names_as_typed_and_the_html_part_escapes_them() -> None:
    rendered = message_render(kind="confirmed", language="id", context=CONTEXT)
    assert "MPP Bekasi & Cikarang" in rendered.text
    assert "Paspor <baru>" in rendered.text and "KTP-el & KK" in rendered.text
    assert "?a=1&b=2" in rendered.text and "&amp;" not in rendered.text
    assert "&amp;" not in rendered.subject
    assert "MPP Bekasi &amp; Cikarang" in rendered.html and "Paspor &lt;baru&gt;" in rendered.html


def test_an_sms_is_plain_text_too() -> None:
    rendered = message_render(kind="confirmed", language="en", context=CONTEXT, for_email=False)
    assert "MPP Bekasi & Cikarang" in rendered.text and "&amp;" not in rendered.text
