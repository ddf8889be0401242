"""Reminders: queued with their due time when a booking is confirmed, sent once when
due by the sweeper, in the citizen's language with the office's time zone, and
skipped if the booking was cancelled or moved meanwhile."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.core import mail

from booking.messages import BookingMessageKind
from booking.models import Booking, Slot, Source
from booking.services.booking import (
    booking_cancel,
    booking_confirm,
    booking_hold,
    booking_reschedule,
)
from notifications.models import Message, MessageStatus
from notifications.services.outbox import outbox_dispatch_due, outbox_dispatch_message
from offices.models import OfficeService
from tests.booking.conftest import citizen_details

THURSDAY = date(2026, 12, 3)


def _slot_on(office_service: OfficeService, day: date, index: int = 0) -> Slot:
    return Slot.objects.filter(
        office_service=office_service, local_date=day, capacity__gt=0
    ).order_by("starts_at")[index]


def _book(slot: Slot, **details: str) -> Booking:
    booking = booking_hold(slot_id=slot.pk, details=citizen_details(**details), source=Source.WEB)
    return booking_confirm(booking=booking)


def _reminders(booking: Booking) -> dict[str, Message]:
    return {
        m.kind: m
        for m in Message.objects.filter(
            booking=booking,
            kind__in=[BookingMessageKind.REMINDER_DAY_BEFORE, BookingMessageKind.REMINDER_SOON],
        )
    }


def _subjects() -> list[str]:
    return [str(m.subject) for m in mail.outbox]


def test_confirming_queues_the_day_before_and_two_hours_before_reminders(
    passport_here: OfficeService, django_capture_on_commit_callbacks: Any
) -> None:
    slot = _slot_on(passport_here, THURSDAY)  # 08:00 WIB = 01:00 UTC
    with django_capture_on_commit_callbacks(execute=True):
        booking = _book(slot)
    reminders = _reminders(booking)
    assert reminders[BookingMessageKind.REMINDER_DAY_BEFORE].due_at == datetime(
        2026, 12, 2, 3, 0, tzinfo=UTC
    )
    assert reminders[BookingMessageKind.REMINDER_SOON].due_at == slot.starts_at - timedelta(hours=2)
    assert all(m.status == MessageStatus.PENDING for m in reminders.values())


def test_a_reminder_goes_out_once_when_due_and_not_before(
    passport_here: OfficeService, clock: Any, django_capture_on_commit_callbacks: Any
) -> None:
    slot = _slot_on(passport_here, THURSDAY)
    with django_capture_on_commit_callbacks(execute=True):
        booking = _book(slot)
    mail.outbox.clear()
    clock.move_to(datetime(2026, 12, 2, 2, 59, tzinfo=UTC))  # 09:59 WIB on H-1
    assert outbox_dispatch_due() == 0 and mail.outbox == []
    clock.move_to(datetime(2026, 12, 2, 3, 0, tzinfo=UTC))
    assert outbox_dispatch_due() == 1
    assert outbox_dispatch_due() == 0  # the sweeper running again sends nothing more
    reminder = _reminders(booking)[BookingMessageKind.REMINDER_DAY_BEFORE]
    assert outbox_dispatch_message(message_id=reminder.pk) is None  # nor does the task, twice
    assert _subjects() == ["Besok: Paspor baru di Kantor Imigrasi Jakarta Pusat"]
    body = str(mail.outbox[0].body)
    assert "Kamis, 3 Desember 2026, 08:00 WIB" in body and booking.code in body
    reminder.refresh_from_db()
    assert reminder.status == MessageStatus.SENT and reminder.attempts == 1


def test_reminders_are_in_the_citizens_language(
    passport_here: OfficeService, clock: Any, django_capture_on_commit_callbacks: Any
) -> None:
    slot = _slot_on(passport_here, THURSDAY)
    with django_capture_on_commit_callbacks(execute=True):
        _book(slot, language="en")
    mail.outbox.clear()
    clock.move_to(slot.starts_at - timedelta(hours=2))
    outbox_dispatch_due()
    assert _subjects() == [
        "Tomorrow: New passport at Kantor Imigrasi Jakarta Pusat",
        "Soon: New passport at Kantor Imigrasi Jakarta Pusat",
    ]
    assert "Thursday, 3 December 2026, 08:00 WIB" in str(mail.outbox[1].body)


def test_a_cancelled_bookings_reminders_are_skipped(
    passport_here: OfficeService, clock: Any, django_capture_on_commit_callbacks: Any
) -> None:
    slot = _slot_on(passport_here, THURSDAY)
    with django_capture_on_commit_callbacks(execute=True):
        booking = _book(slot)
        booking_cancel(booking=booking)
    mail.outbox.clear()
    clock.move_to(slot.starts_at - timedelta(hours=1))
    outbox_dispatch_due()
    assert mail.outbox == []
    for reminder in _reminders(booking).values():
        assert reminder.status == MessageStatus.SKIPPED
        assert reminder.last_error == "the booking is no longer confirmed"


def test_a_moved_booking_is_reminded_of_its_new_time_only(
    passport_here: OfficeService, clock: Any, django_capture_on_commit_callbacks: Any
) -> None:
    old, new = _slot_on(passport_here, THURSDAY), _slot_on(passport_here, THURSDAY, 4)
    with django_capture_on_commit_callbacks(execute=True):
        booking = booking_reschedule(booking=_book(old), slot_id=new.pk)
    mail.outbox.clear()
    clock.move_to(datetime(2026, 12, 2, 3, 0, tzinfo=UTC))  # both day-before reminders due
    outbox_dispatch_due()
    assert len(mail.outbox) == 1 and "10:00 WIB" in str(mail.outbox[0].body)
    skipped = Message.objects.get(booking=booking, status=MessageStatus.SKIPPED)
    assert skipped.context["slot_id"] == old.pk
    assert skipped.last_error == "the booking has moved to another time"


def test_no_reminder_for_a_moment_that_has_already_passed(
    passport_here: OfficeService, clock: Any, django_capture_on_commit_callbacks: Any
) -> None:
    clock.move_to(datetime(2026, 12, 2, 5, 0, tzinfo=UTC))  # H-1 12:00 WIB, after 10:00
    slot = _slot_on(passport_here, THURSDAY)
    with django_capture_on_commit_callbacks(execute=True):
        booking = _book(slot)
    assert set(_reminders(booking)) == {BookingMessageKind.REMINDER_SOON}


def test_reminder_times_follow_the_settings(
    passport_here: OfficeService, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.GILIRAN_REMINDER_DAY_BEFORE_AT = ""
    settings.GILIRAN_REMINDER_BEFORE_MINUTES = 45
    slot = _slot_on(passport_here, THURSDAY)
    with django_capture_on_commit_callbacks(execute=True):
        booking = _book(slot)
    reminders = _reminders(booking)
    assert set(reminders) == {BookingMessageKind.REMINDER_SOON}
    assert reminders[BookingMessageKind.REMINDER_SOON].due_at == slot.starts_at - timedelta(
        minutes=45
    )
