"""The kiosk's pages as a citizen meets them: nothing chosen for them, a ticket page that
goes back to the start only after a visible, stoppable countdown (issue 12, item 9)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from offices.models import OfficeService
from queueing.kiosks import TICKET_RESET_SECONDS
from queueing.models import Ticket

pytestmark = pytest.mark.django_db


def test_the_kiosk_chooses_no_service_for_the_citizen(
    kiosk_client: Client, passport: OfficeService, renewal: OfficeService, clock: Any
) -> None:
    page = kiosk_client.get(reverse("kiosk", args=[passport.office.code])).content.decode()
    radios = re.findall(r"<input[^>]*name=\"service\"[^>]*>", page)
    assert len(radios) == 2
    assert not any("checked" in radio for radio in radios)


@pytest.mark.parametrize(
    ("prefix", "error"), [("", "Pilih layanan."), ("/en", "Choose a service.")]
)
def test_a_walk_in_without_a_service_is_asked_to_choose_one(
    kiosk_client: Client, passport: OfficeService, clock: Any, prefix: str, error: str
) -> None:
    kiosk = prefix + reverse("kiosk", args=[passport.office.code])
    response = kiosk_client.post(kiosk, {"action": "walk_in", "priority_group": "elderly"})
    assert response.status_code == 200
    assert f'<p class="kiosk-error" role="alert">{error}</p>' in response.content.decode()
    assert not Ticket.objects.exists()


def test_a_service_without_walk_ins_cannot_be_posted(
    kiosk_client: Client, passport: OfficeService, clock: Any
) -> None:
    OfficeService.objects.filter(pk=passport.pk).update(is_active=False)
    response = kiosk_client.post(
        reverse("kiosk", args=[passport.office.code]),
        {"action": "walk_in", "service": passport.pk},
    )
    assert "Pilih layanan." in response.content.decode()
    assert not Ticket.objects.exists()


def _ticket_page(kiosk_client: Client, passport: OfficeService) -> str:
    response = kiosk_client.post(
        reverse("kiosk", args=[passport.office.code]),
        {"action": "walk_in", "service": passport.pk},
    )
    return kiosk_client.get(response["Location"]).content.decode()


def test_the_ticket_page_has_no_meta_refresh_but_a_countdown_and_a_way_back(
    kiosk_client: Client, passport: OfficeService, clock: Any
) -> None:
    page = _ticket_page(kiosk_client, passport)
    assert "http-equiv" not in page.lower()
    start = reverse("kiosk", args=[passport.office.code])
    # Without JavaScript: a link back, no automatic move; the countdown stays hidden.
    assert f'href="{start}" data-testid="kiosk-done">Selesai</a>' in page
    assert re.search(r"<div[^>]*hidden[^>]*data-kiosk-reset", page)
    assert f'data-seconds="{TICKET_RESET_SECONDS}"' in page and f'data-url="{start}"' in page
    assert 'data-other="Kembali ke awal dalam {seconds} detik"' in page
    assert "Tetap di halaman ini" in page
    assert re.search(r'<script src="[^"]*js/kiosk-ticket\.js" defer>', page)
    assert "<script>" not in page  # nothing inline: the CSP allows none


def test_the_first_ticket_says_next_in_line_not_zero_people_ahead(
    kiosk_client: Client, passport: OfficeService, counter_one: Any, clock: Any
) -> None:
    first = _ticket_page(kiosk_client, passport)
    assert '<p data-testid="kiosk-ahead">Anda berikutnya.</p>' in first
    assert "0 orang" not in first
    second = _ticket_page(kiosk_client, passport)
    assert '<p data-testid="kiosk-ahead">1 orang di depan Anda</p>' in second
