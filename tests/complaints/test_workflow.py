"""The rules of a complaint, through its services: tracking numbers, the due date in
working days in the office's calendar, the one-way status, the citizen told exactly
once per change, and the status shown only with the access key."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from complaints.messages import ComplaintMessageKind
from complaints.models import Complaint, ComplaintEvent
from complaints.services import (
    complaint_answer,
    complaint_close,
    complaint_find,
    complaint_take,
)
from core.errors import ApplicationError
from notifications.models import Message
from notifications.rendering import message_render
from offices.models import Closure
from tests.complaints.conftest import file

pytestmark = pytest.mark.django_db


def test_numbers_count_up_per_year_in_the_offices_calendar(jakarta_office: Any) -> None:
    first = file(jakarta_office, now=datetime(2026, 12, 31, 10, tzinfo=UTC)).complaint
    second = file(jakarta_office, now=datetime(2026, 12, 31, 11, tzinfo=UTC)).complaint
    # 17:30 UTC on 31 December is already 1 January 2027 in Jakarta (WIB, UTC+7).
    new_year = file(jakarta_office, now=datetime(2026, 12, 31, 17, 30, tzinfo=UTC)).complaint
    assert [first.number, second.number, new_year.number] == [
        "ADU-2026-00001",
        "ADU-2026-00002",
        "ADU-2027-00001",
    ]


def test_the_answer_is_due_in_working_days_skipping_weekend_and_holidays(
    jakarta_office: Any, settings: Any
) -> None:
    settings.GILIRAN_COMPLAINT_SLA_DAYS = 3
    # Wednesday 23 December 2026, 00:30 WIB (still the 22nd in UTC). Thursday 24 is cuti
    # bersama, Friday 25 Christmas, then the weekend: Mon 28, Tue 29, Wed 30.
    filed = file(jakarta_office, now=datetime(2026, 12, 22, 17, 30, tzinfo=UTC)).complaint
    assert filed.due_on == date(2026, 12, 30)
    # The office's own closure counts too.
    Closure.objects.create(
        office=jakarta_office,
        starts_on=date(2026, 12, 29),
        ends_on=date(2026, 12, 29),
        reason_id="Rapat",
        reason_en="Meeting",
    )
    again = file(jakarta_office, now=datetime(2026, 12, 22, 17, 30, tzinfo=UTC)).complaint
    assert again.due_on == date(2026, 12, 31)


def test_overdue_after_the_due_day_in_the_offices_zone(jakarta_office: Any) -> None:
    complaint = file(jakarta_office).complaint
    assert not complaint.overdue(complaint.due_on)
    assert complaint.overdue(date.fromordinal(complaint.due_on.toordinal() + 1))


def _kinds(complaint: Complaint) -> list[str]:
    return list(
        Message.objects.filter(subject_id=complaint.pk)
        .order_by("pk")
        .values_list("kind", flat=True)
    )


def test_the_status_moves_one_way_and_the_citizen_is_told_once_per_change(
    jakarta_office: Any, supervisor: Any
) -> None:
    complaint = file(jakarta_office).complaint
    with pytest.raises(ApplicationError):
        complaint_close(complaint=complaint, by=supervisor)  # not answered yet
    complaint_take(complaint=complaint, by=supervisor)
    with pytest.raises(ApplicationError) as twice:
        complaint_take(complaint=complaint, by=supervisor)  # a double click
    assert twice.value.status_code == 409
    with pytest.raises(ApplicationError) as empty:
        complaint_answer(complaint=complaint, by=supervisor, answer="   ")
    assert "answer" in empty.value.fields
    complaint_answer(complaint=complaint, by=supervisor, answer="Petugas sudah kami tegur.")
    with pytest.raises(ApplicationError):
        complaint_answer(complaint=complaint, by=supervisor, answer="Lagi.")
    complaint_close(complaint=complaint, by=supervisor)
    with pytest.raises(ApplicationError):
        complaint_close(complaint=complaint, by=supervisor)
    complaint.refresh_from_db()
    assert complaint.status == "closed" and complaint.answer == "Petugas sudah kami tegur."
    assert complaint.assignee == supervisor and complaint.closed_at is not None
    assert _kinds(complaint) == [
        ComplaintMessageKind.RECEIVED,
        ComplaintMessageKind.IN_PROGRESS,
        ComplaintMessageKind.ANSWERED,
        ComplaintMessageKind.CLOSED,
    ]
    answered = Message.objects.get(kind=ComplaintMessageKind.ANSWERED, subject_id=complaint.pk)
    assert answered.context["answer"] == "Petugas sudah kami tegur."
    assert list(complaint.events.values_list("kind", "staff")) == [
        ("filed", None),
        ("taken", supervisor.pk),
        ("answered", supervisor.pk),
        ("closed", supervisor.pk),
    ]


def test_a_complaint_can_be_answered_straight_away(jakarta_office: Any, supervisor: Any) -> None:
    complaint = file(jakarta_office).complaint
    complaint_answer(complaint=complaint, by=supervisor, answer="Sudah kami perbaiki.")
    complaint.refresh_from_db()
    assert complaint.status == "answered" and complaint.assignee == supervisor


def test_staff_of_another_office_and_clerks_may_not_act(
    jakarta_office: Any, counter_clerk: Any, supervisor_of_another_office: Any
) -> None:
    complaint = file(jakarta_office).complaint
    for person in (counter_clerk, supervisor_of_another_office):
        with pytest.raises(PermissionDenied):
            complaint_take(complaint=complaint, by=person)
    assert Complaint.objects.get().status == "received"
    assert ComplaintEvent.objects.count() == 1


def test_the_status_needs_the_access_key(jakarta_office: Any, settings: Any) -> None:
    filed = file(jakarta_office)
    number = filed.complaint.number
    assert complaint_find(number=number, access_key="") is None
    assert complaint_find(number=number, access_key="AAAAA-AAAAA") is None
    assert complaint_find(number="ADU-2026-99999", access_key=filed.access_key) is None
    typed = f" {filed.access_key[:5].lower()}-{filed.access_key[5:]} "
    assert complaint_find(number=number.lower(), access_key=typed) == filed.complaint


def test_a_number_locks_after_too_many_wrong_keys(jakarta_office: Any, settings: Any) -> None:
    settings.GILIRAN_COMPLAINT_LOOKUP_ATTEMPTS = 3
    filed = file(jakarta_office)
    for _ in range(3):
        assert complaint_find(number=filed.complaint.number, access_key="WRONGWRONG") is None
    # Even the right key no longer reads it: guessing cannot go on.
    assert complaint_find(number=filed.complaint.number, access_key=filed.access_key) is None


def test_each_message_reads_in_the_citizens_language(jakarta_office: Any, supervisor: Any) -> None:
    complaint = file(jakarta_office, contact="siti@example.id").complaint
    complaint_take(complaint=complaint, by=supervisor)
    complaint_answer(complaint=complaint, by=supervisor, answer="Loket tambahan <b>dibuka</b>.")
    complaint_close(complaint=complaint, by=supervisor)
    texts = {
        message.kind: message_render(kind=message.kind, language="id", context=message.context)
        for message in Message.objects.filter(subject_id=complaint.pk)
    }
    received = texts[ComplaintMessageKind.RECEIVED]
    assert complaint.number in received.text and "kunci akses" in received.text
    assert received.subject == f"Giliran: pengaduan {complaint.number} diterima"
    assert "sedang ditangani" in texts[ComplaintMessageKind.IN_PROGRESS].text
    answered = texts[ComplaintMessageKind.ANSWERED]
    assert "Loket tambahan <b>dibuka</b>." in answered.text  # a text message: as typed
    assert "&lt;b&gt;" in answered.html  # the email's HTML part escapes it
    assert "sudah ditutup" in texts[ComplaintMessageKind.CLOSED].text
    english = message_render(
        kind=ComplaintMessageKind.CLOSED,
        language="en",
        context=Message.objects.get(kind=ComplaintMessageKind.CLOSED).context,
    )
    assert "is closed. Thank you for telling us." in english.text
