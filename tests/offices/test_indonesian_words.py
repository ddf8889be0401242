"""Staff sign-in in Bahasa Indonesia (the default) and English: a wrong password and a
locked account read as sentences, in the page's language."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _text(response: Any) -> str:
    # Durations keep their number and unit together with a no-break space.
    return str(response.content.decode()).replace("\xa0", " ")


def test_wrong_password_reads_as_one_sentence(client: Client, counter_clerk: Any) -> None:
    response = client.post(reverse("staff:login"), {"username": "dewi", "password": "salah"})
    page = _text(response)
    assert response.status_code == 200
    assert "Masukkan nama pengguna dan kata sandi yang benar." in page
    assert "nama pengguna nama pengguna" not in page


def test_admin_wrong_password_reads_as_one_sentence(client: Client, national_admin: Any) -> None:
    response = client.post(reverse("admin:login"), {"username": "nasional", "password": "salah"})
    page = _text(response)
    assert "Masukkan nama pengguna dan kata sandi yang benar untuk akun petugas." in page
    assert "nama pengguna nama pengguna" not in page


def test_english_wrong_password(client: Client, counter_clerk: Any) -> None:
    response = client.post("/en" + reverse("staff:login"), {"username": "dewi", "password": "x"})
    assert "Please enter a correct username and password." in _text(response)


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("", "dikunci di perangkat ini selama 15 menit."),
        ("/en", "locked on this device for 15 minutes."),
    ],
)
def test_lockout_says_how_long_in_words(
    client: Client, counter_clerk: Any, prefix: str, expected: str
) -> None:
    url = prefix + reverse("staff:login")
    for _ in range(5):
        client.post(url, {"username": "dewi", "password": "tebak-tebakan"})
    locked = client.post(url, {"username": "dewi", "password": PASSWORD})
    page = _text(locked)
    assert locked.status_code == 429
    assert expected in page
    assert "PT15M" not in page


def test_lockout_of_a_longer_cool_off_names_hours_and_minutes(
    client: Client, counter_clerk: Any, settings: Any
) -> None:
    from datetime import timedelta

    settings.AXES_COOLOFF_TIME = timedelta(minutes=90)
    for _ in range(5):
        client.post(reverse("staff:login"), {"username": "dewi", "password": "tebak"})
    page = _text(client.post(reverse("staff:login"), {"username": "dewi", "password": "x"}))
    assert "selama 1 jam, 30 menit." in page


def test_office_page_speaks_indonesian(client: Client, jakarta_office: Any) -> None:
    page = client.get(reverse("office-detail", args=[jakarta_office.code])).content.decode()
    for words in ("Jam buka", "Istirahat", "Layanan di sini", "Senin"):
        assert words in page, words
    assert "Opening hours" not in page
