"""Holds, one-time codes and confirmation, through the services (frozen clock)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from booking.messages import BookingMessageKind
from booking.models import Booking, BookingStatus, Slot, Source
from booking.selectors.availability import day_slots
from booking.services.booking import booking_hold, code_send, code_verify
from core.errors import ApplicationError
from notifications.models import Message, MessageStatus
from tests.booking.conftest import citizen_details

pytestmark = pytest.mark.django_db


def _code_from_mail() -> str:
    body = mail.outbox[-1].body
    return next(
        word.strip(".")
        for word in body.split()
        if word.strip(".").isdigit() and len(word.strip(".")) == 6
    )


def _hold_and_send(slot: Slot, details: Any, django_capture_on_commit_callbacks: Any) -> Booking:
    with django_capture_on_commit_callbacks(execute=True):
        booking = booking_hold(slot_id=slot.pk, details=details, source=Source.WEB)
        code_send(booking=booking)
    return booking


def test_hold_takes_a_place_and_the_code_confirms_it(
    slot: Slot, citizen: Any, django_capture_on_commit_callbacks: Any
) -> None:
    booking = _hold_and_send(slot, citizen, django_capture_on_commit_callbacks)
    slot.refresh_from_db()
    assert slot.taken == 1 and booking.status == BookingStatus.HELD
    assert mail.outbox[-1].to == ["siti@example.id"]
    assert "Kode Giliran" in mail.outbox[-1].subject  # Bahasa Indonesia by default
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = code_verify(booking=booking, code=_code_from_mail())
    assert confirmed.status == BookingStatus.CONFIRMED and confirmed.hold_token is None
    confirmation = mail.outbox[-1]
    assert confirmation.subject.startswith("Pemesanan dikonfirmasi")
    assert confirmation.attachments[0][0] == f"giliran-{booking.code}.ics"
    ics = confirmation.attachments[0][1]
    assert "BEGIN:VEVENT" in (ics.decode() if isinstance(ics, bytes) else ics)


def test_a_code_is_single_use(
    slot: Slot, citizen: Any, django_capture_on_commit_callbacks: Any
) -> None:
    booking = _hold_and_send(slot, citizen, django_capture_on_commit_callbacks)
    code = _code_from_mail()
    code_verify(booking=booking, code=code)
    with pytest.raises(ApplicationError) as refused:
        code_verify(booking=Booking.objects.get(pk=booking.pk), code=code)
    assert refused.value.code == "already_confirmed"


def test_five_wrong_codes_lock_the_code_even_against_the_right_one(
    slot: Slot, citizen: Any, django_capture_on_commit_callbacks: Any
) -> None:
    booking = _hold_and_send(slot, citizen, django_capture_on_commit_callbacks)
    code = _code_from_mail()
    wrong = "000000" if code != "000000" else "111111"
    for attempt in range(5):
        with pytest.raises(ApplicationError) as refused:
            code_verify(booking=booking, code=wrong)
        assert refused.value.code == "wrong_code"
        assert f"{4 - attempt} attempts left" in str(refused.value.message) or "percobaan" in str(
            refused.value.message
        )
    with pytest.raises(ApplicationError) as refused:
        code_verify(booking=booking, code=code)
    assert refused.value.code == "too_many_attempts"
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.HELD


def test_a_code_expires_after_ten_minutes(
    slot: Slot, citizen: Any, clock: Any, django_capture_on_commit_callbacks: Any
) -> None:
    booking = _hold_and_send(slot, citizen, django_capture_on_commit_callbacks)
    code = _code_from_mail()
    clock.shift(timedelta(minutes=9, seconds=59))
    # Still inside the hold and the code's life: works.
    code_verify(booking=booking, code=code)


def test_an_expired_code_is_refused(
    slot: Slot, citizen: Any, clock: Any, django_capture_on_commit_callbacks: Any
) -> None:
    booking = _hold_and_send(slot, citizen, django_capture_on_commit_callbacks)
    code = _code_from_mail()
    clock.shift(timedelta(minutes=10, seconds=1))
    with pytest.raises(ApplicationError) as refused:
        code_verify(booking=booking, code=code)
    assert refused.value.code == "hold_expired"  # the hold (10 min) ends with the code


def test_a_new_code_replaces_the_old_one(
    slot: Slot, citizen: Any, django_capture_on_commit_callbacks: Any
) -> None:
    booking = _hold_and_send(slot, citizen, django_capture_on_commit_callbacks)
    old = _code_from_mail()
    with django_capture_on_commit_callbacks(execute=True):
        code_send(booking=booking)
    new = _code_from_mail()
    if old != new:
        with pytest.raises(ApplicationError):
            code_verify(booking=booking, code=old)
    code_verify(booking=booking, code=new)


def test_expired_hold_frees_its_place_without_any_worker(
    slot: Slot, clock: Any, django_capture_on_commit_callbacks: Any
) -> None:
    Slot.objects.filter(pk=slot.pk).update(capacity=1)
    booking_hold(slot_id=slot.pk, details=citizen_details("3171014501900001"), source=Source.WEB)
    with pytest.raises(ApplicationError) as full:
        booking_hold(
            slot_id=slot.pk,
            details=citizen_details("3171010101900002", email="budi@example.id"),
            source=Source.WEB,
        )
    assert full.value.code == "slot_full"
    clock.shift(timedelta(minutes=11))
    # Availability already counts the expired hold as free…
    free = [
        t.free
        for t in day_slots(slot.office_service, slot.local_date, timezone.now())
        if t.slot_id == slot.pk
    ]
    assert free == [1]
    # …and the next claimer gets the place.
    second = booking_hold(
        slot_id=slot.pk,
        details=citizen_details("3171010101900002", email="budi@example.id"),
        source=Source.WEB,
    )
    slot.refresh_from_db()
    assert slot.taken == 1
    assert Booking.objects.get(nik_last4="0001").status == BookingStatus.EXPIRED
    assert second.status == BookingStatus.HELD


def test_same_nik_cannot_hold_a_second_active_booking(slot: Slot, citizen: Any) -> None:
    first = booking_hold(slot_id=slot.pk, details=citizen, source=Source.WEB)
    Booking.objects.filter(pk=first.pk).update(status=BookingStatus.CONFIRMED, releases_at=None)
    with pytest.raises(ApplicationError) as refused:
        booking_hold(slot_id=slot.pk, details=citizen, source=Source.WEB)
    assert refused.value.code == "already_booked"
    slot.refresh_from_db()
    assert slot.taken == 1  # the refused attempt changed nothing


def test_holding_again_replaces_the_citizens_own_hold(slot: Slot, citizen: Any) -> None:
    first = booking_hold(slot_id=slot.pk, details=citizen, source=Source.WEB)
    later = Slot.objects.filter(
        office_service=slot.office_service, capacity__gt=0, starts_at__gt=slot.starts_at
    ).first()
    assert later is not None
    second = booking_hold(slot_id=later.pk, details=citizen, source=Source.WEB)
    assert Booking.objects.get(pk=first.pk).status == BookingStatus.EXPIRED
    assert second.status == BookingStatus.HELD
    slot.refresh_from_db()
    assert slot.taken == 0


def test_contact_cap_limits_active_bookings_per_phone(slot: Slot, settings: Any) -> None:
    settings.GILIRAN_MAX_ACTIVE_PER_CONTACT = 1
    first = booking_hold(
        slot_id=slot.pk, details=citizen_details("3171014501900001"), source=Source.WEB
    )
    Booking.objects.filter(pk=first.pk).update(status=BookingStatus.CONFIRMED, releases_at=None)
    with pytest.raises(ApplicationError) as refused:
        booking_hold(
            slot_id=slot.pk, details=citizen_details("3171010101900002"), source=Source.WEB
        )
    assert refused.value.code == "contact_limit"


def test_a_sent_code_is_erased_from_the_message_log(
    slot: Slot, citizen: Any, django_capture_on_commit_callbacks: Any
) -> None:
    booking = _hold_and_send(slot, citizen, django_capture_on_commit_callbacks)
    code = _code_from_mail()
    message = Message.objects.get(booking=booking, kind=BookingMessageKind.CODE)
    assert message.status == MessageStatus.SENT and message.context["code"] == "••••••"
    assert code not in str(message.context)
