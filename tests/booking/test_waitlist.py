"""The waiting list: a full day's freed place is offered to the first citizen in line
as a 15-minute hold, passes to the next if unclaimed, and is booked with one click
from the link we send. Nobody outside the line can take it meanwhile."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from booking.messages import BookingMessageKind
from booking.models import Booking, BookingStatus, Slot, Source, WaitlistEntry, WaitlistStatus
from booking.selectors.availability import days_availability
from booking.services.booking import booking_cancel, booking_confirm, booking_hold
from booking.services.waitlist import waitlist_join, waitlist_leave, waitlist_sweep
from core.errors import ApplicationError
from notifications.models import Message
from offices.models import OfficeService
from tests.booking.conftest import FIRST_BOOKABLE, citizen_details

SITI, BUDI, DEWI = "3171014501900001", "3171010203850002", "3171015507920003"


@pytest.fixture
def full_day(passport_here: OfficeService) -> Booking:
    """2 December has one place in one slot, taken by Siti: the day is full."""
    slots = Slot.objects.filter(office_service=passport_here, local_date=FIRST_BOOKABLE).order_by(
        "starts_at"
    )
    slots.update(capacity=0)
    Slot.objects.filter(pk=slots[0].pk).update(capacity=1)
    booking = booking_hold(slot_id=slots[0].pk, details=citizen_details(SITI), source=Source.WEB)
    return booking_confirm(booking=booking)


def _join(office_service: OfficeService, nik: str, **details: str) -> WaitlistEntry:
    return waitlist_join(
        office_service=office_service, day=FIRST_BOOKABLE, details=citizen_details(nik, **details)
    )


def test_a_day_with_free_places_has_no_waiting_list(passport_here: OfficeService) -> None:
    with pytest.raises(ApplicationError) as refused:
        _join(passport_here, BUDI)
    assert refused.value.code == "day_has_places"


def test_joining_a_full_day_puts_the_citizen_in_line_and_tells_them(
    full_day: Booking, passport_here: OfficeService, django_capture_on_commit_callbacks: Any
) -> None:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        budi = _join(passport_here, BUDI, email="budi@example.id")
        dewi = _join(passport_here, DEWI, email="dewi@example.id", language="en")
    assert budi.status == dewi.status == WaitlistStatus.WAITING
    assert "urutan ke-1" in str(mail.outbox[0].body)
    assert "number 2 in line" in str(mail.outbox[1].body)
    with pytest.raises(ApplicationError) as refused:
        _join(passport_here, BUDI)
    assert refused.value.code == "already_waiting"


def test_a_citizen_who_holds_a_booking_for_the_service_cannot_join(
    full_day: Booking, passport_here: OfficeService
) -> None:
    with pytest.raises(ApplicationError) as refused:
        _join(passport_here, SITI)
    assert refused.value.code == "already_booked"


def test_a_freed_place_goes_to_the_first_in_line_not_to_the_public(
    full_day: Booking, passport_here: OfficeService, django_capture_on_commit_callbacks: Any
) -> None:
    budi = _join(passport_here, BUDI, email="budi@example.id")
    dewi = _join(passport_here, DEWI, email="dewi@example.id")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(booking=full_day)  # the nudge offers the place right after commit
    budi.refresh_from_db()
    dewi.refresh_from_db()
    assert budi.status == WaitlistStatus.OFFERED and dewi.status == WaitlistStatus.WAITING
    offer = budi.offer
    assert (
        offer is not None and offer.status == BookingStatus.HELD and offer.source == Source.WAITLIST
    )
    assert offer.releases_at == offer.created_at + timedelta(minutes=15)
    assert [m.to for m in mail.outbox if "Tempat untuk Anda" in str(m.subject)] == [
        ["budi@example.id"]
    ]
    day = days_availability(passport_here, FIRST_BOOKABLE, FIRST_BOOKABLE, offer.created_at)[0]
    assert day.status == "full"


def test_while_citizens_wait_a_freed_place_cannot_be_taken_by_someone_else(
    full_day: Booking, passport_here: OfficeService
) -> None:
    _join(passport_here, BUDI)
    slot = full_day.slot
    Slot.objects.filter(pk=slot.pk).update(capacity=2)  # room, before the sweeper ran
    with pytest.raises(ApplicationError) as refused:
        booking_hold(slot_id=slot.pk, details=citizen_details(DEWI), source=Source.WEB)
    assert refused.value.code == "waitlist_first"


def test_an_unclaimed_offer_passes_to_the_next_in_line(
    full_day: Booking, passport_here: OfficeService, clock: Any
) -> None:
    budi, dewi = _join(passport_here, BUDI), _join(passport_here, DEWI)
    booking_cancel(booking=full_day)
    assert waitlist_sweep() == 1
    assert waitlist_sweep() == 0  # one place, one offer, however often the sweeper runs
    clock.shift(timedelta(minutes=15))
    assert waitlist_sweep() == 1
    budi.refresh_from_db()
    dewi.refresh_from_db()
    assert budi.status == WaitlistStatus.LAPSED and budi.offer.status == BookingStatus.EXPIRED  # type: ignore[union-attr]
    assert dewi.status == WaitlistStatus.OFFERED


def test_the_offer_link_books_the_place_with_one_click(
    client: Client, full_day: Booking, passport_here: OfficeService
) -> None:
    budi = _join(passport_here, BUDI)
    booking_cancel(booking=full_day)
    waitlist_sweep()
    url = reverse("waitlist-entry", kwargs={"token": budi.token})
    page = client.get(url)
    assert "Ada tempat kosong untuk Anda" in page.content.decode()
    response = client.post(url, {"action": "accept"})
    budi.refresh_from_db()
    booked = budi.offer
    assert booked is not None and booked.status == BookingStatus.CONFIRMED
    assert budi.status == WaitlistStatus.BOOKED
    assert response.status_code == 302 and response["Location"].endswith(f"/pesanan/{booked.code}/")
    assert Message.objects.filter(booking=booked, kind=BookingMessageKind.CONFIRMED).exists()


def test_an_expired_offer_cannot_be_accepted(
    client: Client, full_day: Booking, passport_here: OfficeService, clock: Any
) -> None:
    budi = _join(passport_here, BUDI)
    booking_cancel(booking=full_day)
    waitlist_sweep()
    clock.shift(timedelta(minutes=16))
    response = client.post(
        reverse("waitlist-entry", kwargs={"token": budi.token}), {"action": "accept"}
    )
    assert "Tawaran ini sudah berakhir" in response.content.decode()
    budi.refresh_from_db()
    assert budi.offer.status != BookingStatus.CONFIRMED  # type: ignore[union-attr]


def test_leaving_gives_up_the_offer_and_it_passes_on(
    full_day: Booking, passport_here: OfficeService, django_capture_on_commit_callbacks: Any
) -> None:
    budi, dewi = _join(passport_here, BUDI), _join(passport_here, DEWI)
    booking_cancel(booking=full_day)
    waitlist_sweep()
    budi.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        waitlist_leave(entry=budi)
    budi.refresh_from_db()
    dewi.refresh_from_db()
    assert budi.status == WaitlistStatus.LEFT and budi.offer.status == BookingStatus.EXPIRED  # type: ignore[union-attr]
    assert dewi.status == WaitlistStatus.OFFERED


def test_the_line_closes_when_its_day_has_passed(
    full_day: Booking, passport_here: OfficeService, clock: Any
) -> None:
    budi = _join(passport_here, BUDI)
    clock.shift(timedelta(days=2))
    waitlist_sweep()
    budi.refresh_from_db()
    assert budi.status == WaitlistStatus.CLOSED


def test_the_join_page_works_in_both_languages_and_explains_bad_input(
    client: Client, full_day: Booking, passport_here: OfficeService
) -> None:
    path = reverse("waitlist-join", args=[passport_here.office.code, passport_here.service.code])
    query = f"?tanggal={FIRST_BOOKABLE.isoformat()}"
    assert "Masuk daftar tunggu" in client.get(path + query).content.decode()
    assert "Join the waiting list" in client.get("/en" + path + query).content.decode()
    bad = client.post(
        path + query,
        {"full_name": "Budi", "nik": "123", "email": "budi@example.id", "channel": "email"},
    )
    assert bad.status_code == 200 and "NIK" in bad.content.decode()
    assert not WaitlistEntry.objects.exists()
    good = client.post(
        path + query,
        {
            "full_name": "Budi Santoso",
            "nik": BUDI,
            "email": "budi@example.id",
            "channel": "email",
            "priority_group": "",
        },
    )
    entry = WaitlistEntry.objects.get()
    assert good.status_code == 302 and good["Location"] == reverse(
        "waitlist-entry", kwargs={"token": entry.token}
    )
    assert "urutan ke-1" in client.get(good["Location"]).content.decode()


def test_the_waiting_list_through_the_api(
    client: Client, full_day: Booking, passport_here: OfficeService
) -> None:
    body = {
        "office": passport_here.office.code,
        "service": passport_here.service.code,
        "date": FIRST_BOOKABLE.isoformat(),
        "full_name": "Budi Santoso",
        "nik": BUDI,
        "email": "budi@example.id",
        "channel": "email",
    }
    bad = client.post(
        "/api/v1/waitlist/",
        {**body, "nik": "12"},
        content_type="application/json",
        headers={"accept-language": "en"},
    )
    assert bad.status_code == 400 and "nik" in bad.json()["fields"]
    joined = client.post("/api/v1/waitlist/", body, content_type="application/json")
    assert joined.status_code == 201
    token = joined.json()["token"]
    assert client.get(f"/api/v1/waitlist/{token}/").json()["position"] == 1
    early = client.post(f"/api/v1/waitlist/{token}/accept/", headers={"accept-language": "en"})
    assert early.status_code == 409
    assert early.json()["message"] == "There is no place on offer for you at the moment."
    booking_cancel(booking=full_day)
    waitlist_sweep()
    offered = client.get(f"/api/v1/waitlist/{token}/").json()
    assert offered["status"] == "offered" and offered["offer_starts_at"].endswith("+07:00")
    accepted = client.post(f"/api/v1/waitlist/{token}/accept/")
    assert accepted.status_code == 200 and accepted.json()["booking"]["status"] == "confirmed"


def test_a_retried_join_with_the_same_idempotency_key_returns_the_same_entry(
    client: Client, full_day: Booking, passport_here: OfficeService
) -> None:
    body = {
        "office": passport_here.office.code,
        "service": passport_here.service.code,
        "date": FIRST_BOOKABLE.isoformat(),
        "full_name": "Budi Santoso",
        "nik": BUDI,
        "email": "budi@example.id",
        "channel": "email",
    }
    headers = {"Idempotency-Key": "join-budi"}
    first = client.post("/api/v1/waitlist/", body, content_type="application/json", headers=headers)
    again = client.post("/api/v1/waitlist/", body, content_type="application/json", headers=headers)
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert WaitlistEntry.objects.count() == 1
