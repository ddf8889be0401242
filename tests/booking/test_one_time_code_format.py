"""A code with letters (or the wrong number of digits) is a typing slip, not a guess: it
is refused with a clear message before an attempt is counted, on the page and in the API,
so the right code still works afterwards (the privacy proof: tests/privacy)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from booking.models import Booking, BookingStatus, Slot, VerificationCode
from tests.booking.test_api_booking import CITIZEN, _code, _post
from tests.booking.test_booking_pages import DETAILS

pytestmark = pytest.mark.django_db(transaction=True)

# Letters, too short, too long, digits of another script.
SLIPS = ["12345a", "abcdef", "12345", "1234567", "\u0661\u0662\u0663\u0664\u0665\u0666"]


def _attempts() -> int:
    return VerificationCode.objects.get().attempts


def _hold_on_the_page(client: Client, slot: Slot, language: str = "id") -> str:
    """Hold the slot through the details page; the code page's address."""
    office_service = slot.office_service
    with translation.override(language):
        details = reverse(
            "book-details", args=[office_service.office.code, office_service.service.code, slot.pk]
        )
        code_page = reverse("book-code")
    assert client.post(details, DETAILS).status_code == 302
    return code_page


def test_the_page_refuses_letters_without_using_an_attempt(client: Client, slot: Slot) -> None:
    code_page = _hold_on_the_page(client, slot)
    for slip in [*SLIPS, "12 34 5x"] * settings.GILIRAN_CODE_ATTEMPTS:
        page = client.post(code_page, {"code": slip})
        assert page.status_code == 200
        assert "Kode terdiri dari 6 angka: ketik hanya angka dari pesan." in page.content.decode()
    assert _attempts() == 0
    right = _code()
    spaced = f"{right[:3]} {right[3:]}"
    assert client.post(code_page, {"code": spaced}).status_code == 302
    assert Booking.objects.get().status == BookingStatus.CONFIRMED


def test_the_page_says_it_in_english(client: Client, slot: Slot) -> None:
    code_page = _hold_on_the_page(client, slot, language="en")
    assert code_page.startswith("/en/")
    page = client.post(code_page, {"code": "12345a"}).content.decode()
    assert "A code has 6 digits: type only the numbers from the message." in page
    assert _attempts() == 0


def test_the_code_field_asks_for_digits(client: Client, slot: Slot) -> None:
    page = client.get(_hold_on_the_page(client, slot)).content.decode()
    assert 'inputmode="numeric"' in page and 'autocomplete="one-time-code"' in page
    assert r'pattern="\s*(\d\s*){6}"' in page


def test_the_api_refuses_letters_without_using_an_attempt(client: Client, slot: Slot) -> None:
    hold = _post(client, "/api/v1/holds/", {**CITIZEN, "slot": slot.pk}).json()
    url = f"/api/v1/holds/{hold['hold_token']}/confirm/"
    for slip in SLIPS * settings.GILIRAN_CODE_ATTEMPTS:
        refused = _post(client, url, {"code": slip}, **{"Accept-Language": "en"})
        assert refused.status_code == 400
        body = refused.json()
        assert body["code"] == "code_format"
        assert body["fields"]["code"] == [
            "A code has 6 digits: type only the numbers from the message."
        ]
    assert _attempts() == 0
    assert _post(client, url, {"code": _code()}).status_code == 200


def test_a_wrong_code_of_six_digits_still_counts(client: Client, slot: Slot) -> None:
    hold = _post(client, "/api/v1/holds/", {**CITIZEN, "slot": slot.pk}).json()
    right = _code()
    wrong = "000000" if right != "000000" else "111111"
    url = f"/api/v1/holds/{hold['hold_token']}/confirm/"
    assert _post(client, url, {"code": wrong}).json()["code"] == "wrong_code"
    assert _attempts() == 1
