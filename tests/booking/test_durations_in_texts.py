"""Pages and messages that name a duration say the configured one
(GILIRAN_HOLD_MINUTES, GILIRAN_CODE_MINUTES, GILIRAN_WAITLIST_OFFER_MINUTES), in both
languages."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from booking.models import Slot, Source
from booking.services.booking import booking_hold, code_send
from offices.models import OfficeService
from tests.booking.conftest import FIRST_BOOKABLE, citizen_details

pytestmark = pytest.mark.django_db

PREFIXES = {"id": "", "en": "/en"}


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("id", "Kami menahan waktu ini untuk Anda selama 15 menit"),
        ("en", "We hold this time for you for 15 minutes"),
    ],
)
def test_the_details_page_says_the_configured_hold(
    client: Client, slot: Slot, settings: Any, language: str, said: str
) -> None:
    settings.GILIRAN_HOLD_MINUTES = 15
    office_service = slot.office_service
    url = reverse(
        "book-details", args=[office_service.office.code, office_service.service.code, slot.pk]
    )
    page = client.get(PREFIXES[language] + url).content.decode()
    assert said in page
    assert "10 menit" not in page and "10 minutes" not in page


@pytest.mark.parametrize(
    ("minutes", "language", "said"),
    [
        (5, "id", "berlaku 5 menit."),
        (5, "en", "works for 5 minutes."),
        (1, "en", "works for 1 minute."),
    ],
)
def test_the_code_message_says_the_configured_code_lifetime(
    slot: Slot,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
    minutes: int,
    language: str,
    said: str,
) -> None:
    settings.GILIRAN_CODE_MINUTES = minutes
    with django_capture_on_commit_callbacks(execute=True):
        booking = booking_hold(
            slot_id=slot.pk, details=citizen_details(language=language), source=Source.WEB
        )
        code_send(booking=booking)
    body = mail.outbox[-1].body
    assert said in body
    assert "10 menit" not in body and "10 minutes" not in body


@pytest.mark.parametrize(
    ("language", "said"),
    [("id", "selama 25 menit"), ("en", "for 25 minutes")],
)
def test_the_waiting_list_page_says_the_configured_offer_hold(
    client: Client, passport_here: OfficeService, settings: Any, language: str, said: str
) -> None:
    settings.GILIRAN_WAITLIST_OFFER_MINUTES = 25
    path = reverse("waitlist-join", args=[passport_here.office.code, passport_here.service.code])
    page = client.get(f"{PREFIXES[language]}{path}?tanggal={FIRST_BOOKABLE:%Y-%m-%d}")
    assert said in page.content.decode()
