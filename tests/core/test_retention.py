"""Retention: personal data past its time is erased by the hourly job, at the right
moment in the office's own zone, once, in bounded batches, keeping every aggregate the
reports and the forecast count."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count

from booking.models import (
    Booking,
    BookingStatus,
    Slot,
    Source,
    VerificationCode,
    WaitlistEntry,
    WaitlistStatus,
)
from core import personal_data
from core.errors import ApplicationError
from core.models import RetentionRun
from core.retention import retention_run
from notifications.models import Message, MessageStatus
from notifications.services.outbox import message_resend
from offices.models import OfficeService
from queueing.models import ServiceRating, Ticket, TicketSource, TicketStatus
from scheduling.selectors import day_instance

pytestmark = pytest.mark.django_db

NIK = "3171014501900001"
VISIT = date(2026, 1, 5)  # a Monday
# 90 days after 5 January is 5 April; the booking is erased from 00:00 office time on
# 6 April: 17:00 UTC on 5 April in Jakarta (WIB, UTC+7), 16:00 UTC in Denpasar (WITA).
JAKARTA_DUE = datetime(2026, 4, 5, 17, 0, tzinfo=UTC)
DENPASAR_DUE = datetime(2026, 4, 5, 16, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)
_numbers = count(1)


@pytest.fixture(autouse=True)
def _retention_settings(settings: Any) -> None:
    settings.GILIRAN_RETENTION_VISIT_DAYS = 90
    settings.GILIRAN_RETENTION_WAITLIST_DAYS = 30
    settings.GILIRAN_RETENTION_MESSAGE_DAYS = 30
    settings.GILIRAN_RETENTION_BATCH_SIZE = 500
    settings.GILIRAN_RETENTION_MAX_BATCHES = 100


def _at(office: Any, day: date, clock: time = time(9, 0)) -> datetime:
    return datetime.combine(day, clock, tzinfo=ZoneInfo(office.timezone))


def _visit(
    office: Any,
    day: date = VISIT,
    *,
    status: str = BookingStatus.ATTENDED,
    nik: str = NIK,
    source: str = Source.WEB,
    clock: time = time(9, 0),
) -> Booking:
    """A booking of `day` at the office, by Siti (web, email and phone), with a code."""
    office_service = OfficeService.objects.get(office=office)
    starts = _at(office, day, clock)
    slot, _created = Slot.objects.get_or_create(
        office_service=office_service,
        starts_at=starts,
        defaults={"ends_at": starts + timedelta(minutes=30), "local_date": day, "capacity": 5},
    )
    booking = Booking.objects.create(
        code=f"B{next(_numbers):07d}",
        slot=slot,
        service=office_service.service,
        status=status,
        occupies_slot=False,
        releases_at=starts if status == BookingStatus.HELD else None,
        full_name="Siti Rahmawati",
        nik_encrypted=personal_data.encrypt(nik),
        nik_hash=personal_data.keyed_hash(nik),
        nik_last4=nik[-4:],
        phone="+6281234567890",
        email="siti@example.id",
        channel="email",
        source=source,
        priority_group="elderly",
        hold_token=f"hold-{next(_numbers)}",
    )
    VerificationCode.objects.create(
        booking=booking, code_hash="0" * 64, channel="email", expires_at=starts
    )
    return booking


def _ticket(office: Any, day: date = VISIT, *, clock: time = time(9, 0), score: int = 4) -> Ticket:
    """A finished walk-in ticket with a contact and a survey answer with a comment."""
    office_service = OfficeService.objects.get(office=office)
    queued = _at(office, day, clock)
    number = next(_numbers)
    ticket = Ticket.objects.create(
        office=office,
        office_service=office_service,
        local_date=day,
        letter="A",
        number=number,
        source=TicketSource.KIOSK,
        status=TicketStatus.FINISHED,
        queued_at=queued,
        called_at=queued + timedelta(minutes=20),
        serving_at=queued + timedelta(minutes=21),
        finished_at=queued + timedelta(minutes=33),
        public_token=f"tok{number}",
        contact_phone="+6281234567890",
        contact_email="siti@example.id",
    )
    ServiceRating.objects.create(
        ticket=ticket, score=score, comment="Petugas Budi ramah, HP saya 0812…"
    )
    return ticket


def _message(office: Any, *, sent_at: datetime) -> Message:
    with time_machine.travel(sent_at, tick=False):
        return Message.objects.create(
            dedup_key=f"booking:{next(_numbers)}:confirmed",
            kind="confirmed",
            channel="email",
            recipient="siti@example.id",
            context={"name": "Siti Rahmawati", "manage_url": "https://x/?t=secret"},
            office=office,
            status=MessageStatus.SENT,
            due_at=sent_at,
            sent_at=sent_at,
            provider_ref="gw-123",
            last_error="",
        )


def _waiting(office: Any, day: date = VISIT, status: str = WaitlistStatus.CLOSED) -> WaitlistEntry:
    return WaitlistEntry.objects.create(
        office_service=OfficeService.objects.get(office=office),
        local_date=day,
        status=status,
        token=f"wait-{next(_numbers)}",
        full_name="Siti Rahmawati",
        nik_encrypted=personal_data.encrypt(NIK),
        nik_hash=personal_data.keyed_hash(NIK),
        nik_last4=NIK[-4:],
        phone="+6281234567890",
        channel="sms",
    )


def _run_at(moment: datetime) -> RetentionRun:
    with time_machine.travel(moment, tick=False):
        return retention_run()


def _erased(booking: Booking) -> bool:
    booking.refresh_from_db()
    return booking.anonymised_at is not None


# --- When -------------------------------------------------------------------------------


def test_booking_is_kept_until_midnight_after_its_retention_in_its_office_zone(
    jakarta_office: Any, denpasar_office: Any
) -> None:
    in_jakarta, in_denpasar = _visit(jakarta_office), _visit(denpasar_office)

    _run_at(DENPASAR_DUE - SECOND)
    assert not _erased(in_jakarta) and not _erased(in_denpasar)

    # Midnight has come in Denpasar (WITA) and not yet in Jakarta (WIB): zone matters.
    _run_at(DENPASAR_DUE + SECOND)
    assert _erased(in_denpasar) and not _erased(in_jakarta)

    _run_at(JAKARTA_DUE - SECOND)
    assert not _erased(in_jakarta)
    _run_at(JAKARTA_DUE + SECOND)
    assert _erased(in_jakarta)


def test_a_late_evening_visit_counts_for_its_office_day_not_the_utc_day(
    jakarta_office: Any,
) -> None:
    # 23:30 WIB on 5 January is 16:30 UTC the same day; 06:30 WIB on 6 January is 23:30
    # UTC on 5 January, yet it is a visit of 6 January and is kept a day longer.
    late = _visit(jakarta_office, VISIT, clock=time(23, 30))
    early_next = _visit(jakarta_office, VISIT + timedelta(days=1), clock=time(6, 30))
    _run_at(JAKARTA_DUE + SECOND)
    assert _erased(late) and not _erased(early_next)
    _run_at(JAKARTA_DUE + timedelta(days=1) + SECOND)
    assert _erased(early_next)


def test_ticket_and_waitlist_entry_follow_the_office_day_with_their_own_retention(
    jakarta_office: Any,
) -> None:
    ticket, entry = _ticket(jakarta_office), _waiting(jakarta_office)
    waitlist_due = datetime(2026, 2, 4, 17, 0, tzinfo=UTC)  # 00:00 WIB on 5 Feb = 5 Jan + 31

    _run_at(waitlist_due - SECOND)
    entry.refresh_from_db()
    assert entry.anonymised_at is None
    _run_at(waitlist_due + SECOND)
    entry.refresh_from_db()
    assert entry.anonymised_at is not None

    _run_at(JAKARTA_DUE - SECOND)
    ticket.refresh_from_db()
    assert ticket.anonymised_at is None
    _run_at(JAKARTA_DUE + SECOND)
    ticket.refresh_from_db()
    assert ticket.anonymised_at is not None


def test_message_is_kept_for_its_days_after_sending_to_the_second(jakarta_office: Any) -> None:
    sent = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
    message = _message(jakarta_office, sent_at=sent)

    _run_at(sent + timedelta(days=30) - SECOND)
    message.refresh_from_db()
    assert message.recipient == "siti@example.id"

    _run_at(sent + timedelta(days=30) + SECOND)
    message.refresh_from_db()
    assert message.anonymised_at is not None


# --- What ---------------------------------------------------------------------------------


def test_anonymised_booking_keeps_the_visit_and_loses_the_person(jakarta_office: Any) -> None:
    booking = _visit(jakarta_office)
    _run_at(JAKARTA_DUE + SECOND)

    booking.refresh_from_db()
    assert (booking.full_name, booking.nik_encrypted, booking.nik_hash, booking.nik_last4) == (
        "",
        "",
        "",
        "",
    )
    assert (booking.phone, booking.email, booking.hold_token) == ("", "", None)
    assert not VerificationCode.objects.filter(booking=booking).exists()
    # The visit itself stays for reports: code, slot, service, outcome, dates, group.
    assert booking.status == BookingStatus.ATTENDED
    assert booking.slot.local_date == VISIT
    assert booking.priority_group == "elderly"


def test_anonymised_booking_cannot_be_looked_up_any_more(jakarta_office: Any) -> None:
    from booking.services.booking import booking_find

    booking = _visit(jakarta_office)
    assert booking_find(code=booking.code, secret=NIK[-4:]) == booking
    _run_at(JAKARTA_DUE + SECOND)
    for secret in (NIK[-4:], "siti@example.id", " ", "****"):
        assert booking_find(code=booking.code, secret=secret) is None


def test_anonymised_ticket_keeps_times_and_score_and_loses_contact_and_comment(
    jakarta_office: Any,
) -> None:
    ticket = _ticket(jakarta_office)
    _run_at(JAKARTA_DUE + SECOND)

    ticket.refresh_from_db()
    assert (ticket.contact_phone, ticket.contact_email) == ("", "")
    assert ticket.public_token == f"anonymised-{ticket.pk}"
    assert ticket.rating.comment == ""
    assert ticket.rating.score == 4
    assert ticket.finished_at is not None


def test_anonymised_message_keeps_no_address_context_or_gateway_trace(jakarta_office: Any) -> None:
    message = _message(jakarta_office, sent_at=datetime(2026, 1, 5, 2, 0, tzinfo=UTC))
    _run_at(JAKARTA_DUE)
    message.refresh_from_db()
    assert (message.recipient, message.context, message.provider_ref) == ("", {}, "")
    assert message.status == MessageStatus.SENT


def test_anonymised_message_is_not_resent(jakarta_office: Any, supervisor: Any) -> None:
    message = _message(jakarta_office, sent_at=datetime(2026, 1, 5, 2, 0, tzinfo=UTC))
    _run_at(JAKARTA_DUE)
    message.refresh_from_db()
    with pytest.raises(ApplicationError) as refused:
        message_resend(message=message, by=supervisor)
    assert refused.value.code == "message_anonymised"
    assert Message.objects.count() == 1


def test_active_bookings_and_open_entries_are_never_anonymised(jakarta_office: Any) -> None:
    confirmed = _visit(jakarta_office, status=BookingStatus.CONFIRMED)
    held = _visit(jakarta_office, status=BookingStatus.HELD, nik="3171014501900002")
    waiting = _waiting(jakarta_office, status=WaitlistStatus.WAITING)
    _run_at(JAKARTA_DUE + timedelta(days=400))
    assert not _erased(confirmed) and not _erased(held)
    waiting.refresh_from_db()
    assert waiting.anonymised_at is None


def test_constraints_hold_for_anonymised_rows(jakarta_office: Any) -> None:
    # Two past bookings of one citizen for one service, one without any contact (made by
    # staff), become rows with an empty NIK hash; a new active booking still fits, and
    # the one-active-booking index still refuses a second.
    _visit(jakarta_office, status=BookingStatus.CANCELLED)
    _visit(jakarta_office, status=BookingStatus.NO_SHOW, source=Source.STAFF)
    run = _run_at(JAKARTA_DUE + SECOND)
    assert run.counts["booking.Booking"] == 2
    assert Booking.objects.filter(nik_hash="", anonymised_at__isnull=False).count() == 2

    _visit(jakarta_office, date(2026, 4, 20), status=BookingStatus.CONFIRMED)
    with pytest.raises(IntegrityError), transaction.atomic():
        _visit(jakarta_office, date(2026, 4, 21), status=BookingStatus.CONFIRMED)
    # Without the anonymisation exemption a web booking with neither phone nor email
    # breaks booking_has_a_contact.
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.filter(anonymised_at__isnull=False).update(
            anonymised_at=None, source=Source.WEB
        )


# --- How ----------------------------------------------------------------------------------


def _snapshot() -> str:
    rows = [
        # django-stubs takes Message's GenericForeignKey (a Field since Django 5.1) for a
        # column in a bare values() and cannot resolve it; Django itself leaves it out.
        list(model.objects.order_by("pk").values())  # type: ignore[misc]
        for model in (Booking, WaitlistEntry, Ticket, ServiceRating, Message, VerificationCode)
    ]
    return json.dumps(rows, default=str, sort_keys=True)


def test_a_second_run_changes_nothing(jakarta_office: Any, denpasar_office: Any) -> None:
    for office in (jakarta_office, denpasar_office):
        _visit(office), _ticket(office), _waiting(office)
        _message(office, sent_at=datetime(2026, 1, 5, 2, 0, tzinfo=UTC))
    first = _run_at(JAKARTA_DUE + SECOND)
    changed = {name: count for name, count in first.counts.items() if count}
    assert changed == {
        "booking.Booking": 2,
        "booking.WaitlistEntry": 2,
        "notifications.Message": 2,
        "queueing.Ticket": 2,
    }
    after_first = _snapshot()

    second = _run_at(JAKARTA_DUE + timedelta(hours=1))

    assert second.total == 0
    assert _snapshot() == after_first


def test_work_is_done_in_bounded_batches_and_resumed_by_the_next_run(
    jakarta_office: Any, settings: Any
) -> None:
    settings.GILIRAN_RETENTION_BATCH_SIZE = 2
    settings.GILIRAN_RETENTION_MAX_BATCHES = 2
    bookings = [
        _visit(jakarta_office, status=BookingStatus.CANCELLED, nik=f"31710145019000{n:02d}")
        for n in range(7)
    ]

    assert _run_at(JAKARTA_DUE + SECOND).counts["booking.Booking"] == 4
    assert _run_at(JAKARTA_DUE + 2 * SECOND).counts["booking.Booking"] == 3
    assert all(_erased(b) for b in bookings)


def test_run_log_records_counts_and_no_personal_data(jakarta_office: Any) -> None:
    _visit(jakarta_office)
    _run_at(JAKARTA_DUE + SECOND)
    run = RetentionRun.objects.get()
    assert run.total == 1 and run.finished_at is not None
    logged = json.dumps([run.counts, str(run)])
    assert NIK not in logged and "Siti" not in logged and "siti@" not in logged


def _aggregates(office: Any) -> dict[str, Any]:
    tickets = Ticket.objects.filter(office=office)
    return {
        "bookings per service, day and outcome": list(
            Booking.objects.values("service__code", "slot__local_date", "status", "priority_group")
            .annotate(n=Count("pk"))
            .order_by("service__code", "slot__local_date", "status")
        ),
        "tickets per service, day and source": list(
            tickets.values("office_service_id", "local_date", "source", "status", "priority_group")
            .annotate(n=Count("pk"))
            .order_by("office_service_id", "local_date", "source")
        ),
        "durations": sorted(
            (t.finished_at - t.serving_at, t.serving_at - t.queued_at)
            for t in tickets
            if t.finished_at and t.serving_at
        ),
        "survey": ServiceRating.objects.aggregate(n=Count("pk"), mean=Avg("score")),
        # What scheduling/forecast.py reads: walk-ins per block on the same weekdays.
        "forecast instance": day_instance(office=office, day=date(2026, 3, 2)),
    }


def test_aggregates_for_reports_and_forecast_are_unchanged(
    jakarta_office: Any, settings: Any
) -> None:
    for week in range(8):
        day = date(2026, 1, 5) + timedelta(weeks=week)  # Mondays, history for 2 March
        for n, clock in enumerate([time(8, 10), time(8, 40), time(10, 5), time(13, 20)]):
            _ticket(jakarta_office, day, clock=clock, score=1 + (n + week) % 5)
        _visit(jakarta_office, day, status=BookingStatus.ATTENDED, nik=f"317101450190{week:04d}")
        _visit(jakarta_office, day, status=BookingStatus.NO_SHOW, nik=f"317101450191{week:04d}")
    settings.GILIRAN_RETENTION_VISIT_DAYS = 0  # everything before today is past retention
    now = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)
    with time_machine.travel(now, tick=False):
        before = _aggregates(jakarta_office)
        run = retention_run()
        after = _aggregates(jakarta_office)

    assert run.counts["queueing.Ticket"] == 32 and run.counts["booking.Booking"] == 16
    assert not Ticket.objects.filter(anonymised_at__isnull=True).exists()
    assert after == before


def test_beat_runs_the_retention_job_hourly() -> None:
    from config.celery import app

    entry = app.conf.beat_schedule["retention"]
    assert entry["task"] == "core.tasks.retention_run"
    assert entry["schedule"] == 3600.0


def test_retention_shorter_than_the_no_show_window_is_warned(settings: Any) -> None:
    from core.checks import retention_covers_no_show_window

    assert retention_covers_no_show_window(None) == []
    settings.GILIRAN_RETENTION_VISIT_DAYS = 30
    warnings = retention_covers_no_show_window(None)
    assert [w.id for w in warnings] == ["giliran.W201"]
