"""The code that proves who you are says how long it works: GILIRAN_CODE_MINUTES."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from booking.models import Booking
from privacy.services.proof import identity_proof_start
from tests.privacy.conftest import SITI_NIK

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "said"), [("id", "Kode berlaku 5 menit."), ("en", "It works for 5 minutes.")]
)
def test_the_privacy_code_message_says_the_configured_code_lifetime(
    siti_booking: Booking,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
    language: str,
    said: str,
) -> None:
    settings.GILIRAN_CODE_MINUTES = 5
    with django_capture_on_commit_callbacks(execute=True):
        identity_proof_start(nik=SITI_NIK, contact="siti@example.id", language=language)
    body = mail.outbox[-1].body
    assert said in body
    assert "10 menit" not in body and "10 minutes" not in body
