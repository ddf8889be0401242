"""Kiosk, live ticket page and counter console in Bahasa Indonesia (the site's default
language): the words a citizen and a clerk read, none left in English."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from offices.models import Counter, OfficeService
from queueing.models import Ticket

pytestmark = pytest.mark.django_db


def _assert_words(page: str, indonesian: tuple[str, ...], english: tuple[str, ...]) -> None:
    missing = [words for words in indonesian if words not in page]
    left_in_english = [words for words in english if words in page]
    assert (missing, left_in_english) == ([], [])


def test_kiosk_speaks_indonesian(kiosk_client: Client, passport: OfficeService, clock: Any) -> None:
    page = kiosk_client.get(reverse("kiosk", args=[passport.office.code])).content.decode()
    _assert_words(
        page,
        ("Saya sudah memesan", "Kode pemesanan", "Pindai kode QR", "Ambil nomor", "Layanan"),
        ("I have a booking", "Take a number", "Print my number"),
    )


def test_live_ticket_page_speaks_indonesian(
    client: Client, passport: OfficeService, counter_one: Counter, clock: Any
) -> None:
    client.post(reverse("take-number", args=[passport.office.code]), {"service": passport.pk})
    ticket = Ticket.objects.get()
    page = client.get(reverse("ticket-live", args=[ticket.public_token])).content.decode()
    _assert_words(
        page,
        (ticket.display_number, "Anda berikutnya.", "Keluar dari antrean"),
        ("You are next", "ahead of you", "Leave the queue", "Estimated wait"),
    )


def test_counter_console_speaks_indonesian(
    kiosk_client: Client,
    passport: OfficeService,
    counter_one: Counter,
    counter_clerk: Any,
    clock: Any,
) -> None:
    client = kiosk_client
    client.post(
        reverse("kiosk", args=[passport.office.code]), {"action": "walk_in", "service": passport.pk}
    )
    client.force_login(counter_clerk)
    console = reverse("staff:console", args=[counter_one.pk])
    idle = client.get(console).content.decode()
    _assert_words(
        idle,
        ("Nomor saat ini", "Panggil berikutnya", "Loket 1", "Menunggu"),
        ("Current ticket", "Call next", "Waiting"),
    )
    called = client.post(console, {"action": "next"}).content.decode()
    _assert_words(
        called,
        ("Panggil ulang", "Mulai melayani", "Selesai", "Tidak hadir", "Tunda"),
        ("Call again", "Start serving", "No-show"),
    )
