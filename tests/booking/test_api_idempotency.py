"""Idempotency-Key through the booking API: replays are authorized like first requests,
keys belong to their credential, and rows hold no personal data or tokens (issue 10,
findings 1 and 7)."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from booking.models import Booking, BookingStatus, Slot
from core.models import IdempotentRequest

pytestmark = pytest.mark.django_db(transaction=True)

NIK = "3171014501937465"
CITIZEN = {
    "full_name": "Siti Rahmawati",
    "nik": NIK,
    "phone": "081234567890",
    "email": "siti@example.id",
    "channel": "email",
    "language": "en",
}


def _post(client: Client, url: str, body: dict[str, Any] | None = None, /, **headers: str) -> Any:
    return client.post(url, body or {}, content_type="application/json", headers=headers)


def _code() -> str:
    return re.search(r"\b(\d{6})\b", str(mail.outbox[-1].body)).group(1)  # type: ignore[union-attr]


def _book(client: Client, slot: Slot, **keys: str) -> dict[str, Any]:
    hold = _post(
        client,
        "/api/v1/holds/",
        {**CITIZEN, "slot": slot.pk},
        **({"Idempotency-Key": keys["hold"]} if "hold" in keys else {}),
    )
    assert hold.status_code == 201, hold.json()
    confirmed = _post(
        client,
        f"/api/v1/holds/{hold.json()['hold_token']}/confirm/",
        {"code": _code()},
        **({"Idempotency-Key": keys["confirm"]} if "confirm" in keys else {}),
    )
    assert confirmed.status_code == 200, confirmed.json()
    return {"hold": hold.json(), **confirmed.json()}


def _lookup_token(client: Client, code: str) -> str:
    found = _post(client, "/api/v1/bookings/lookup/", {"code": code, "secret": NIK[-4:]})
    assert found.status_code == 200, found.json()
    return str(found.json()["manage_token"])


def test_a_replayed_cancel_without_the_token_is_refused_like_a_fresh_request(
    client: Client, slot: Slot
) -> None:
    booked = _book(client, slot)
    code = booked["booking"]["code"]
    url = f"/api/v1/bookings/{code}/cancel/"
    first = _post(
        client,
        url,
        Authorization=f"Bearer {booked['manage_token']}",
        **{"Idempotency-Key": "cancel-1"},
    )
    assert first.status_code == 200
    stranger = _post(client, url, **{"Idempotency-Key": "cancel-1"})
    fresh = _post(client, url)
    assert stranger.status_code == fresh.status_code == 404
    assert stranger.json() == fresh.json() and "Idempotent-Replayed" not in stranger
    assert code not in stranger.content.decode()


def test_a_key_used_with_one_token_is_not_replayed_to_another(
    client: Client, slot: Slot, clock: Any
) -> None:
    booked = _book(client, slot)
    code = booked["booking"]["code"]
    clock.shift(timedelta(minutes=1))
    other_token = _lookup_token(client, code)  # another client's, valid until the booking changes
    assert other_token != booked["manage_token"]
    later = Slot.objects.filter(
        office_service=slot.office_service, local_date="2026-12-03", capacity__gt=0
    ).first()
    url, body = f"/api/v1/bookings/{code}/reschedule/", {"slot": later.pk}  # type: ignore[union-attr]
    first = _post(
        client,
        url,
        body,
        Authorization=f"Bearer {booked['manage_token']}",
        **{"Idempotency-Key": "move-1"},
    )
    assert first.status_code == 200
    second = _post(
        client, url, body, Authorization=f"Bearer {other_token}", **{"Idempotency-Key": "move-1"}
    )
    # A new request with a token the move ended: refused, not the first caller's answer.
    assert second.status_code == 404 and "Idempotent-Replayed" not in second


def test_a_replayed_cancel_with_its_token_shows_the_booking_as_it_is_now(
    client: Client, slot: Slot
) -> None:
    booked = _book(client, slot)
    code = booked["booking"]["code"]
    auth = {"Authorization": f"Bearer {booked['manage_token']}", "Idempotency-Key": "cancel-2"}
    first = _post(client, f"/api/v1/bookings/{code}/cancel/", **auth)
    again = _post(client, f"/api/v1/bookings/{code}/cancel/", **auth)
    assert first.status_code == again.status_code == 200
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert again.json()["status"] == "cancelled"
    assert Booking.objects.get(code=code).status == BookingStatus.CANCELLED


def test_a_replayed_move_carries_a_token_that_works(client: Client, slot: Slot) -> None:
    booked = _book(client, slot)
    code = booked["booking"]["code"]
    later = Slot.objects.filter(
        office_service=slot.office_service, local_date="2026-12-03", capacity__gt=0
    ).first()
    url, body = f"/api/v1/bookings/{code}/reschedule/", {"slot": later.pk}  # type: ignore[union-attr]
    headers = {"Authorization": f"Bearer {booked['manage_token']}", "Idempotency-Key": "move-2"}
    _post(client, url, body, **headers)
    again = _post(client, url, body, **headers)
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    new_token = again.json()["manage_token"]
    shown = client.get(
        f"/api/v1/bookings/{code}/", headers={"Authorization": f"Bearer {new_token}"}
    )
    assert shown.status_code == 200 and shown.json()["starts_at"] == again.json()["starts_at"]


def test_a_replay_after_the_booking_changed_again_is_refused(client: Client, slot: Slot) -> None:
    booked = _book(client, slot)
    code = booked["booking"]["code"]
    later = Slot.objects.filter(
        office_service=slot.office_service, local_date="2026-12-03", capacity__gt=0
    ).first()
    url, body = f"/api/v1/bookings/{code}/reschedule/", {"slot": later.pk}  # type: ignore[union-attr]
    headers = {"Authorization": f"Bearer {booked['manage_token']}", "Idempotency-Key": "move-3"}
    moved = _post(client, url, body, **headers)
    _post(
        client,
        f"/api/v1/bookings/{code}/cancel/",
        Authorization=f"Bearer {moved.json()['manage_token']}",
    )
    again = _post(client, url, body, **headers)
    assert again.status_code == 409 and again.json()["code"] == "replay_unavailable"


def test_idempotency_rows_hold_no_personal_data_and_no_token(client: Client, slot: Slot) -> None:
    booked = _book(client, slot, hold="hold-key", confirm="confirm-key")
    code = booked["booking"]["code"]
    _post(
        client,
        f"/api/v1/bookings/{code}/cancel/",
        Authorization=f"Bearer {booked['manage_token']}",
        **{"Idempotency-Key": "cancel-key"},
    )
    rows = list(IdempotentRequest.objects.values())
    assert len(rows) == 3
    stored = json.dumps(rows, default=str)
    secrets = [
        CITIZEN["full_name"],
        CITIZEN["phone"],
        CITIZEN["email"],
        NIK[:12],
        "siti",
        booked["manage_token"],
        booked["hold"]["hold_token"],
        "hold-key",
        "cancel-key",
    ]
    assert [secret for secret in secrets if secret.lower() in stored.lower()] == []
