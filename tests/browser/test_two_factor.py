"""A supervisor enrols an authenticator app and signs in with it, without JavaScript, in
both languages; and registers a passkey and signs in with it on Chromium's virtual
authenticator."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import Browser, Page, expect

from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXTS = {
    "id": {
        "enrol": "Atur masuk dua faktor",
        "codes": "Kode pemulihan Anda",
        "verify": "Pastikan bahwa ini Anda",
        "turn_on": "Aktifkan masuk dua faktor",
        "confirm": "Konfirmasi",
        "continue": "Sudah saya simpan, lanjutkan",
        "sign_out": "Keluar",
        "register": "Daftarkan passkey",
        "use_passkey": "Gunakan passkey",
    },
    "en": {
        "enrol": "Set up two-factor sign-in",
        "codes": "Your recovery codes",
        "verify": "Confirm it is you",
        "turn_on": "Turn on two-factor sign-in",
        "confirm": "Confirm",
        "continue": "I have saved them, continue",
        "sign_out": "Sign out",
    },
}


def _password_step(page: Page, base: str) -> None:
    page.goto(f"{base}/staf/masuk/")
    page.locator("#id_username").fill("bambang")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form:has(#id_password) button[type=submit]").click()


def _code(key: bytes, *, steps_ahead: int = 0) -> str:
    return f"{totp(key, drift=steps_ahead):06d}"


@pytest.mark.parametrize("language", ["id", "en"])
def test_supervisor_enrols_an_authenticator_and_signs_in_without_javascript(
    browser: Browser, live_server: Any, supervisor: Any, language: str
) -> None:
    text = TEXTS[language]
    base = live_server.url + ("/en" if language == "en" else "")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()

    _password_step(page, base)
    expect(page).to_have_url(
        f"{base}/staf/2fa/daftar/?next=/{'en/' if language == 'en' else ''}staf/"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(text["enrol"])
    secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret)
    page.get_by_label("Kode" if language == "id" else "Code").fill(_code(key))
    page.get_by_role("button", name=text["turn_on"]).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(text["codes"])
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    page.get_by_role("link", name=text["continue"]).click()
    expect(page).to_have_url(f"{base}/staf/")
    assert TOTPDevice.objects.get(user=supervisor).confirmed

    page.get_by_role("button", name=text["sign_out"]).click()
    _password_step(page, base)
    expect(page.get_by_role("heading", level=1)).to_have_text(text["verify"])
    page.get_by_label("Kode" if language == "id" else "Code").fill(_code(key, steps_ahead=1))
    page.get_by_role("button", name=text["confirm"], exact=True).click()
    expect(page).to_have_url(f"{base}/staf/")
    context.close()


def test_supervisor_registers_a_passkey_and_signs_in_with_it(
    page: Page,
    live_server: Any,
    supervisor: Any,
    sign_in: Callable[[Page, Any], None],
    settings: Any,
) -> None:
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    assert live_server.url.startswith("http://localhost:")
    text = TEXTS["id"]
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    TOTPDevice.objects.create(user=supervisor, name="authenticator", confirmed=True)
    sign_in(page, supervisor)
    page.goto(f"{live_server.url}/staf/2fa/")
    page.get_by_role("button", name=text["register"]).click()
    page.wait_for_function(
        "() => document.querySelector('#passkey-register-status-message')"
        " ?.dataset.statusEnum === 'success'"
    )
    assert WebAuthnCredential.objects.filter(user=supervisor, confirmed=True).count() == 1

    page.goto(f"{live_server.url}/staf/")
    page.get_by_role("button", name=text["sign_out"]).click()
    _password_step(page, live_server.url)
    expect(page.get_by_role("heading", level=1)).to_have_text(text["verify"])
    page.get_by_role("button", name=text["use_passkey"]).click()
    expect(page).to_have_url(f"{live_server.url}/staf/")
