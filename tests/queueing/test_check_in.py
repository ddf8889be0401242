"""Check-in windows, late arrivals, second check-ins, quotas and office scope."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from booking.models import Booking, BookingStatus
from core.errors import ApplicationError
from offices.models import Counter, OfficeService
from queueing.models import Ticket, TicketSource
from queueing.services.calling import call_ticket
from queueing.services.check_in import check_in
from queueing.services.issue import ticket_issue

pytestmark = pytest.mark.django_db


def test_check_in_opens_thirty_minutes_before(
    passport: OfficeService, clock: Any, slot_for: Any
) -> None:
    booking = slot_for(passport, minutes_from_now=45)
    with pytest.raises(ApplicationError) as refused:
        check_in(office=passport.office, code=booking.code)
    assert refused.value.code == "too_early"
    clock.shift(timedelta(minutes=16))
    assert check_in(office=passport.office, code=booking.code).source == TicketSource.APPOINTMENT


def test_a_late_arrival_becomes_a_walk_in_by_default(
    passport: OfficeService, clock: Any, slot_for: Any
) -> None:
    booking = slot_for(passport, minutes_from_now=-20)
    ticket = check_in(office=passport.office, code=booking.code)
    assert ticket.source == TicketSource.KIOSK and ticket.booking == booking


def test_a_late_arrival_is_refused_where_the_office_says_so(
    passport: OfficeService, clock: Any, slot_for: Any
) -> None:
    OfficeService.objects.filter(pk=passport.pk).update(late_arrival="refuse")
    booking = slot_for(passport, minutes_from_now=-20)
    with pytest.raises(ApplicationError) as refused:
        check_in(office=passport.office, code=booking.code)
    assert refused.value.code == "too_late"
    assert not Ticket.objects.exists()


def test_a_booking_checks_in_once(passport: OfficeService, clock: Any, slot_for: Any) -> None:
    booking = slot_for(passport, minutes_from_now=0)
    check_in(office=passport.office, code=booking.code)
    with pytest.raises(ApplicationError) as refused:
        check_in(office=passport.office, code=booking.code)
    assert refused.value.code == "already_checked_in"
    assert Ticket.objects.count() == 1


def test_a_booking_for_another_office_is_refused_as_if_unknown(
    passport: OfficeService, denpasar_office: Any, clock: Any, slot_for: Any
) -> None:
    booking = slot_for(passport, minutes_from_now=0)
    with pytest.raises(ApplicationError) as refused:
        check_in(office=denpasar_office, code=booking.code)
    assert refused.value.code == "unknown_booking"


def test_walk_in_quota_is_a_hard_limit(passport: OfficeService, clock: Any) -> None:
    OfficeService.objects.filter(pk=passport.pk).update(walk_in_daily_quota=2)
    passport.refresh_from_db()
    for _ in range(2):
        ticket_issue(office_service=passport, source=TicketSource.KIOSK)
    with pytest.raises(ApplicationError) as refused:
        ticket_issue(office_service=passport, source=TicketSource.REMOTE)
    assert refused.value.code == "walk_in_quota_reached"
    assert Ticket.objects.count() == 2


def test_a_counter_cannot_call_another_offices_ticket(
    passport: OfficeService,
    denpasar_office: Any,
    counter_one: Counter,
    counter_clerk: Any,
    clock: Any,
) -> None:
    theirs = OfficeService.objects.get(office=denpasar_office)
    ticket = ticket_issue(office_service=theirs, source=TicketSource.KIOSK)
    with pytest.raises(ApplicationError) as refused:
        call_ticket(counter=counter_one, ticket=ticket, staff=counter_clerk)
    assert refused.value.code == "other_office"


def test_staff_give_a_walk_in_number_from_the_console(
    client: Client, passport: OfficeService, counter_one: Counter, counter_clerk: Any, clock: Any
) -> None:
    client.force_login(counter_clerk)
    page = client.post(
        reverse("staff:console", args=[counter_one.pk]),
        {"action": "issue", "service": passport.pk, "priority_group": "disability"},
    ).content.decode()
    ticket = Ticket.objects.get()
    assert ticket.source == TicketSource.STAFF and ticket.priority_group == "disability"
    assert "A-001" in page


def test_staff_pages_do_not_show_another_offices_queue(
    client: Client,
    passport: OfficeService,
    denpasar_office: Any,
    counter_one: Counter,
    counter_clerk: Any,
    clock: Any,
) -> None:
    ticket_issue(
        office_service=OfficeService.objects.get(office=denpasar_office), source=TicketSource.KIOSK
    )
    client.force_login(counter_clerk)
    page = client.get(reverse("staff:console", args=[counter_one.pk])).content.decode()
    assert "Tidak ada yang menunggu." in page


def test_no_numbers_from_a_phone_while_the_office_is_closed(
    passport: OfficeService, clock: Any
) -> None:
    clock.shift(timedelta(hours=10))  # 19:00 WIB
    with pytest.raises(ApplicationError) as refused:
        ticket_issue(office_service=passport, source=TicketSource.REMOTE)
    assert refused.value.code == "office_closed"
    assert (
        ticket_issue(office_service=passport, source=TicketSource.STAFF).display_number == "A-001"
    )


UNKNOWN = "Tidak ada pemesanan terkonfirmasi di kantor ini dengan kode ini."


def _kiosk_says(kiosk_client: Client, passport: OfficeService, code: str) -> str:
    page = kiosk_client.post(
        reverse("kiosk", args=[passport.office.code]), {"action": "check_in", "code": code}
    ).content.decode()
    found = re.search(r'<p class="kiosk-error" role="alert">([^<]*)</p>', page)
    assert found is not None
    return found[1]


def test_a_cancelled_code_at_the_kiosk_says_when_it_was_cancelled(
    kiosk_client: Client, passport: OfficeService, clock: Any, slot_for: Any
) -> None:
    booking = slot_for(passport, minutes_from_now=0)
    Booking.objects.filter(pk=booking.pk).update(
        status=BookingStatus.CANCELLED, cancelled_at=datetime(2026, 11, 30, 20, 0, tzinfo=UTC)
    )
    said = _kiosk_says(kiosk_client, passport, booking.code)
    # 20:00 UTC on 30 November is 1 December in Jakarta: the office's day.
    assert said == (
        "Pemesanan ini dibatalkan pada 1 Desember 2026. Silakan ambil nomor antrean langsung "
        "atau pesan lagi."
    )
    assert UNKNOWN not in said and _kiosk_says(kiosk_client, passport, "TIDAKADA").startswith(
        UNKNOWN
    )
    for personal in (booking.full_name, booking.nik_last4, booking.email):
        assert personal not in said
    assert not Ticket.objects.exists()


def test_each_state_of_this_offices_booking_gets_its_own_answer(
    passport: OfficeService, clock: Any, slot_for: Any
) -> None:
    held = slot_for(passport, minutes_from_now=0, nik_seq=2)
    expired = slot_for(passport, minutes_from_now=0, nik_seq=3)
    in_ten = datetime(2026, 12, 2, 2, 10, tzinfo=UTC)
    Booking.objects.filter(pk=held.pk).update(status=BookingStatus.HELD, releases_at=in_ten)
    Booking.objects.filter(pk=expired.pk).update(status=BookingStatus.EXPIRED, releases_at=in_ten)
    yesterday = slot_for(passport, minutes_from_now=-24 * 60, nik_seq=4)
    tomorrow = slot_for(passport, minutes_from_now=24 * 60, nik_seq=5)
    cancelled = slot_for(passport, minutes_from_now=0, nik_seq=6)
    Booking.objects.filter(pk=cancelled.pk).update(status=BookingStatus.CANCELLED)
    answers = {}
    for booking in (held, expired, yesterday, tomorrow, cancelled):
        with pytest.raises(ApplicationError) as refused:
            check_in(office=passport.office, code=booking.code)
        answers[booking.code] = (refused.value.code, str(refused.value.message))
    assert answers[held.code][0] == answers[expired.code][0] == "booking_not_confirmed"
    assert answers[yesterday.code] == (
        "booking_past",
        "Pemesanan ini untuk Selasa, 1 Desember 2026. Hari itu sudah lewat: silakan ambil "
        "nomor antrean langsung atau pesan lagi.",
    )
    assert answers[tomorrow.code] == (
        "too_early",
        "Pemesanan ini untuk Kamis, 3 Desember 2026. Check-in dibuka pada hari itu pukul "
        "08:30 WIB.",
    )
    assert answers[cancelled.code] == (
        "booking_cancelled",
        "Pemesanan ini sudah dibatalkan. Silakan ambil nomor antrean langsung atau pesan lagi.",
    )
    assert not Ticket.objects.exists()
