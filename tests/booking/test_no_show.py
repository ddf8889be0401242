"""No-show release: once check-in has closed, a confirmed booking nobody checked in
becomes a no-show exactly once, its place goes to the day's walk-ins and the citizen
is told; repeated no-shows pause the NIK's new bookings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.db.models import Q

from booking.messages import BookingMessageKind
from booking.models import Booking, BookingStatus, Slot, Source
from booking.services.booking import booking_book_for_citizen, booking_confirm, booking_hold
from booking.services.no_show import bookings_release_no_shows
from booking.tasks import release_no_shows
from core.errors import ApplicationError
from notifications.models import Message
from offices.models import OfficeService
from queueing.models import TicketSource
from queueing.services.check_in import check_in
from queueing.services.issue import ticket_issue
from tests.booking.conftest import FIRST_BOOKABLE, citizen_details


def _book(slot: Slot, nik: str = "3171014501900001") -> Booking:
    booking = booking_hold(slot_id=slot.pk, details=citizen_details(nik), source=Source.WEB)
    return booking_confirm(booking=booking)


def test_a_missed_booking_is_released_once_check_in_has_closed(
    slot: Slot, clock: Any, django_capture_on_commit_callbacks: Any
) -> None:
    booking = _book(slot)
    clock.move_to(slot.starts_at + timedelta(minutes=15))  # check-in closes now
    assert release_no_shows() == 0
    clock.move_to(slot.starts_at + timedelta(minutes=16))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert release_no_shows() == 1
        assert release_no_shows() == 0  # a second run (or a second beat) changes nothing
    booking.refresh_from_db()
    slot.refresh_from_db()
    assert booking.status == BookingStatus.NO_SHOW and not booking.occupies_slot
    assert slot.taken == 0
    assert Message.objects.filter(booking=booking, kind=BookingMessageKind.NO_SHOW).count() == 1
    assert [str(m.subject) for m in mail.outbox] == [f"Janji temu terlewat: {booking.code}"]
    assert "Janji temu terlewat dalam 90 hari terakhir: 1." in str(mail.outbox[0].body)


def test_a_checked_in_booking_is_never_a_no_show(slot: Slot, clock: Any) -> None:
    booking = _book(slot)
    clock.move_to(slot.starts_at - timedelta(minutes=5))
    check_in(office=slot.office_service.office, code=booking.code)
    clock.move_to(slot.starts_at + timedelta(hours=3))
    assert release_no_shows() == 0
    booking.refresh_from_db()
    assert booking.status == BookingStatus.ATTENDED


def test_a_released_no_show_cannot_check_in_late(slot: Slot, clock: Any) -> None:
    booking = _book(slot)
    clock.move_to(slot.starts_at + timedelta(minutes=30))
    release_no_shows()
    with pytest.raises(ApplicationError) as refused:
        check_in(office=slot.office_service.office, code=booking.code)
    assert refused.value.code == "released_as_no_show"
    assert "ambil nomor antrean langsung" in str(refused.value.message)


def test_a_released_place_goes_to_the_days_walk_ins(slot: Slot, clock: Any) -> None:
    office_service = slot.office_service
    OfficeService.objects.filter(pk=office_service.pk).update(walk_in_daily_quota=1)
    office_service.refresh_from_db()
    _book(slot)
    clock.move_to(slot.starts_at + timedelta(minutes=20))
    ticket_issue(office_service=office_service, source=TicketSource.KIOSK)
    with pytest.raises(ApplicationError) as refused:
        ticket_issue(office_service=office_service, source=TicketSource.KIOSK)
    assert refused.value.code == "walk_in_quota_reached"
    release_no_shows()
    assert ticket_issue(office_service=office_service, source=TicketSource.KIOSK).number == 2


def _miss(slot: Slot, nik: str, clock: Any) -> Booking:
    """Book `slot`, then let it pass without coming."""
    booking = _book(slot, nik)
    clock.move_to(slot.starts_at + timedelta(hours=1))
    bookings_release_no_shows(Q(pk=booking.pk))
    return booking


def _days_slots(office_service: OfficeService, count: int) -> list[Slot]:
    return [
        Slot.objects.filter(
            office_service=office_service, local_date=FIRST_BOOKABLE + timedelta(days=d)
        )
        .exclude(capacity=0)
        .order_by("starts_at")
        .first()
        for d in (0, 1, 7, 8, 14, 15)
    ][:count]  # type: ignore[return-value]


def test_three_no_shows_in_90_days_pause_new_bookings_with_a_clear_message(
    passport_here: OfficeService, clock: Any
) -> None:
    nik = "3171014501900001"
    first, second, third, later = _days_slots(passport_here, 4)
    for missed in (first, second, third):
        clock.move_to(missed.starts_at - timedelta(days=1, hours=5))
        _miss(missed, nik, clock)
    last_missed = Booking.objects.filter(status=BookingStatus.NO_SHOW).count()
    assert last_missed == 3
    with pytest.raises(ApplicationError) as refused:
        booking_hold(slot_id=later.pk, details=citizen_details(nik), source=Source.WEB)
    assert refused.value.code == "no_show_pause"
    paused_until = (third.starts_at + timedelta(days=30)).astimezone(UTC)
    assert f"ditangguhkan sampai {paused_until.day} Januari 2027" in str(refused.value.message)
    assert refused.value.fields["nik"]


def test_staff_can_still_book_for_a_paused_citizen_at_the_office(
    passport_here: OfficeService, clock: Any, counter_clerk: Any
) -> None:
    nik = "3171014501900001"
    *missed_slots, later = _days_slots(passport_here, 4)
    for missed in missed_slots:
        clock.move_to(missed.starts_at - timedelta(days=1, hours=5))
        _miss(missed, nik, clock)
    booking = booking_book_for_citizen(
        slot_id=later.pk, details=citizen_details(nik), staff_user=counter_clerk
    )
    assert booking.status == BookingStatus.CONFIRMED


def test_the_pause_ends_after_the_block_period(
    passport_here: OfficeService, clock: Any, settings: Any
) -> None:
    settings.GILIRAN_NO_SHOW_LIMIT = 2
    settings.GILIRAN_NO_SHOW_BLOCK_DAYS = 3
    nik = "3171014501900001"
    first, second, _third, later = _days_slots(passport_here, 4)
    for missed in (first, second):
        clock.move_to(missed.starts_at - timedelta(days=1, hours=5))
        _miss(missed, nik, clock)
    clock.move_to(second.starts_at + timedelta(days=2, hours=23))
    with pytest.raises(ApplicationError):
        booking_hold(slot_id=later.pk, details=citizen_details(nik), source=Source.WEB)
    clock.move_to(second.starts_at + timedelta(days=3, minutes=1))
    booking = booking_hold(slot_id=later.pk, details=citizen_details(nik), source=Source.WEB)
    assert booking.status == BookingStatus.HELD


def test_booking_again_releases_the_citizens_own_missed_booking_first(
    passport_here: OfficeService, clock: Any
) -> None:
    """No worker has run: the missed booking still blocks one-per-service until the
    hold itself marks it a no-show (lazily), with its place given back."""
    first, _second, later, *_ = _days_slots(passport_here, 4)
    missed = _book(first)
    clock.move_to(
        datetime.combine(later.local_date, datetime.min.time(), tzinfo=UTC) - timedelta(days=2)
    )
    hold = booking_hold(slot_id=later.pk, details=citizen_details(), source=Source.WEB)
    missed.refresh_from_db()
    first.refresh_from_db()
    assert hold.status == BookingStatus.HELD
    assert missed.status == BookingStatus.NO_SHOW and first.taken == 0
