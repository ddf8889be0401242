"""Data-subject requests through the services: filing, the 3×24-hour deadline, who may
act, correction, deletion (keeps aggregates, cancels upcoming bookings first), refusal,
and the export of one citizen's data only."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.core import mail

from booking.messages import BookingMessageKind
from booking.models import (
    Booking,
    BookingStatus,
    Channel,
    Slot,
    Source,
    WaitlistEntry,
    WaitlistStatus,
)
from booking.services.booking import booking_hold
from core import personal_data
from core.errors import ApplicationError
from notifications.models import Message
from privacy import selectors
from privacy.messages import PrivacyMessageKind
from privacy.models import DataEvent, DataEventKind, DataRequest, RequestKind, RequestStatus
from privacy.services.proof import Contact
from privacy.services.requests import (
    data_request_complete,
    data_request_file,
    data_request_refuse,
    data_request_take,
)
from tests.booking.conftest import citizen_details
from tests.privacy.conftest import BUDI_NIK, SITI_NIK, book

pytestmark = pytest.mark.django_db

SITI_EMAIL = Contact(Channel.EMAIL, "siti@example.id")


def _file(nik_hash: str, kind: str = RequestKind.CORRECTION, **fields: Any) -> DataRequest:
    if kind == RequestKind.CORRECTION:
        fields = {"field": "full_name", "new_value": "Siti  Rahmawati Putri", **fields}
    return data_request_file(nik_hash=nik_hash, kind=kind, contact=SITI_EMAIL, **fields)


def test_a_request_is_due_three_times_24_hours_after_filing_shown_in_the_office_zone(
    siti_booking: Booking, siti_hash: str, budi_booking: Booking
) -> None:
    request = _file(siti_hash)
    assert request.due_at - request.filed_at == timedelta(hours=72)
    assert request.filed_at == datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    assert list(request.offices.values_list("code", flat=True)) == ["kanim-jakarta"]
    # 4 December 10:00 in Jakarta (WIB); Budi's office in Denpasar shows WITA.
    assert selectors.request_deadline(request).endswith("4 Desember 2026, 10:00 WIB")
    budi = data_request_file(
        nik_hash=personal_data.keyed_hash(BUDI_NIK),
        kind=RequestKind.DELETION,
        contact=Contact(Channel.EMAIL, "budi@example.id"),
    )
    assert selectors.request_deadline(budi).endswith("4 Desember 2026, 11:00 WITA")
    assert DataEvent.objects.filter(request=request, kind=DataEventKind.FILED).exists()


def test_a_request_is_overdue_after_its_deadline(
    siti_booking: Booking, siti_hash: str, clock: Any
) -> None:
    request = _file(siti_hash)
    assert not selectors.request_overdue(request)
    clock.shift(timedelta(hours=72, seconds=1))
    assert selectors.request_overdue(request)


def test_a_correction_needs_a_valid_value_and_changes_nothing_otherwise(
    siti_booking: Booking, siti_hash: str
) -> None:
    with pytest.raises(ApplicationError) as refused:
        _file(siti_hash, field="phone", new_value="12")
    assert "new_value" in refused.value.fields
    with pytest.raises(ApplicationError) as refused:
        _file(siti_hash, field="nik", new_value="3171014501900002")
    assert "field" in refused.value.fields
    assert not DataRequest.objects.exists()


def test_nobody_can_file_for_a_nik_without_data(db: None) -> None:
    with pytest.raises(ApplicationError) as refused:
        _file(personal_data.keyed_hash(SITI_NIK))
    assert refused.value.code == "nothing_held"


def test_a_supervisor_corrects_the_name_everywhere_and_the_citizen_is_told(
    siti_booking: Booking, siti_hash: str, supervisor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    request = _file(siti_hash)
    assert request.new_value_encrypted and "Putri" not in request.new_value_encrypted
    data_request_take(request=request, staff=supervisor)
    assert request.status == RequestStatus.IN_PROGRESS and request.assignee == supervisor
    with django_capture_on_commit_callbacks(execute=True):
        data_request_complete(request=request, staff=supervisor)
    siti_booking.refresh_from_db()
    assert siti_booking.full_name == "Siti Rahmawati Putri"
    request.refresh_from_db()
    assert request.status == RequestStatus.DONE and request.new_value_encrypted == ""
    told = Message.objects.get(kind=PrivacyMessageKind.PRIVACY_DONE)
    assert told.recipient == "siti@example.id"
    assert request.reference in mail.outbox[-1].body
    assert "nama lengkap" in mail.outbox[-1].body  # in the citizen's language
    kinds = set(request.events.values_list("kind", flat=True))
    assert {"filed", "assigned", "corrected", "told"} <= kinds
    assert request.events.get(kind="corrected").staff == supervisor


def test_staff_of_another_office_and_counter_clerks_cannot_act(
    siti_booking: Booking, siti_hash: str, supervisor_of_another_office: Any, counter_clerk: Any
) -> None:
    request = _file(siti_hash)
    for outsider in (supervisor_of_another_office, counter_clerk):
        with pytest.raises(ApplicationError) as refused:
            data_request_complete(request=request, staff=outsider)
        assert refused.value.status_code == 403
        assert outsider not in [r.assignee for r in selectors.requests_for_staff(outsider)]
        assert not selectors.requests_for_staff(outsider).exists()
    request.refresh_from_db()
    assert request.status == RequestStatus.RECEIVED


def test_a_request_is_answered_once(
    siti_booking: Booking, siti_hash: str, supervisor: Any, national_admin: Any
) -> None:
    request = _file(siti_hash)
    data_request_refuse(request=request, staff=supervisor, reason="Nama sudah sesuai KTP.")
    stale = DataRequest.objects.get(pk=request.pk)
    with pytest.raises(ApplicationError) as refused:
        data_request_complete(request=stale, staff=national_admin)
    assert refused.value.code == "request_closed"
    siti_booking.refresh_from_db()
    assert siti_booking.full_name == "Siti Rahmawati"


def test_a_refusal_needs_a_reason_and_tells_the_citizen(
    siti_booking: Booking, siti_hash: str, supervisor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    request = _file(siti_hash)
    with pytest.raises(ApplicationError) as refused:
        data_request_refuse(request=request, staff=supervisor, reason="  ")
    assert "reason" in refused.value.fields
    with django_capture_on_commit_callbacks(execute=True):
        data_request_refuse(request=request, staff=supervisor, reason="Nama sudah sesuai KTP.")
    request.refresh_from_db()
    assert request.status == RequestStatus.REFUSED
    assert "Nama sudah sesuai KTP." in mail.outbox[-1].body
    data = selectors.citizen_data(siti_hash)  # the answer is part of what is held
    assert "privacy_refused" in {m["kind"] for m in data["messages"]}
    assert data["requests"][0]["status_label"] == "Ditolak"


def test_deletion_cancels_the_upcoming_booking_then_erases_but_keeps_the_figures(
    siti_booking: Booking,
    siti_hash: str,
    budi_booking: Booking,
    slot: Slot,
    supervisor: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    request = _file(siti_hash, kind=RequestKind.DELETION)
    with django_capture_on_commit_callbacks(execute=True):
        data_request_complete(request=request, staff=supervisor)
    siti_booking.refresh_from_db()
    slot.refresh_from_db()
    # Cancelled first (the place is free again), then erased; the row stays for figures.
    assert siti_booking.status == BookingStatus.CANCELLED and slot.taken == 0
    assert siti_booking.slot_id == slot.pk and siti_booking.service_id is not None
    erased = ("full_name", "nik_encrypted", "nik_last4", "phone", "email")
    assert all(getattr(siti_booking, name) == "" for name in erased)
    assert siti_booking.nik_hash != siti_hash and siti_booking.anonymised_at is not None
    # The citizen is told of the cancellation: the notice queued by the deletion is
    # delivered (not blanked before it could go); it is erased by the retention job.
    cancelled = Message.objects.get(booking=siti_booking, kind=BookingMessageKind.CANCELLED)
    assert cancelled.status == "sent" and cancelled.recipient == "siti@example.id"
    assert any(siti_booking.code in m.body and m.to == ["siti@example.id"] for m in mail.outbox)
    # Messages already sent before the deletion are erased at once.
    sent_before = Message.objects.filter(booking=siti_booking).exclude(pk=cancelled.pk)
    assert sent_before.exists() and not sent_before.exclude(recipient="").exists()
    # The reminder of the cancelled booking, still waiting, will never go out.
    reminder = Message.objects.get(booking=siti_booking, kind=BookingMessageKind.REMINDER_SOON)
    assert reminder.status == "skipped" and reminder.recipient == ""
    done = Message.objects.get(kind=PrivacyMessageKind.PRIVACY_DONE)  # …and of the outcome
    assert siti_booking.code in done.context["outcome"]
    assert selectors.citizen_data(siti_hash)["bookings"] == []
    # Budi is untouched.
    budi_booking.refresh_from_db()
    assert budi_booking.full_name == "Budi Santoso" and budi_booking.phone


def test_deletion_is_refused_while_todays_booking_cannot_be_cancelled(
    siti_booking: Booking, siti_hash: str, supervisor: Any, clock: Any
) -> None:
    request = _file(siti_hash, kind=RequestKind.DELETION)
    clock.move_to(datetime(2026, 12, 2, 1, 0, tzinfo=UTC))  # the appointment's day
    with pytest.raises(ApplicationError) as refused:
        data_request_complete(request=request, staff=supervisor)
    assert refused.value.code == "active_booking"
    assert siti_booking.code in str(refused.value.message)
    siti_booking.refresh_from_db()
    request.refresh_from_db()
    assert siti_booking.full_name == "Siti Rahmawati"
    assert siti_booking.status == BookingStatus.CONFIRMED
    assert request.status == RequestStatus.RECEIVED


def test_the_export_holds_the_citizens_rows_and_nobody_elses(
    siti_booking: Booking, siti_hash: str, budi_booking: Booking
) -> None:
    data = selectors.citizen_data(siti_hash)
    text = json.dumps(data)
    assert [b["code"] for b in data["bookings"]] == [siti_booking.code]
    assert data["bookings"][0]["nik"] == "************0001"
    assert SITI_NIK not in text and BUDI_NIK not in text
    assert budi_booking.code not in text and "Budi" not in text
    assert {m["kind"] for m in data["messages"]} == {"confirmed", "reminder_soon"}
    assert data["messages"][0]["to"] != "siti@example.id"  # masked
    steps = [step["what"] for step in data["processing_trail"]]
    assert steps[:2] == ["booking_made", "booking_confirmed"]
    assert data["processing_trail"][0]["when"] == "Selasa, 1 Desember 2026, 10:00 WIB"
    assert "message_confirmed_queued" in steps


def test_deletion_takes_the_citizen_off_waiting_lists_before_erasing(
    siti_booking: Booking, siti_hash: str, supervisor: Any, passport_here: Any
) -> None:
    entry = WaitlistEntry.objects.create(
        office_service=passport_here,
        local_date=date(2026, 12, 3),
        token="t" * 43,
        full_name="Siti Rahmawati",
        nik_encrypted=personal_data.encrypt(SITI_NIK),
        nik_hash=siti_hash,
        nik_last4="0001",
        email="siti@example.id",
        channel=Channel.EMAIL,
    )
    request = _file(siti_hash, kind=RequestKind.DELETION)
    data_request_complete(request=request, staff=supervisor)
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.LEFT  # never offered a place under an erased name
    assert (entry.full_name, entry.email, entry.nik_encrypted, entry.nik_last4) == ("",) * 4
    assert entry.nik_hash != siti_hash


def test_deletion_releases_a_hold_at_once(slot: Slot, siti_hash: str, supervisor: Any) -> None:
    hold = booking_hold(slot_id=slot.pk, details=citizen_details(), source=Source.WEB)
    request = _file(siti_hash, kind=RequestKind.DELETION)
    data_request_complete(request=request, staff=supervisor)
    hold.refresh_from_db()
    slot.refresh_from_db()
    assert hold.status == BookingStatus.EXPIRED and not hold.occupies_slot
    assert slot.taken == 0 and hold.full_name == ""


def test_a_correction_changes_only_the_rows_made_with_the_proven_contact(
    siti_booking: Booking, siti_hash: str, slot: Slot, supervisor: Any
) -> None:
    """Someone who booked (and confirmed) with Siti's NIK and their own phone, then
    proved that phone, cannot put their details on Siti's own bookings."""
    Booking.objects.filter(pk=siti_booking.pk).update(status=BookingStatus.ATTENDED)
    later = Slot.objects.filter(
        office_service=slot.office_service, capacity__gt=0, starts_at__gt=slot.starts_at
    ).order_by("starts_at")[0]
    other = book(later, SITI_NIK, phone="0813-9999-0000", email="mallory@example.id")
    mallory = Contact(Channel.SMS, "+6281399990000")
    request = data_request_file(
        nik_hash=siti_hash,
        kind=RequestKind.CORRECTION,
        contact=mallory,
        field="email",
        new_value="mallory2@example.id",
    )
    data_request_complete(request=request, staff=supervisor)
    siti_booking.refresh_from_db()
    other.refresh_from_db()
    assert siti_booking.email == "siti@example.id"
    assert other.email == "mallory2@example.id"
