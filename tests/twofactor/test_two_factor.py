"""Supervisors and administrators pass a second factor after their password before any
staff page, the admin or the staff API serves them; counter staff may opt in."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD
from tests.signin import sign_in_without_second_factor

pytestmark = pytest.mark.django_db


def _password(client: Client, username: str) -> Any:
    return client.post(reverse("staff:login"), {"username": username, "password": PASSWORD})


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _enrolled(user: Any) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def _staff_pages(office_code: str) -> list[str]:
    return [
        reverse("staff:home"),
        reverse("staff:book-start", args=[office_code]),
        reverse("staff:capacity", args=[office_code]),
        reverse("staff:messages", args=[office_code]),
        reverse("staff:plan-days", args=[office_code]),
        reverse("staff:counters"),
        reverse("audit:log"),
        reverse("privacy-staff-queue"),
        reverse("privacy-staff-request", args=["DS-BCDFGHJK"]),
        "/en" + reverse("privacy-staff-queue"),
        reverse("admin:index"),
        reverse("admin:booking_booking_changelist"),
    ]


@pytest.mark.parametrize("who", ["supervisor", "office_admin", "national_admin"])
def test_unverified_supervisor_or_admin_is_sent_to_the_second_factor_on_every_staff_page(
    client: Client, jakarta_office: Any, request: pytest.FixtureRequest, who: str
) -> None:
    user = request.getfixturevalue(who)
    _enrolled(user)
    assert _password(client, user.username).status_code == 302
    for url in _staff_pages(jakarta_office.code):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("twofactor:verify")), url


def test_supervisor_without_a_device_is_sent_to_enrol(client: Client, supervisor: Any) -> None:
    _password(client, "bambang")
    verify = client.get(reverse("staff:home"), follow=True)
    assert verify.redirect_chain[-1][0].startswith(reverse("twofactor:enrol"))
    assert "otpauth://totp/Giliran%3Abambang" in verify.content.decode()


def test_unverified_session_cannot_use_the_staff_api(
    client: Client, supervisor: Any, jakarta_office: Any
) -> None:
    from tests.factories import CounterFactory

    counter = CounterFactory.create(office=jakarta_office, number=7)
    url = f"/api/v1/counters/{counter.pk}/"
    verified = Client()
    verified.force_login(supervisor)
    assert verified.get(url).status_code == 200
    sign_in_without_second_factor(client, supervisor)
    assert client.get(url).status_code in (401, 403)


def test_clerk_without_a_device_works_without_a_second_factor(
    client: Client, counter_clerk: Any, jakarta_office: Any
) -> None:
    _password(client, "dewi")
    assert client.get(reverse("staff:book-start", args=[jakarta_office.code])).status_code == 200
    home = client.get(reverse("staff:home")).content.decode()
    assert reverse("twofactor:manage") in home


def test_authenticator_code_verifies_the_session(client: Client, supervisor: Any) -> None:
    device = _enrolled(supervisor)
    _password(client, "bambang")
    response = client.post(
        reverse("twofactor:verify"), {"code": _code(device), "next": reverse("staff:home")}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:home")
    assert client.get(reverse("staff:home")).status_code == 200


def test_wrong_code_is_refused_in_the_users_language(client: Client, supervisor: Any) -> None:
    device = _enrolled(supervisor)
    _password(client, "bambang")
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"
    response = client.post("/en" + reverse("twofactor:verify"), {"code": wrong})
    assert response.status_code == 400
    assert "That code is not right or has expired" in response.content.decode()
    assert client.get(reverse("staff:home")).status_code == 302


def test_code_guessing_is_limited_even_against_the_right_code(
    client: Client, supervisor: Any
) -> None:
    device = _enrolled(supervisor)
    _password(client, "bambang")
    for guess in range(5):
        client.post(reverse("twofactor:verify"), {"code": f"{guess:06d}"})
    response = client.post(reverse("twofactor:verify"), {"code": _code(device)})
    assert response.status_code == 429
    assert "Terlalu banyak percobaan" in response.content.decode()
    assert client.get(reverse("staff:home")).status_code == 302


def test_enrolment_shows_recovery_codes_once_and_each_works_once(
    client: Client, supervisor: Any
) -> None:
    _password(client, "bambang")
    page = client.get(reverse("twofactor:enrol")).content.decode()
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', page)
    assert secret
    device = TOTPDevice.objects.get(user=supervisor, confirmed=False)
    response = client.post(reverse("twofactor:enrol"), {"code": _code(device)})
    assert response.status_code == 302
    codes_page = client.get(response["Location"]).content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", codes_page)
    assert len(codes) == 10
    assert (
        "<li><code>"
        not in client.get(reverse("twofactor:recovery-codes"), follow=True).content.decode()
    )

    for attempt in ("first", "second"):
        fresh = Client()
        _password(fresh, "bambang")
        answer = fresh.post(reverse("twofactor:verify"), {"code": codes[0]})
        if attempt == "first":
            assert answer.status_code == 302
            assert fresh.get(reverse("staff:home")).status_code == 200
        else:
            assert answer.status_code == 400
            assert fresh.get(reverse("staff:home")).status_code == 302


def test_second_authenticator_needs_a_verified_session(client: Client, supervisor: Any) -> None:
    _enrolled(supervisor)
    _password(client, "bambang")
    response = client.get(reverse("twofactor:enrol"))
    assert response["Location"].startswith(reverse("twofactor:verify"))
    assert not TOTPDevice.objects.filter(user=supervisor, confirmed=False).exists()
