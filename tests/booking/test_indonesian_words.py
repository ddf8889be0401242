"""The booking pages in Bahasa Indonesia (the site's default language, no /en prefix) say
what their English says, read as a citizen reads them, not a left-over translation."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from booking.models import Slot
from offices.models import OfficeService
from tests.booking.test_booking_pages import DETAILS, book

pytestmark = pytest.mark.django_db(transaction=True)


def _details_url(slot: Slot) -> str:
    office_service = slot.office_service
    return reverse(
        "book-details", args=[office_service.office.code, office_service.service.code, slot.pk]
    )


def _label(page: str, field: str) -> str:
    match = re.search(rf'<label for="id_{field}">([^<]*)</label>', page)
    assert match is not None, f"no label for {field}"
    return match.group(1)


def test_booking_form_names_its_fields_in_indonesian(client: Client, slot: Slot) -> None:
    page = client.get(_details_url(slot)).content.decode()
    assert '<html lang="id"' in page
    assert _label(page, "phone") == "Nomor HP"  # was "nomor": the old text of "number"
    assert _label(page, "email") == "Email"
    assert _label(page, "full_name") == "Nama lengkap (sesuai KTP)"
    assert _label(page, "nik") == "NIK (16 digit)"
    assert "Tahan waktu ini dan kirim kode saya" in page


def test_second_booking_with_one_nik_says_the_nik_already_has_a_booking(
    client: Client, slot: Slot, passport_here: OfficeService
) -> None:
    book(client, slot)
    other = (
        Slot.objects.filter(
            office_service=passport_here, local_date=slot.local_date, capacity__gt=0
        )
        .exclude(pk=slot.pk)
        .order_by("starts_at")[0]
    )
    response = client.post(_details_url(other), {**DETAILS, "email": "lain@example.id"})
    page = response.content.decode()
    field_error = re.search(r'<p class="error" id="id_nik-error">([^<]*)</p>', page)
    assert field_error is not None, page[:3000]
    assert field_error.group(1) == "NIK ini sudah memiliki pemesanan aktif untuk layanan ini."
    assert "peran di kantor" not in page  # "this person already has a role in this office"


def test_calendar_speaks_indonesian(client: Client, passport_here: OfficeService) -> None:
    url = reverse("book-calendar", args=[passport_here.office.code, passport_here.service.code])
    page = client.get(url, {"bulan": "2026-12"}).content.decode()
    for words in ("Desember 2026", "Bulan berikutnya", "Sen", "Rab", "Hari Raya Natal"):
        assert words in page, words
    for english in ("Next month", "December", "Wed"):
        assert english not in page, english


def test_slot_admin_says_when_a_slot_ends_not_when_an_office_opens(
    client: Client, national_admin: Any, slot: Slot
) -> None:
    client.force_login(national_admin)
    page = client.get(reverse("admin:booking_slot_change", args=[slot.pk])).content.decode()
    labels = re.findall(r"<label>([^<]*):</label>", page)
    assert "Mulai" in labels and "Selesai" in labels, labels
    assert "Buka pukul" not in labels
