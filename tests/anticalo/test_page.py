"""The anti-calo page: a supervisor of the office sees its flags with their rules, in
both languages, and the read is in the audit log; a supervisor of another office sees
nothing of it; a clerk is refused; a bad period is said, not a 500."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.test import Client

from booking.models import Booking, Slot
from tests.anticalo.conftest import NOW, MakeBooking

pytestmark = pytest.mark.django_db

PAGE = "/staf/anti-calo/"
NETWORK = "203.0.113.0/24"


@pytest.fixture
def crowd(slot: Slot, booking_at: MakeBooking) -> list[Booking]:
    """Six holds from one network within an hour at the Jakarta office, and one other."""
    booking_at(at=NOW, network="198.51.100.0/24")
    return [booking_at(at=NOW - timedelta(minutes=10 * i), network=NETWORK) for i in range(6)]


def test_the_supervisor_sees_the_flag_and_its_rule_in_indonesian(
    client: Client, supervisor: Any, crowd: list[Booking]
) -> None:
    client.force_login(supervisor)
    response = client.get(PAGE)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Laporan anti-calo" in page
    assert NETWORK in page and "198.51.100.0/24" not in page
    assert (
        "Penahanan tempat dari satu jaringan (/24 atau /48) dalam 1\xa0jam: 6, lebih dari 5" in page
    )
    assert all(booking.code in page for booking in crowd)


def test_the_supervisor_sees_the_flag_and_its_rule_in_english(
    client: Client, supervisor: Any, crowd: list[Booking]
) -> None:
    client.force_login(supervisor)
    page = client.get("/en" + PAGE, {"kantor": "kanim-jakarta"}).content.decode()
    assert "Anti-calo report" in page
    assert "Holds from one network (/24 or /48) within 1\xa0hour: 6, more than 5" in page


def test_the_read_is_recorded_in_the_audit_log_per_flagged_booking(
    client: Client, supervisor: Any, crowd: list[Booking]
) -> None:
    client.force_login(supervisor)
    client.get(PAGE)
    read = LogEntry.objects.filter(action=LogEntry.Action.ACCESS)
    assert sorted(int(entry.object_pk) for entry in read) == sorted(b.pk for b in crowd)
    assert {entry.actor_id for entry in read} == {supervisor.pk}


def test_a_supervisor_of_another_office_sees_nothing_of_it(
    client: Client, supervisor_of_another_office: Any, crowd: list[Booking]
) -> None:
    client.force_login(supervisor_of_another_office)
    assert client.get(PAGE, {"kantor": "kanim-jakarta"}).status_code == 403
    own = client.get(PAGE).content.decode()  # their own office, Denpasar
    assert "Mal Pelayanan Publik Denpasar" in own
    assert NETWORK not in own and not any(b.code in own for b in crowd)
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


def test_a_clerk_is_refused(client: Client, counter_clerk: Any, crowd: list[Booking]) -> None:
    client.force_login(counter_clerk)
    assert client.get(PAGE).status_code == 403
    assert client.get(PAGE, {"kantor": "kanim-jakarta"}).status_code == 403


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client: Client) -> None:
    response = client.get(PAGE)
    assert response.status_code == 302 and "/staf/masuk/" in response["Location"]


def test_a_period_too_long_or_reversed_is_said_and_nothing_is_read(
    client: Client, supervisor: Any, crowd: list[Booking]
) -> None:
    client.force_login(supervisor)
    response = client.get("/en" + PAGE, {"dari": "2026-10-01", "sampai": "2026-12-01"})
    assert response.status_code == 400
    assert "Choose a period of 1 to 31 days" in response.content.decode()
    reversed_ = client.get(PAGE, {"dari": "2026-12-01", "sampai": "2026-11-20"})
    assert reversed_.status_code == 400
    bad = client.get(PAGE, {"dari": "kemarin"})
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.content.decode()
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


def test_htmx_gets_only_the_report(client: Client, supervisor: Any, crowd: list[Booking]) -> None:
    client.force_login(supervisor)
    fragment = client.get(PAGE, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<section id="report"')
    assert NETWORK in fragment and "<html" not in fragment


def test_a_period_without_its_holds_shows_no_flag(
    client: Client, supervisor: Any, crowd: list[Booking]
) -> None:
    client.force_login(supervisor)
    page = client.get(PAGE, {"dari": "2026-11-01", "sampai": "2026-11-07"}).content.decode()
    assert NETWORK not in page
    # Holds per network, device, contact; NIKs; waiting-room places per network and
    # device; ballot entries per contact.
    assert page.count("Tidak ada yang melewati aturan.") == 7


def test_the_staff_home_links_supervisors_not_clerks_to_the_report(
    client: Client, supervisor: Any, counter_clerk: Any
) -> None:
    client.force_login(supervisor)
    assert "/staf/anti-calo/?kantor=kanim-jakarta" in client.get("/staf/").content.decode()
    client.force_login(counter_clerk)
    assert "/staf/anti-calo/" not in client.get("/staf/").content.decode()
