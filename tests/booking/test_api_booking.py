"""The booking API a chatbot or app uses: availability, hold, code, confirm, manage."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from booking.models import Booking, BookingStatus, Slot
from offices.models import OfficeService

pytestmark = pytest.mark.django_db(transaction=True)

CITIZEN = {
    "full_name": "Budi Santoso",
    "nik": "3171010101900002",
    "phone": "081298765432",
    "email": "budi@example.id",
    "channel": "email",
    "language": "en",
}


def _post(client: Client, url: str, body: dict[str, Any] | None = None, /, **headers: str) -> Any:
    return client.post(url, body or {}, content_type="application/json", headers=headers)


def _code() -> str:
    return re.search(r"\b(\d{6})\b", str(mail.outbox[-1].body)).group(1)  # type: ignore[union-attr]


def _book(client: Client, slot: Slot) -> dict[str, Any]:
    hold = _post(client, "/api/v1/holds/", {**CITIZEN, "slot": slot.pk})
    assert hold.status_code == 201, hold.json()
    confirmed = _post(
        client, f"/api/v1/holds/{hold.json()['hold_token']}/confirm/", {"code": _code()}
    )
    assert confirmed.status_code == 200, confirmed.json()
    return confirmed.json()


def test_month_and_day_availability(client: Client, passport_here: OfficeService) -> None:
    month = client.get(
        "/api/v1/offices/kanim-jakarta/services/paspor-baru/availability/", {"month": "2026-12"}
    ).json()
    by_day = {d["date"]: d for d in month["days"]}
    assert by_day["2026-12-02"]["status"] == "available" and by_day["2026-12-02"]["free"] > 0
    assert by_day["2026-12-25"]["status"] == "closed" and by_day["2026-12-25"]["reason"]
    day = client.get(
        "/api/v1/offices/kanim-jakarta/services/paspor-baru/availability/2026-12-02/"
    ).json()
    assert day["times"] and day["times"][0]["starts_at"] == "2026-12-02T08:00:00+07:00"


def test_hold_confirm_and_manage(client: Client, slot: Slot) -> None:
    booked = _book(client, slot)
    assert booked["booking"]["status"] == "confirmed"
    assert booked["booking"]["nik"] == "************0002"
    assert booked["booking"]["zone"] == "WIB"
    auth = {"Authorization": f"Bearer {booked['manage_token']}"}
    code = booked["booking"]["code"]
    assert client.get(f"/api/v1/bookings/{code}/", headers=auth).json()["code"] == code
    later = Slot.objects.filter(
        office_service=slot.office_service, local_date="2026-12-03", capacity__gt=0
    ).first()
    moved = _post(client, f"/api/v1/bookings/{code}/reschedule/", {"slot": later.pk}, **auth)  # type: ignore[union-attr]
    assert moved.status_code == 200 and moved.json()["reschedules_left"] == 0
    # Moving ended the old token; the answer carries the new one.
    assert _post(client, f"/api/v1/bookings/{code}/cancel/", **auth).status_code == 404
    auth = {"Authorization": f"Bearer {moved.json()['manage_token']}"}
    cancelled = _post(client, f"/api/v1/bookings/{code}/cancel/", **auth)
    assert cancelled.json()["status"] == "cancelled"


def test_a_retried_hold_with_the_same_idempotency_key_returns_the_same_hold(
    client: Client, slot: Slot
) -> None:
    first = _post(
        client, "/api/v1/holds/", {**CITIZEN, "slot": slot.pk}, **{"Idempotency-Key": "chatbot-42"}
    )
    again = _post(
        client, "/api/v1/holds/", {**CITIZEN, "slot": slot.pk}, **{"Idempotency-Key": "chatbot-42"}
    )
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() and again["Idempotent-Replayed"] == "true"
    assert Booking.objects.count() == 1 and len(mail.outbox) == 1
    slot.refresh_from_db()
    assert slot.taken == 1


def test_a_retried_confirm_returns_the_same_booking(client: Client, slot: Slot) -> None:
    hold = _post(client, "/api/v1/holds/", {**CITIZEN, "slot": slot.pk}).json()
    url, body = f"/api/v1/holds/{hold['hold_token']}/confirm/", {"code": _code()}
    first = _post(client, url, body, **{"Idempotency-Key": "k1"})
    again = _post(client, url, body, **{"Idempotency-Key": "k1"})
    assert first.json()["booking"]["code"] == again.json()["booking"]["code"]
    assert Booking.objects.filter(status=BookingStatus.CONFIRMED).count() == 1


def test_same_key_with_another_body_is_refused(client: Client, slot: Slot) -> None:
    _post(client, "/api/v1/holds/", {**CITIZEN, "slot": slot.pk}, **{"Idempotency-Key": "k2"})
    other = _post(
        client,
        "/api/v1/holds/",
        {**CITIZEN, "slot": slot.pk, "full_name": "X"},
        **{"Idempotency-Key": "k2"},
    )
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"


def test_bad_input_gets_field_errors_in_the_requested_language(client: Client, slot: Slot) -> None:
    response = client.post(
        "/api/v1/holds/",
        {**CITIZEN, "slot": slot.pk, "nik": "12", "email": "x"},
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_details" and {"nik", "email"} <= set(body["fields"])
    assert "16 digits" in body["fields"]["nik"][0]
    assert Booking.objects.count() == 0


def test_wrong_code_and_expired_hold(client: Client, slot: Slot, clock: Any) -> None:
    from datetime import timedelta

    hold = _post(client, "/api/v1/holds/", {**CITIZEN, "slot": slot.pk}).json()
    url = f"/api/v1/holds/{hold['hold_token']}/confirm/"
    wrong = _post(client, url, {"code": "000000" if _code() != "000000" else "111111"})
    assert wrong.status_code == 400 and wrong.json()["code"] == "wrong_code"
    clock.shift(timedelta(minutes=11))
    expired = _post(client, url, {"code": _code()})
    assert expired.status_code == 410 and expired.json()["code"] == "hold_expired"


def test_a_booking_is_not_yours_without_its_token(client: Client, slot: Slot) -> None:
    booked = _book(client, slot)
    code = booked["booking"]["code"]
    for headers in ({}, {"Authorization": "Bearer nonsense"}):
        assert client.get(f"/api/v1/bookings/{code}/", headers=headers).status_code == 404
        assert _post(client, f"/api/v1/bookings/{code}/cancel/", **headers).status_code == 404
    assert (
        _post(client, "/api/v1/bookings/lookup/", {"code": code, "secret": "9999"}).status_code
        == 404
    )
    assert Booking.objects.get(code=code).status == BookingStatus.CONFIRMED


def test_a_full_slot_says_so(client: Client, slot: Slot) -> None:
    Slot.objects.filter(pk=slot.pk).update(capacity=0)
    response = _post(client, "/api/v1/holds/", {**CITIZEN, "slot": slot.pk})
    assert response.status_code == 409 and response.json()["code"] == "slot_full"
