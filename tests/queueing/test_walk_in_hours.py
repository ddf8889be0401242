"""Walk-in numbers follow the office's own clock, at the kiosk as on the phone: after
closing (Kanim Jayapura at 16:18 WIT, MPP Denpasar at 15:18 WITA) neither gives a number,
and both say when the office opens again, in its own zone (issue 12, item 6)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from core.errors import ApplicationError
from offices.models import Office, OfficeService
from queueing.kiosks import kiosk_device_create
from queueing.models import Ticket, TicketSource
from queueing.services.check_in import check_in
from queueing.services.issue import ticket_issue
from tests.factories import ClosureFactory, OfficeFactory, OfficeServiceFactory

pytestmark = pytest.mark.django_db

# Thursday 3 December 2026, 07:18 UTC: 14:18 WIB in Jakarta (open), 15:18 WITA in
# Denpasar and 16:18 WIT in Jayapura (both closed since 15:00, their own time).
AFTER_CLOSING_IN_THE_EAST = datetime(2026, 12, 3, 7, 18, tzinfo=UTC)
JAYAPURA_OPENS = "Jumat, 4 Desember 2026 pukul 08:00 WIT"
DENPASAR_OPENS = "Jumat, 4 Desember 2026 pukul 08:00 WITA"


@pytest.fixture
def jayapura_office(passport_service: Any) -> Office:
    office = OfficeFactory.create(
        code="kanim-jayapura",
        name="Kantor Imigrasi Jayapura",
        province="Papua",
        regency="Kota Jayapura",
        timezone="Asia/Jayapura",
    )
    OfficeServiceFactory.create(office=office, service=passport_service, ticket_letter="A")
    return office


@pytest.fixture
def east_after_closing() -> Iterator[Any]:
    with time_machine.travel(AFTER_CLOSING_IN_THE_EAST, tick=False) as traveller:
        yield traveller


def _kiosk(client: Client, office: Office) -> str:
    """Enrol `client` as the office's kiosk; return the kiosk's address."""
    _device, token = kiosk_device_create(office=office, name="Pintu masuk", by=None)
    client.post(reverse("kiosk-enrol", args=[office.code]), {"token": token})
    return reverse("kiosk", args=[office.code])


def _walk_in(client: Client, office: Office) -> str:
    service = OfficeService.objects.get(office=office)
    response = client.post(_kiosk(client, office), {"action": "walk_in", "service": service.pk})
    assert response.status_code == 200  # no redirect to a ticket
    return response.content.decode()


@pytest.mark.parametrize(
    ("office_fixture", "opens"),
    [("jayapura_office", JAYAPURA_OPENS), ("denpasar_office", DENPASAR_OPENS)],
)
def test_the_kiosk_gives_no_number_after_closing_by_the_offices_own_clock(
    request: pytest.FixtureRequest,
    client: Client,
    east_after_closing: Any,
    office_fixture: str,
    opens: str,
) -> None:
    office = request.getfixturevalue(office_fixture)
    start = client.get(_kiosk(client, office)).content.decode()
    assert 'data-testid="kiosk-closed"' in start and opens in start
    assert 'value="walk_in"' not in start  # no walk-in form to press
    page = _walk_in(client, office)
    assert "Kantor sedang tutup" in page and opens in page
    assert not Ticket.objects.exists()


def test_the_kiosk_says_it_in_english_too(
    client: Client, jayapura_office: Office, east_after_closing: Any
) -> None:
    kiosk = _kiosk(client, jayapura_office)
    client.cookies["django_language"] = "en"
    page = client.get("/en" + kiosk).content.decode()
    assert (
        "The office is closed now and gives no numbers. It opens on Friday, 4 December 2026 "
        "at 08:00 WIT." in page
    )


def test_the_phone_and_the_kiosk_answer_alike(
    client: Client, jayapura_office: Office, east_after_closing: Any
) -> None:
    service = OfficeService.objects.get(office=jayapura_office)
    phone = client.post(
        reverse("take-number", args=[jayapura_office.code]), {"service": service.pk}
    )
    assert "Kantor sedang tutup" in phone.content.decode()
    assert JAYAPURA_OPENS in phone.content.decode()
    api = client.post(
        f"/api/v1/offices/{jayapura_office.code}/tickets/",
        {"service": "paspor-baru"},
        content_type="application/json",
    )
    assert api.status_code == 409 and api.json()["code"] == "office_closed"
    assert JAYAPURA_OPENS in api.json()["message"]
    with pytest.raises(ApplicationError) as kiosk:
        ticket_issue(office_service=service, source=TicketSource.KIOSK)
    assert kiosk.value.message == api.json()["message"]
    assert not Ticket.objects.exists()


def test_the_phone_page_says_it_is_closed_before_the_form(
    client: Client, jayapura_office: Office, east_after_closing: Any
) -> None:
    page = client.get(reverse("take-number", args=[jayapura_office.code])).content.decode()
    assert 'data-testid="take-number-closed"' in page and JAYAPURA_OPENS in page
    assert 'name="service"' not in page


def test_the_same_moment_in_jakarta_is_office_hours(
    client: Client, jakarta_office: Office, east_after_closing: Any
) -> None:
    service = OfficeService.objects.get(office=jakarta_office)
    response = client.post(
        _kiosk(client, jakarta_office), {"action": "walk_in", "service": service.pk}
    )
    assert response.status_code == 302
    assert Ticket.objects.get().display_number == "A-001"


def test_a_clerk_may_still_give_a_number_after_closing(
    jayapura_office: Office, east_after_closing: Any
) -> None:
    service = OfficeService.objects.get(office=jayapura_office)
    assert ticket_issue(office_service=service, source=TicketSource.STAFF).number == 1


def test_before_opening_the_kiosk_says_today_at_opening_time(
    client: Client, jakarta_office: Office
) -> None:
    with time_machine.travel(datetime(2026, 12, 2, 0, 30, tzinfo=UTC), tick=False):  # 07:30 WIB
        page = _walk_in(client, jakarta_office)
    assert "Rabu, 2 Desember 2026 pukul 08:00 WIB" in page
    assert not Ticket.objects.exists()


def test_the_next_opening_skips_holidays_weekends_and_closures(
    client: Client, jakarta_office: Office
) -> None:
    # Wednesday 23 December 2026, 16:00 WIB: Thursday is cuti bersama, Friday Christmas,
    # then the weekend; the office closed itself on Monday 28 December.
    ClosureFactory.create(
        office=jakarta_office,
        starts_on=date(2026, 12, 28),
        ends_on=date(2026, 12, 28),
    )
    with time_machine.travel(datetime(2026, 12, 23, 9, 0, tzinfo=UTC), tick=False):
        page = _walk_in(client, jakarta_office)
    assert "Selasa, 29 Desember 2026 pukul 08:00 WIB" in page


def test_numbers_are_given_during_the_break_and_it_says_so(
    client: Client, jakarta_office: Office
) -> None:
    with time_machine.travel(datetime(2026, 12, 2, 5, 30, tzinfo=UTC), tick=False):  # 12:30 WIB
        kiosk = _kiosk(client, jakarta_office)
        start = client.get(kiosk).content.decode()
        service = OfficeService.objects.get(office=jakarta_office)
        response = client.post(kiosk, {"action": "walk_in", "service": service.pk})
    assert 'data-testid="kiosk-break"' in start and "13:00 WIB" in start
    assert response.status_code == 302 and Ticket.objects.count() == 1


def test_a_late_arrival_after_closing_gets_no_walk_in_number(
    jayapura_office: Office, slot_for: Any, clock: Any
) -> None:
    """A late booking turns into a walk-in number from the kiosk: not after closing."""
    clock.move_to(AFTER_CLOSING_IN_THE_EAST)
    passport = OfficeService.objects.get(office=jayapura_office)
    booking = slot_for(passport, minutes_from_now=-108)  # booked for 14:30 WIT
    with pytest.raises(ApplicationError) as refused:
        check_in(office=jayapura_office, code=booking.code)
    assert refused.value.code == "office_closed"
    assert not Ticket.objects.exists()
    booking.refresh_from_db()
    assert booking.status == "confirmed"  # nothing changed


def test_a_services_last_walk_in_number_time_closes_that_service_only(
    client: Client, jakarta_office: Office, renewal: OfficeService, east_after_closing: Any
) -> None:
    """At 14:18 WIB the office is open, but new passports give numbers until 14:00 only."""
    passport = OfficeService.objects.get(office=jakarta_office, service__code="paspor-baru")
    OfficeService.objects.filter(pk=passport.pk).update(walk_in_until=time(14))
    ended = (
        "Nomor antrean langsung hari ini untuk layanan ini sudah berakhir pukul 14:00 WIB. "
        "Nomor diberikan lagi pada Jumat, 4 Desember 2026 mulai pukul 08:00 WIB."
    )
    kiosk = _kiosk(client, jakarta_office)
    start = client.get(kiosk).content.decode()
    assert re.search(rf'value="{passport.pk}" required disabled', start)
    assert re.search(rf'value="{renewal.pk}" required>', start)
    assert ended in start
    refused = client.post(kiosk, {"action": "walk_in", "service": passport.pk})
    assert refused.status_code == 200 and not Ticket.objects.exists()
    api = client.post(
        f"/api/v1/offices/{jakarta_office.code}/tickets/",
        {"service": "paspor-baru"},
        content_type="application/json",
    )
    assert api.status_code == 409 and api.json() == {
        "code": "walk_ins_ended",
        "message": ended,
        "fields": {},
    }
    assert client.post(kiosk, {"action": "walk_in", "service": renewal.pk}).status_code == 302
    assert Ticket.objects.get().office_service == renewal
    phone = client.get(reverse("take-number", args=[jakarta_office.code])).content.decode()
    assert ended in phone


def test_before_its_last_walk_in_time_the_service_gives_numbers(
    jakarta_office: Office, east_after_closing: Any
) -> None:
    passport = OfficeService.objects.get(office=jakarta_office)
    OfficeService.objects.filter(pk=passport.pk).update(walk_in_until=time(14, 30))
    passport.refresh_from_db()
    assert ticket_issue(office_service=passport, source=TicketSource.KIOSK).number == 1
