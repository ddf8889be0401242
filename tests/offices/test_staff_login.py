"""Staff sign-in is guarded against password guessing by django-axes."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _sign_in(client: Client, username: str, password: str) -> Any:
    return client.post(reverse("staff:login"), {"username": username, "password": password})


def test_clerk_signs_in_and_sees_their_office(
    client: Client, counter_clerk: Any, jakarta_office: Any
) -> None:
    response = _sign_in(client, "dewi", PASSWORD)
    assert response.status_code == 302
    home = client.get(reverse("staff:home")).content.decode()
    assert jakarta_office.name in home
    assert "Petugas loket" in home


def test_wrong_password_gets_a_translated_error(client: Client, counter_clerk: Any) -> None:
    response = client.post(
        "/en" + reverse("staff:login"), {"username": "dewi", "password": "salah"}
    )
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(
    client: Client, counter_clerk: Any
) -> None:
    for _ in range(5):
        _sign_in(client, "dewi", "tebak-tebakan")
    locked = _sign_in(client, "dewi", PASSWORD)
    assert locked.status_code == 429
    assert "Terlalu banyak percobaan masuk" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_of_one_account_leaves_colleagues_alone(
    client: Client, counter_clerk: Any, supervisor: Any
) -> None:
    for _ in range(5):
        _sign_in(client, "dewi", "tebak-tebakan")
    assert _sign_in(client, "bambang", PASSWORD).status_code == 302


def test_admin_login_is_guarded_too(client: Client, national_admin: Any) -> None:
    for _ in range(5):
        client.post(reverse("admin:login"), {"username": "nasional", "password": "tebak"})
    response = client.post(reverse("admin:login"), {"username": "nasional", "password": PASSWORD})
    assert response.status_code == 429


def test_staff_pages_need_a_sign_in(client: Client) -> None:
    response = client.get(reverse("staff:home"))
    assert response.status_code == 302
    assert reverse("staff:login") in response["Location"]
