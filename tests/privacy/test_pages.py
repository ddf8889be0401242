"""The citizen's pages (Indonesian at /…, English at /en/…) and the staff queue, through
the HTTP client, without JavaScript."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from booking.models import Booking, Channel
from core import personal_data
from privacy.models import DataEvent, DataRequest, RequestKind, RequestStatus
from privacy.services.proof import Contact
from privacy.services.requests import data_request_file
from tests.privacy.conftest import BUDI_NIK, SITI_NIK, book, code_from_mail

pytestmark = pytest.mark.django_db(transaction=True)


def _url(name: str, prefix: str = "") -> str:
    with translation.override("id"):  # a response leaves its language active
        return prefix + reverse(name)


def _prove(client: Client, prefix: str = "", contact: str = "siti@example.id") -> Any:
    response = client.post(_url("privacy-start", prefix), {"nik": SITI_NIK, "contact": contact})
    assert response.status_code == 302
    return client.post(_url("privacy-code", prefix), {"code": code_from_mail()})


def test_a_citizen_proves_who_they_are_and_sees_their_data(
    client: Client, siti_booking: Booking, budi_booking: Booking
) -> None:
    response = _prove(client)
    assert response.status_code == 302 and response["Location"] == reverse("privacy-overview")
    page = client.get(reverse("privacy-overview")).content.decode()
    assert siti_booking.code in page and "Siti Rahmawati" in page
    assert "************0001" in page and SITI_NIK not in page
    assert budi_booking.code not in page and "Budi" not in page
    assert "Pemesanan terkonfirmasi" in page  # the processing trail, in Indonesian
    assert DataEvent.objects.filter(kind="viewed").count() == 1


def test_the_pages_speak_english_under_en(client: Client, siti_booking: Booking) -> None:
    start = client.get(_url("privacy-start", "/en")).content.decode()
    assert "My personal data" in start and "Send me a code" in start
    _prove(client, "/en")
    assert "personal data" in mail.outbox[-1].body  # the code message in English
    page = client.get(_url("privacy-overview", "/en")).content.decode()
    assert "What was done with your data" in page and "Booking confirmed" in page


def test_unknown_details_get_the_same_page_as_known_ones(
    client: Client, siti_booking: Booking
) -> None:
    answers = []
    for nik, contact in ((SITI_NIK, "siti@example.id"), (BUDI_NIK, "siti@example.id")):
        other = Client()
        start = other.post(reverse("privacy-start"), {"nik": nik, "contact": contact})
        page = other.get(start["Location"])
        answers.append((start.status_code, start["Location"], page.content.decode()))
    (known_status, known_to, known_page), (unknown_status, unknown_to, unknown_page) = answers
    assert (known_status, known_to) == (unknown_status, unknown_to)
    assert _without_csrf(known_page) == _without_csrf(unknown_page)


def _without_csrf(html: str) -> str:
    return re.sub(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]+"', "", html)


def test_without_a_proof_the_data_pages_send_the_citizen_to_prove_first(
    client: Client, siti_booking: Booking
) -> None:
    for name in ("privacy-overview", "privacy-export", "privacy-code"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"] == reverse("privacy-start")


def test_the_grant_ends_after_fifteen_minutes(
    client: Client, siti_booking: Booking, clock: Any
) -> None:
    _prove(client)
    clock.shift(timedelta(minutes=16))
    assert client.get(reverse("privacy-overview"))["Location"] == reverse("privacy-start")


def test_the_download_is_json_with_the_citizens_data_only(
    client: Client, siti_booking: Booking, budi_booking: Booking
) -> None:
    _prove(client)
    response = client.get(reverse("privacy-export"))
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert [b["code"] for b in data["bookings"]] == [siti_booking.code]
    assert SITI_NIK not in response.content.decode() and budi_booking.code not in str(data)
    assert DataEvent.objects.filter(kind="exported").count() == 1


def test_a_correction_request_is_filed_and_a_bad_value_is_shown_next_to_the_field(
    client: Client, siti_booking: Booking
) -> None:
    _prove(client)
    url = reverse("privacy-request")
    bad = client.post(url, {"kind": "correction", "field": "phone", "new_value": "12"})
    assert bad.status_code == 400
    assert "Isi nomor HP Indonesia" in bad.content.decode()
    assert not DataRequest.objects.exists()
    good = client.post(
        url, {"kind": "correction", "field": "full_name", "new_value": "Siti Rahmawati Putri"}
    )
    assert good.status_code == 302
    request = DataRequest.objects.get()
    assert request.address == "siti@example.id" and request.kind == RequestKind.CORRECTION
    page = client.get(good["Location"]).content.decode()
    assert request.reference in page and "72 jam" in page


def test_starting_is_rate_limited_per_address(client: Client, siti_booking: Booking) -> None:
    for _attempt in range(10):
        client.post(reverse("privacy-start"), {"nik": BUDI_NIK, "contact": "x@example.id"})
    response = client.post(
        reverse("privacy-start"), {"nik": SITI_NIK, "contact": "siti@example.id"}
    )
    assert response.status_code == 200
    assert "Terlalu banyak percobaan" in response.content.decode()


# --- Staff ----------------------------------------------------------------------------


def _siti_request(kind: str = RequestKind.DELETION) -> DataRequest:
    fields: dict[str, Any] = (
        {"field": "full_name", "new_value": "Siti R."} if kind == "correction" else {}
    )
    return data_request_file(
        nik_hash=personal_data.keyed_hash(SITI_NIK),
        kind=kind,
        contact=Contact(Channel.EMAIL, "siti@example.id"),
        **fields,
    )


def test_the_supervisor_sees_the_queue_with_deadlines_in_the_office_zone(
    client: Client, siti_booking: Booking, supervisor: Any, clock: Any
) -> None:
    request = _siti_request()
    client.force_login(supervisor)
    page = client.get(reverse("privacy-staff-queue")).content.decode()
    assert request.reference in page and "4 Desember 2026, 10:00 WIB" in page
    assert "lewat batas waktu" not in page
    clock.shift(timedelta(hours=73))
    client.force_login(supervisor)  # a staff session ends after 12 hours
    page = client.get(reverse("privacy-staff-queue")).content.decode()
    assert 'class="overdue"' in page and "lewat batas waktu" in page


def test_other_offices_and_counter_clerks_do_not_see_the_request(
    client: Client, siti_booking: Booking, supervisor_of_another_office: Any, counter_clerk: Any
) -> None:
    request = _siti_request()
    client.force_login(supervisor_of_another_office)
    assert request.reference not in client.get(reverse("privacy-staff-queue")).content.decode()
    detail = reverse("privacy-staff-request", args=[request.reference])
    assert client.get(detail).status_code == 403
    assert client.post(detail, {"action": "complete"}).status_code == 403
    client.force_login(counter_clerk)
    assert client.get(reverse("privacy-staff-queue")).status_code == 403
    request.refresh_from_db()
    assert request.status == RequestStatus.RECEIVED


def test_the_queue_needs_a_sign_in(client: Client, siti_booking: Booking) -> None:
    response = client.get(reverse("privacy-staff-queue"))
    assert response.status_code == 302 and reverse("staff:login") in response["Location"]


def test_a_supervisor_takes_and_completes_a_deletion(
    client: Client, siti_booking: Booking, supervisor: Any
) -> None:
    request = _siti_request()
    client.force_login(supervisor)
    detail = reverse("privacy-staff-request", args=[request.reference])
    assert client.post(detail, {"action": "take"}).status_code == 302
    assert client.post(detail, {"action": "complete"}).status_code == 302
    request.refresh_from_db()
    siti_booking.refresh_from_db()
    assert request.status == RequestStatus.DONE and request.assignee == supervisor
    assert siti_booking.full_name == "" and siti_booking.anonymised_at is not None
    page = client.get(detail).content.decode()
    assert "Data pribadi dihapus" in page and "bambang" in page


def test_a_refusal_without_a_reason_is_shown_and_changes_nothing(
    client: Client, siti_booking: Booking, supervisor: Any
) -> None:
    request = _siti_request("correction")
    client.force_login(supervisor)
    detail = reverse("privacy-staff-request", args=[request.reference])
    page = client.get(detail).content.decode()
    assert "Siti R." in page  # the new value, for the supervisor to check
    response = client.post(detail, {"action": "refuse", "reason": ""})
    assert response.status_code == 400
    assert "Sebutkan alasan" in response.content.decode() or "wajib" in response.content.decode()
    request.refresh_from_db()
    assert request.status == RequestStatus.RECEIVED


def test_the_request_page_shows_other_offices_bookings_only_in_summary_and_logs_the_read(
    client: Client, siti_booking: Booking, denpasar_slot: Any, supervisor: Any
) -> None:
    """Siti also booked in Denpasar. The Jakarta supervisor handling her request sees her
    Jakarta booking in full (and that read is in the audit log), Denpasar's only as
    "a booking at that office", without its code or her name."""
    Booking.objects.filter(pk=siti_booking.pk).update(status="attended")
    with translation.override("id"):
        bali = book(denpasar_slot, SITI_NIK, full_name="Siti Bali")
    request = _siti_request()
    client.force_login(supervisor)
    page = client.get(reverse("privacy-staff-request", args=[request.reference]))
    text = page.content.decode()
    assert page.status_code == 200
    assert siti_booking.code in text and "Siti Rahmawati" in text
    assert bali.code not in text and "Siti Bali" not in text
    assert "Mal Pelayanan Publik Denpasar" in text  # summarised: the office is named
    reads = LogEntry.objects.filter(action=LogEntry.Action.ACCESS)
    assert {(entry.object_pk, entry.actor) for entry in reads} == {
        (str(siti_booking.pk), supervisor)
    }
