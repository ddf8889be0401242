"""The audit log records staff reading and changing personal data with who and from
where, never holds a NIK, and shows supervisors their own offices' entries only."""

from __future__ import annotations

import json
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from booking.models import Booking, Channel, Slot, Source
from booking.services.booking import (
    booking_cancel,
    booking_confirm,
    booking_hold,
    booking_reschedule,
)
from offices.models import Counter
from privacy.services.proof import Contact
from privacy.services.requests import personal_data_correct
from tests.booking.conftest import citizen_details

pytestmark = pytest.mark.django_db

NIK = "3171014101400001"


def _book_at_the_counter(client: Client, clerk: Any, slot: Slot) -> Booking:
    client.force_login(clerk)
    url = reverse("staff:book-details", args=[slot.office_service.office.code, slot.pk])
    response = client.post(url, {"full_name": "Mbah Sarinah", "nik": NIK, "channel": "none"})
    assert response.status_code == 302
    return Booking.objects.get(nik_last4=NIK[-4:])


def test_staff_booking_for_a_citizen_is_logged_with_the_clerk_and_address(
    client: Client, counter_clerk: Any, slot: Slot
) -> None:
    booking = _book_at_the_counter(client, counter_clerk, slot)
    created = LogEntry.objects.get_for_object(booking).get(action=LogEntry.Action.CREATE)
    assert created.actor == counter_clerk
    assert created.remote_addr == "127.0.0.1"
    assert created.additional_data == {"office_id": slot.office_service.office_id}
    assert created.changes["full_name"] == ["None", "M*** S***"]


def test_a_booking_change_is_tagged_with_its_office_in_the_insert_without_an_update(
    slot: Slot,
) -> None:
    booking = booking_hold(slot_id=slot.pk, details=citizen_details(), source=Source.WEB)
    booking = Booking.objects.select_related("slot__office_service").get(pk=booking.pk)
    booking.phone = "+6281311112222"
    with CaptureQueriesContext(connection) as queries:
        booking.save(update_fields=["phone"])
    sql = [query["sql"] for query in queries.captured_queries]
    assert not [q for q in sql if "UPDATE" in q and "auditlog_logentry" in q], sql
    assert not [q for q in sql if q.startswith("SELECT") and "booking_slot" in q], sql
    changed = LogEntry.objects.get_for_object(booking).filter(action=LogEntry.Action.UPDATE)
    assert [e.additional_data for e in changed] == [{"office_id": slot.office_service.office_id}]


def _updates(booking: Booking) -> list[dict[str, Any]]:
    entries = LogEntry.objects.get_for_object(booking).filter(action=LogEntry.Action.UPDATE)
    return [entry.changes for entry in entries.order_by("pk")]


def test_a_cancellation_is_logged_although_written_with_an_update(slot: Slot) -> None:
    held = booking_hold(slot_id=slot.pk, details=citizen_details(), source=Source.WEB)
    booking = booking_confirm(booking=held)
    booking_cancel(booking=booking)
    last = _updates(booking)[-1]
    assert last["status"] == ["confirmed", "cancelled"]
    assert "cancelled_at" in last and "hold_token" not in last


def test_a_reschedule_is_logged_with_the_old_and_new_slot(slot: Slot) -> None:
    held = booking_hold(slot_id=slot.pk, details=citizen_details(), source=Source.WEB)
    booking = booking_confirm(booking=held)
    later = Slot.objects.filter(
        office_service=slot.office_service, starts_at__gt=slot.starts_at, capacity__gt=0
    ).order_by("starts_at")[0]
    booking_reschedule(booking=booking, slot_id=later.pk)
    last = _updates(booking)[-1]
    assert last["slot"] == [slot.pk, later.pk]
    assert last["reschedule_count"] == [0, 1]


def test_a_staff_applied_correction_is_logged_masked_on_every_row(slot: Slot) -> None:
    held = booking_hold(slot_id=slot.pk, details=citizen_details(), source=Source.WEB)
    booking = booking_confirm(booking=held)
    personal_data_correct(
        nik_hash=booking.nik_hash,
        contact=Contact(Channel.EMAIL, booking.email),
        field="full_name",
        value="Siti Rahmawati Putri",
    )
    assert _updates(booking)[-1] == {"full_name": ["S*** R***", "S*** R*** P***"]}
    assert "Putri" not in json.dumps(_updates(booking))


def test_opening_a_booking_in_the_admin_is_logged_as_a_read(
    client: Client, office_admin: Any, slot: Slot
) -> None:
    booking = booking_hold(slot_id=slot.pk, details=citizen_details(), source=Source.WEB)
    client.force_login(office_admin)
    response = client.get(reverse("admin:booking_booking_change", args=[booking.pk]))
    assert response.status_code == 200
    read = LogEntry.objects.get_for_object(booking).get(action=LogEntry.Action.ACCESS)
    assert read.actor == office_admin


def test_staff_opening_a_citizens_booking_page_is_logged_as_a_read(
    client: Client, counter_clerk: Any, slot: Slot
) -> None:
    booking = _book_at_the_counter(client, counter_clerk, slot)
    assert client.get(reverse("booking-detail", args=[booking.code])).status_code == 200
    read = LogEntry.objects.get_for_object(booking).get(action=LogEntry.Action.ACCESS)
    assert read.actor == counter_clerk


def test_an_admin_change_is_logged_with_its_fields(
    client: Client, office_admin: Any, jakarta_office: Any
) -> None:
    counter = Counter.objects.get(office=jakarta_office)
    client.force_login(office_admin)
    url = reverse("admin:offices_counter_change", args=[counter.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data["services"] = [service.pk for service in counter.services.all()]
    data["name"] = "Loket Lansia"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    changed = LogEntry.objects.get_for_object(counter).get(action=LogEntry.Action.UPDATE)
    assert changed.actor == office_admin
    assert "Loket Lansia" in json.dumps(changed.changes)


def test_no_log_entry_holds_any_form_of_the_nik(
    client: Client, counter_clerk: Any, office_admin: Any, slot: Slot
) -> None:
    booking = _book_at_the_counter(client, counter_clerk, slot)
    other_nik = "3171014501900001"
    other = Slot.objects.filter(local_date=slot.local_date, capacity__gt=0).exclude(pk=slot.pk)[0]
    held = booking_hold(slot_id=other.pk, details=citizen_details(nik=other_nik), source=Source.WEB)
    booking_confirm(booking=held)
    admin = Client()
    admin.force_login(office_admin)
    admin.get(reverse("admin:booking_booking_change", args=[booking.pk]))
    secrets = [NIK, other_nik]
    for row in Booking.objects.all():
        secrets += [row.nik_hash, row.nik_encrypted]
    assert LogEntry.objects.count() >= 3
    for entry in LogEntry.objects.all():
        text = json.dumps(
            [
                entry.changes,
                entry.changes_text,
                entry.object_repr,
                entry.serialized_data,
                entry.additional_data,
            ]
        )
        for secret in secrets:
            assert secret not in text, entry
        assert "nik" not in json.dumps(entry.changes or {}).lower()


def test_no_log_entry_holds_the_hold_token_or_a_citizens_name_and_contacts_in_clear(
    slot: Slot,
) -> None:
    booking = booking_hold(slot_id=slot.pk, details=citizen_details(), source=Source.WEB)
    hold_token = booking.hold_token
    assert hold_token
    booking.phone = "+6281311112222"
    booking.save(update_fields=["phone"])
    booking_confirm(booking=booking)
    text = json.dumps([e.changes for e in LogEntry.objects.get_for_object(booking)])
    for secret in [hold_token, "Siti", "Rahmawati", "3456", "1111", "siti@example.id"]:
        assert secret not in text
    created = LogEntry.objects.get_for_object(booking).get(action=LogEntry.Action.CREATE)
    assert "hold_token" not in created.changes
    assert created.changes["full_name"][1] == "S*** R***"
    assert created.changes["email"][1] == "s***@example.id"
    updates = LogEntry.objects.get_for_object(booking).filter(action=LogEntry.Action.UPDATE)
    phones = [e.changes["phone"] for e in updates if "phone" in e.changes]
    assert phones == [["+6281******890", "+6281******222"]]


def test_supervisor_sees_their_offices_entries_and_not_anothers(
    client: Client,
    counter_clerk: Any,
    supervisor: Any,
    supervisor_of_another_office: Any,
    slot: Slot,
) -> None:
    booking = _book_at_the_counter(client, counter_clerk, slot)
    own = Client()
    own.force_login(supervisor)
    page = own.get(reverse("audit:log"), {"target": booking.code})
    assert page.status_code == 200
    assert f"· {booking.code}</td>" in page.content.decode()
    other = Client()
    other.force_login(supervisor_of_another_office)
    page = other.get(reverse("audit:log"), {"target": booking.code})
    assert page.status_code == 200
    assert f"· {booking.code}</td>" not in page.content.decode()
    assert not list(page.context["page"])


def test_national_admin_searches_by_who_and_action_in_english(
    client: Client, counter_clerk: Any, national_admin: Any, slot: Slot
) -> None:
    booking = _book_at_the_counter(client, counter_clerk, slot)
    admin = Client()
    admin.force_login(national_admin)
    page = admin.get(
        "/en/staf/audit/", {"who": "dewi", "action": LogEntry.Action.CREATE}
    ).content.decode()
    assert "Audit log" in page and f"· {booking.code}</td>" in page
    assert (
        "No entries match." in admin.get("/en/staf/audit/", {"who": "nobody-here"}).content.decode()
    )


def test_counter_clerk_cannot_read_the_audit_log(client: Client, counter_clerk: Any) -> None:
    client.force_login(counter_clerk)
    assert client.get(reverse("audit:log")).status_code == 403


def test_wrong_dates_in_the_search_get_an_error_not_a_crash(
    client: Client, supervisor: Any
) -> None:
    client.force_login(supervisor)
    page = client.get("/en/staf/audit/", {"since": "2026-12-05", "until": "2026-12-01"})
    assert page.status_code == 200
    assert "The end day is before the start day." in page.content.decode()
    assert client.get(reverse("audit:log"), {"since": "9999-99-99"}).status_code == 200


@pytest.mark.parametrize("field", ["since", "until"])
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_day_far_out_of_range_gets_an_error_next_to_the_field_not_a_crash(
    client: Client, supervisor: Any, field: str, day: str
) -> None:
    client.force_login(supervisor)
    page = client.get("/en/staf/audit/", {field: day})
    assert page.status_code == 200
    [error] = page.context["form"].errors[field]
    label = "From" if field == "since" else "Until"
    assert error.startswith(f"{label}: choose a date from 1 January 2000 to ")


def test_a_forged_forwarded_for_header_does_not_change_the_recorded_address(
    client: Client, counter_clerk: Any, slot: Slot
) -> None:
    client.force_login(counter_clerk)
    url = reverse("staff:book-details", args=[slot.office_service.office.code, slot.pk])
    response = client.post(
        url,
        {"full_name": "Mbah Sarinah", "nik": NIK, "channel": "none"},
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert response.status_code == 302
    booking = Booking.objects.get(nik_last4=NIK[-4:])
    created = LogEntry.objects.get_for_object(booking).get(action=LogEntry.Action.CREATE)
    assert created.remote_addr == "127.0.0.1"
