"""The calendar tells full days from days not open yet (issue 12, item 2): a month
beyond the booking window says when it opens and suggests no other office; a full day
suggests only offices within GILIRAN_NEARBY_MAX_KM. Page and API answer alike."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client

from booking.models import Slot
from booking.selectors.alternatives import distance_km
from demo.services import demo_load
from offices.models import Office, OfficeService, Service
from scheduling.services import default_plan_extend
from tests.factories import CounterFactory, OfficeFactory, OfficeServiceFactory, ServiceFactory

pytestmark = pytest.mark.django_db

BANDUNG_CALENDAR = "/kantor/disdukcapil-bandung/layanan/ktp-el-rekam/"
BANDUNG_API = "/api/v1/offices/disdukcapil-bandung/services/ktp-el-rekam/availability"
# Thursday 3 December 2026, 14:00 WIB: the window (30 days) reaches Saturday 2 January.
DEMO_NOW = datetime(2026, 12, 3, 7, 0, tzinfo=UTC)


def _text(page: str) -> str:
    """The picker's words as a person reads them: no tags, single spaces."""
    section = page[page.index('id="picker"') :]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section))


def test_the_demos_next_month_says_when_it_opens_and_suggests_no_office(client: Client) -> None:
    with time_machine.travel(DEMO_NOW, tick=False):
        demo_load(password="kata-sandi-uji-123")
        january = _text(client.get(BANDUNG_CALENDAR, {"bulan": "2027-01"}).content.decode())
        month = client.get(f"{BANDUNG_API}/", {"month": "2027-01"}).json()
        day = client.get(f"{BANDUNG_API}/2027-01-08/").json()
        december = client.get(f"{BANDUNG_API}/", {"month": "2026-12"}).json()
        english = _text(client.get(f"/en{BANDUNG_CALENDAR}", {"bulan": "2027-01"}).content.decode())

    assert "Pemesanan untuk bulan ini belum dibuka." in january
    assert (
        "Pemesanan untuk Senin, 4 Januari 2027 dibuka pada Sabtu, 5 Desember 2026, 00:00 WIB."
        in january
    )
    assert "sudah penuh" not in january  # "every bookable day … is full"
    assert (
        "Booking for this month is not open yet. Booking for Monday, 4 January 2027 opens on "
        "Saturday, 5 December 2026, 00:00 WIB." in english
    )
    assert "is full" not in english and "Ambon" not in english
    assert "Ambon" not in january and "Kantor terdekat" not in january
    assert month["summary"] == {
        "status": "not_open_yet",
        "first_day_to_open": "2027-01-04",
        "opens_at": "2026-12-05T00:00:00+07:00",
    }
    assert month["next_free_day"] is None and month["nearby"] == []
    assert day["status"] == "not_open_yet" and day["opens_at"] == "2026-12-09T00:00:00+07:00"
    assert day["next_free_day"] is None and day["nearby"] == []
    assert december["summary"]["status"] == "available"


def test_a_chosen_day_not_open_yet_suggests_no_office(client: Client) -> None:
    with time_machine.travel(DEMO_NOW, tick=False):
        demo_load(password="kata-sandi-uji-123")
        page = _text(client.get(BANDUNG_CALENDAR, {"tanggal": "2027-01-08"}).content.decode())
    assert "Rabu, 9 Desember 2026, 00:00 WIB" in page
    assert "Ambon" not in page and "Kantor terdekat" not in page


# --- Nearby offices: a distance cap -------------------------------------------------

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # Tuesday 10:00 WIB


def _offer(service: Service, code: str, lat: str, lon: str, zone: str, name: str) -> Office:
    office = OfficeFactory.create(
        code=code,
        name=name,
        latitude=Decimal(lat),
        longitude=Decimal(lon),
        timezone=zone,
    )
    OfficeServiceFactory.create(office=office, service=service, ticket_letter="A")
    CounterFactory.create(office=office, number=1, services=[service])
    default_plan_extend(office=office, first=date(2026, 12, 1), last=date(2027, 1, 31))
    return office


@pytest.fixture
def ktp() -> Service:
    return ServiceFactory.create(code="ktp-el-rekam", name_id="Perekaman KTP-el")


@pytest.fixture
def bandung_full(ktp: Service) -> Iterator[OfficeService]:
    """Bandung with every day of its window booked out, and Ambon (2,305 km away, WIT)
    with room."""
    with time_machine.travel(NOW, tick=False):
        bandung = _offer(
            ktp, "disdukcapil-bandung", "-6.909300", "107.616400", "Asia/Jakarta", "Bandung"
        )
        _offer(ktp, "disdukcapil-ambon", "-3.679600", "128.180500", "Asia/Jayapura", "Ambon")
        Slot.objects.filter(office_service__office=bandung).update(capacity=0)
        yield OfficeService.objects.get(office=bandung)


def test_the_distance_is_the_great_circle_one(bandung_full: OfficeService) -> None:
    ambon = Office.objects.get(code="disdukcapil-ambon")
    assert round(distance_km(bandung_full.office, ambon)) == 2305


def test_a_full_office_does_not_send_bandung_to_ambon(
    client: Client, bandung_full: OfficeService
) -> None:
    page = _text(client.get(BANDUNG_CALENDAR, {"bulan": "2026-12"}).content.decode())
    assert "Semua hari yang dapat dipesan di kantor ini sudah penuh." in page
    assert "Ambon" not in page
    assert "Tidak ada kantor lain dalam jarak 50 km yang masih memiliki tempat" in page
    day = client.get(f"{BANDUNG_API}/2026-12-02/").json()
    assert day["status"] == "full" and day["nearby"] == []


def test_a_full_office_suggests_an_office_within_the_cap(
    client: Client, bandung_full: OfficeService, ktp: Service
) -> None:
    _offer(ktp, "disdukcapil-cimahi", "-6.872200", "107.542500", "Asia/Jakarta", "Cimahi")
    page = _text(client.get(BANDUNG_CALENDAR, {"tanggal": "2026-12-02"}).content.decode())
    assert "Kantor terdekat yang masih punya tempat kosong untuk layanan ini:" in page
    assert re.search(r"Cimahi — 9 km, mulai Rabu, 2 Desember 2026", page), page
    assert "Ambon" not in page
    day = client.get(f"{BANDUNG_API}/2026-12-02/").json()
    assert [near["office"] for near in day["nearby"]] == ["disdukcapil-cimahi"]
    assert day["nearby"][0]["first_free_day"] == "2026-12-02"
    month = client.get(f"{BANDUNG_API}/", {"month": "2026-12"}).json()
    assert month["summary"]["status"] == "full"
    assert [near["office"] for near in month["nearby"]] == ["disdukcapil-cimahi"]


def test_the_cap_is_a_setting(client: Client, bandung_full: OfficeService, settings: Any) -> None:
    settings.GILIRAN_NEARBY_MAX_KM = 3000
    day = client.get(f"{BANDUNG_API}/2026-12-02/").json()
    assert [near["office"] for near in day["nearby"]] == ["disdukcapil-ambon"]
    page = _text(client.get(BANDUNG_CALENDAR, {"tanggal": "2026-12-02"}).content.decode())
    assert "Ambon — 2305 km, mulai Rabu, 2 Desember 2026 (WIT)" in page  # another zone: named
