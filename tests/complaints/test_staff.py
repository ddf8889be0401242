"""The staff side through the HTTP client: supervisors handle their offices'
complaints, integrity officers the pungli reports, and nobody else sees either."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import translation

from audit.selectors import AuditFilter, audit_entries
from complaints.messages import ComplaintMessageKind
from complaints.models import Complaint
from complaints.selectors import complaints_for_staff
from complaints.services import complaint_take
from notifications.models import Message
from offices.permissions import offices_for, supervises
from tests.complaints.conftest import TEXT, file
from twofactor.policy import requires_two_factor

pytestmark = pytest.mark.django_db


def _list(prefix: str = "") -> str:
    with translation.override("id"):
        return prefix + reverse("staff:complaints")


def _detail(complaint: Complaint, prefix: str = "") -> str:
    with translation.override("id"):
        return prefix + reverse("staff:complaint", args=[complaint.number])


def test_pungli_goes_to_the_integrity_officer_and_is_hidden_from_the_office(
    client: Client,
    jakarta_office: Any,
    supervisor: Any,
    office_admin: Any,
    counter_clerk: Any,
    integrity_officer: Any,
) -> None:
    delay = file(jakarta_office).complaint
    pungli = file(jakarta_office, category="pungli", text=TEXT).complaint
    marked = file(jakarta_office, category="staff_conduct", pungli=True, text=TEXT).complaint
    assert pungli.pungli and marked.pungli and not delay.pungli
    assert set(complaints_for_staff(supervisor)) == {delay}
    assert set(complaints_for_staff(office_admin)) == {delay}
    assert set(complaints_for_staff(integrity_officer)) == {pungli, marked}
    assert not complaints_for_staff(counter_clerk).exists()

    client.force_login(supervisor)
    page = client.get(_list()).content.decode()
    assert delay.number in page and pungli.number not in page and marked.number not in page
    assert client.get(_detail(pungli)).status_code == 403
    assert client.post(_detail(pungli), {"action": "take"}).status_code == 403
    # Nor in the office's message log or audit search: no office on those rows.
    assert Message.objects.get(subject_id=pungli.pk).office_id is None
    client.force_login(integrity_officer)
    page = client.get(_list()).content.decode()
    assert pungli.number in page and marked.number in page and delay.number not in page
    assert client.get(_detail(delay)).status_code == 403
    response = client.post(_detail(pungli), {"action": "take"})
    assert response.status_code == 302
    assert Complaint.objects.get(pk=pungli.pk).status == "in_progress"
    client.force_login(counter_clerk)
    assert client.get(_list()).status_code == 403


def test_staff_see_only_their_offices(
    client: Client, jakarta_office: Any, denpasar_office: Any, supervisor_of_another_office: Any
) -> None:
    jakarta = file(jakarta_office).complaint
    denpasar = file(denpasar_office).complaint
    client.force_login(supervisor_of_another_office)
    page = client.get(_list()).content.decode()
    assert denpasar.number in page and jakarta.number not in page
    assert client.get(_detail(jakarta)).status_code == 403


def test_a_supervisor_takes_answers_and_closes_in_the_browser(
    client: Client, jakarta_office: Any, supervisor: Any
) -> None:
    complaint = file(
        jakarta_office, text="Ruang tunggu <b>panas</b> sekali, kipas angin mati semua."
    ).complaint
    client.force_login(supervisor)
    page = client.get(_detail(complaint)).content.decode()
    assert "Tangani" in page and "&lt;b&gt;panas&lt;/b&gt;" in page
    assert "+6281******890" in page  # the contact, masked
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count() == 1
    assert client.post(_detail(complaint), {"action": "take"}).status_code == 302
    empty = client.post(_detail(complaint), {"action": "answer", "answer": ""})
    assert empty.status_code == 400 and "Periksa jawaban di bawah." in empty.content.decode()
    answer = "Kipas angin sudah diganti hari ini. Terima kasih."
    assert (
        client.post(_detail(complaint), {"action": "answer", "answer": answer}).status_code == 302
    )
    again = client.post(_detail(complaint), {"action": "take"})
    assert again.status_code == 400
    assert "Status pengaduan ini sudah berubah" in again.content.decode()
    assert client.post(_detail(complaint), {"action": "close"}).status_code == 302
    page = client.get(_detail(complaint)).content.decode()
    assert "Ditutup" in page and answer in page and "Mulai ditangani" in page
    assert Message.objects.filter(subject_id=complaint.pk).count() == 4
    assert Message.objects.filter(kind=ComplaintMessageKind.CLOSED).count() == 1


def test_the_list_shows_due_days_and_highlights_overdue_ones(
    client: Client, jakarta_office: Any, supervisor: Any
) -> None:
    late = file(jakarta_office).complaint
    Complaint.objects.filter(pk=late.pk).update(due_on=late.due_on - timedelta(days=60))
    fresh = file(jakarta_office).complaint
    client.force_login(supervisor)
    page = client.get(_list("/en")).content.decode()
    assert page.count("overdue") == 2  # the row's class and its word
    assert late.number in page and fresh.number in page
    filtered = client.get(_list(), {"status": "closed"}).content.decode()
    assert late.number not in filtered and "Tidak ada pengaduan." in filtered
    bad = client.get(_list(), {"status": "nonsense", "category": "nope"})
    assert bad.status_code == 200


def test_an_integrity_officer_reaches_nothing_else_of_the_office_and_needs_a_second_factor(
    client: Client, jakarta_office: Any, integrity_officer: Any
) -> None:
    assert not offices_for(integrity_officer).exists()
    assert not supervises(integrity_officer)
    assert requires_two_factor(integrity_officer)
    client.force_login(integrity_officer)
    with translation.override("id"):
        capacity = reverse("staff:capacity", args=[jakarta_office.code])
        home = reverse("staff:home")
    assert client.get(capacity).status_code == 403
    page = client.get(home).content.decode()
    assert "Laporan pungli" in page and "Pesan ke warga" not in page


def test_the_admin_hides_pungli_reports_from_the_offices_administrator(
    client: Client, jakarta_office: Any, office_admin: Any, national_admin: Any
) -> None:
    delay = file(jakarta_office).complaint
    pungli = file(jakarta_office, category="pungli", text=TEXT).complaint
    with translation.override("id"):
        url = reverse("admin:complaints_complaint_changelist")
    client.force_login(office_admin)
    page = client.get(url).content.decode()
    assert delay.number in page and pungli.number not in page
    client.force_login(national_admin)
    page = client.get(url).content.decode()
    assert delay.number in page and pungli.number in page


def test_the_audit_log_records_each_step_and_keeps_pungli_from_the_office(
    jakarta_office: Any, supervisor: Any, integrity_officer: Any, national_admin: Any
) -> None:
    delay = file(jakarta_office).complaint
    pungli = file(jakarta_office, category="pungli", text=TEXT).complaint
    complaint_take(complaint=delay, by=supervisor)
    complaint_take(complaint=pungli, by=integrity_officer)
    changes = LogEntry.objects.filter(action=LogEntry.Action.UPDATE, object_pk=str(delay.pk))
    assert changes.count() == 1
    assert "in_progress" in str(changes.get().changes)
    assert TEXT not in str(list(LogEntry.objects.values_list("changes", flat=True)))
    complaints_only = AuditFilter(what=ContentType.objects.get_for_model(Complaint).pk)
    seen = audit_entries(user=supervisor, filters=complaints_only)
    assert {entry.object_pk for entry in seen} == {str(delay.pk)}
    everything = audit_entries(user=national_admin, filters=complaints_only)
    assert {entry.object_pk for entry in everything} >= {str(delay.pk), str(pungli.pk)}
