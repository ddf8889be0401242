"""The data-subject API: proof, short-lived bearer grant (never in a URL), the export
with the processing trail, and filing a request. Errors have the usual JSON shape."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from booking.models import Booking, BookingStatus, Slot
from core.nik import NIK_PATTERN
from notifications.models import Message
from privacy.messages import PrivacyMessageKind
from privacy.models import DataRequest
from tests.privacy.conftest import BUDI_NIK, SITI_NIK, book, code_from_mail

pytestmark = pytest.mark.django_db(transaction=True)


def _grant(client: Client, contact: str = "siti@example.id") -> str:
    started = client.post(
        "/api/v1/privacy/proofs/",
        {"nik": SITI_NIK, "contact": contact},
        content_type="application/json",
    )
    assert started.status_code == 202
    confirmed = client.post(
        "/api/v1/privacy/proofs/confirm/",
        {"proof": started.json()["proof"], "code": code_from_mail()},
        content_type="application/json",
    )
    assert confirmed.status_code == 200
    return str(confirmed.json()["access_token"])


def test_a_proved_client_reads_the_citizens_data_with_a_bearer_grant(
    client: Client, siti_booking: Booking, budi_booking: Booking
) -> None:
    token = _grant(client)
    response = client.get("/api/v1/privacy/me/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    data = response.json()
    assert [b["code"] for b in data["bookings"]] == [siti_booking.code]
    assert data["processing_trail"][0]["what"] == "booking_made"
    assert SITI_NIK not in response.content.decode()
    assert budi_booking.code not in response.content.decode()


def test_unknown_details_get_the_same_answer(client: Client, siti_booking: Booking) -> None:
    answers = [
        client.post(
            "/api/v1/privacy/proofs/",
            {"nik": nik, "contact": "siti@example.id"},
            content_type="application/json",
        )
        for nik in (SITI_NIK, BUDI_NIK)
    ]
    assert [a.status_code for a in answers] == [202, 202]
    assert answers[0].json().keys() == answers[1].json().keys()
    assert answers[0].json()["detail"] == answers[1].json()["detail"]
    refused = client.post(
        "/api/v1/privacy/proofs/confirm/",
        {"proof": answers[1].json()["proof"], "code": code_from_mail()},
        content_type="application/json",
    )
    assert refused.status_code == 400 and refused.json()["code"] == "wrong_code"


def test_without_or_after_the_grant_the_data_is_refused_in_the_error_shape(
    client: Client, siti_booking: Booking, clock: Any
) -> None:
    refused = client.get("/api/v1/privacy/me/", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 401
    assert refused.json() == {
        "code": "not_proved",
        "message": "Prove who you are first, with your NIK and a one-time code.",
        "fields": {},
    }
    token = _grant(client)
    clock.shift(timedelta(minutes=16))
    expired = client.get("/api/v1/privacy/me/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert expired.status_code == 401


def test_an_invalid_nik_is_a_field_error(client: Client, siti_booking: Booking) -> None:
    response = client.post(
        "/api/v1/privacy/proofs/",
        {"nik": "12", "contact": "siti@example.id"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "nik" in response.json()["fields"]


def test_a_deletion_request_is_filed_with_the_proved_contact(
    client: Client, siti_booking: Booking
) -> None:
    token = _grant(client)
    response = client.post(
        "/api/v1/privacy/requests/",
        {"kind": "deletion", "reason": "Tidak memakai lagi."},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["kind"] == "deletion" and body["status"] == "received"
    request = DataRequest.objects.get(reference=body["reference"])
    assert request.address == "siti@example.id"
    bad = client.post(
        "/api/v1/privacy/requests/",
        {"kind": "correction", "field": "email", "new_value": "x"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert bad.status_code == 400 and "new_value" in bad.json()["fields"]


def test_proving_one_contact_shows_only_the_rows_made_with_it(
    client: Client, siti_booking: Booking, slot: Slot
) -> None:
    """Someone booked and confirmed with Siti's NIK and their own email: proving that
    email shows their booking, never Siti's (made with her own contact)."""
    Booking.objects.filter(pk=siti_booking.pk).update(status=BookingStatus.ATTENDED)
    later = Slot.objects.filter(
        office_service=slot.office_service, capacity__gt=0, starts_at__gt=slot.starts_at
    ).order_by("starts_at")[0]
    other = book(later, SITI_NIK, phone="0813-9999-0000", email="mallory@example.id")
    token = _grant(client, "mallory@example.id")
    response = client.get("/api/v1/privacy/me/", HTTP_AUTHORIZATION=f"Bearer {token}")
    body = response.content.decode()
    assert [b["code"] for b in response.json()["bookings"]] == [other.code]
    assert siti_booking.code not in body and "siti@example.id" not in body


def test_the_proof_takes_the_nik_as_the_booking_api_does(
    client: Client, siti_booking: Booking
) -> None:
    """The schema declares the same NIK pattern as the booking API, and the NIK is
    digits only there too (spaces are for the web form)."""
    schema = client.get("/api/schema/", {"format": "json"}).json()
    body = schema["paths"]["/api/v1/privacy/proofs/"]["post"]["requestBody"]["content"]
    ref = body["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    nik = schema["components"]["schemas"][ref]["properties"]["nik"]
    assert nik["pattern"] == NIK_PATTERN and nik["writeOnly"] is True
    spaced = client.post(
        "/api/v1/privacy/proofs/",
        {"nik": "3171 0145 0190 0001", "contact": "siti@example.id"},
        content_type="application/json",
    )
    assert spaced.status_code == 400 and "nik" in spaced.json()["fields"]


def test_codes_to_one_contact_are_limited_like_booking_codes(
    client: Client, siti_booking: Booking, settings: Any
) -> None:
    """The per-contact code limit of the booking flow applies to privacy codes too,
    whatever NIK is typed (the answer does not depend on whether it is known)."""
    settings.GILIRAN_RATE_CODE_PER_CONTACT = "2/h"
    settings.GILIRAN_RATE_PRIVACY_PER_NIK = "100/h"
    settings.GILIRAN_RATE_PRIVACY_PER_IP = "100/h"
    answers = [
        client.post(
            "/api/v1/privacy/proofs/",
            {"nik": nik, "contact": "0812-3456-7890"},
            content_type="application/json",
        ).status_code
        for nik in (SITI_NIK, BUDI_NIK, SITI_NIK)
    ]
    assert answers == [202, 202, 429]


def test_privacy_codes_spend_the_sms_budget(
    client: Client, siti_booking: Booking, settings: Any
) -> None:
    """With the hour's SMS budget spent, no code goes out, and the answer is the same."""
    settings.GILIRAN_MESSAGE_BUDGET_PER_HOUR = 1
    answers = [
        client.post(
            "/api/v1/privacy/proofs/",
            {"nik": SITI_NIK, "contact": "0812-3456-7890"},
            content_type="application/json",
        )
        for _ in range(2)
    ]
    assert [a.status_code for a in answers] == [202, 202]
    assert Message.objects.filter(kind=PrivacyMessageKind.PRIVACY_CODE).count() == 1
