"""A NIK is never stored, logged or put in a URL in plain text, and is shown masked."""

from __future__ import annotations

import logging
import re
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from booking.models import Booking, Slot
from booking.services.personal_data import nik_encryption_rotate
from core import personal_data

pytestmark = pytest.mark.django_db(transaction=True)

NIK = "3171014501900001"


def _journey(client: Client, slot: Slot) -> list[str]:
    """Book through the pages; return every URL the flow produced (redirects, links)."""
    office_service = slot.office_service
    urls = []
    details_url = reverse(
        "book-details", args=[office_service.office.code, office_service.service.code, slot.pk]
    )
    response = client.post(
        details_url,
        {
            "full_name": "Siti",
            "nik": NIK,
            "phone": "081234567890",
            "email": "siti@example.id",
            "channel": "email",
        },
    )
    urls.append(response["Location"])
    code = re.search(r"\b(\d{6})\b", str(mail.outbox[-1].body)).group(1)  # type: ignore[union-attr]
    response = client.post(reverse("book-code"), {"code": code})
    urls.append(response["Location"])
    page = client.get(response["Location"]).content.decode()
    urls += re.findall(r'(?:href|src|action)="([^"]+)"', page)
    urls += re.findall(r"https?://\S+", " ".join(str(m.body) for m in mail.outbox))
    assert "************0001" in page and NIK not in page
    return urls


def test_no_plain_nik_in_the_database_logs_or_urls(
    client: Client, slot: Slot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    urls = _journey(client, slot)
    assert urls and not [url for url in urls if NIK in url or NIK[-8:] in url]
    assert NIK not in caplog.text
    dump = StringIO()
    call_command("dumpdata", stdout=dump)
    assert NIK not in dump.getvalue()
    booking = Booking.objects.get()
    assert booking.nik_hash != personal_data.keyed_hash("3171010101900002")
    assert personal_data.decrypt(booking.nik_encrypted) == NIK


def test_api_shows_the_nik_masked(client: Client, slot: Slot) -> None:
    _journey(client, slot)
    booking = Booking.objects.get()
    found = client.post(
        "/api/v1/bookings/lookup/",
        {"code": booking.code, "secret": "0001"},
        content_type="application/json",
    ).json()
    assert found["booking"]["nik"] == "************0001"
    assert NIK not in str(found)


def test_rotating_the_encryption_key(settings: Any, slot: Slot, client: Client) -> None:
    old_key, new_key = (
        "q2hjbTc0ZmxLa0NvZ2V6eTZhZ2VsZm1mQ1JlRkJ2b0E=",
        "0sYHQkz3fv3gYxX8HkFU4dm2dXBjbU8vT0NhMXV3N1E=",
    )
    settings.GILIRAN_DATA_KEYS = [old_key]
    personal_data.reset_key_cache()
    try:
        _journey(client, slot)
        settings.GILIRAN_DATA_KEYS = [new_key, old_key]
        personal_data.reset_key_cache()
        assert nik_encryption_rotate() == 1
        settings.GILIRAN_DATA_KEYS = [new_key]
        personal_data.reset_key_cache()
        assert personal_data.decrypt(Booking.objects.get().nik_encrypted) == NIK
    finally:
        personal_data.reset_key_cache()
