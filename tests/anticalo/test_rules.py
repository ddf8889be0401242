"""Each anti-calo rule flags exactly what it says, and nothing at its threshold: holds
per network, device and contact within the window; bookings per group over the period;
NIKs with repeated no-shows or cancellations just before a day's quota opens."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from django.utils import translation

from anticalo.rules import Dimension, window_max
from anticalo.selectors import CaloReport, calo_report
from booking.models import BookingStatus, Slot, Source
from core import personal_data
from tests.anticalo.conftest import NOW, MakeBooking, make_booking

pytestmark = pytest.mark.django_db

FIRST, LAST = date(2026, 11, 25), date(2026, 12, 1)
NETWORK = "203.0.113.0/24"
DEVICE = personal_data.keyed_hash("device:ponsel-calo")


# Durations are written with a no-break space between number and unit (timesince).
def _report(slot: Slot) -> CaloReport:
    with translation.override("en"):
        return calo_report(office=slot.office_service.office, first=FIRST, last=LAST)


def _every(minutes: int, count: int) -> list[datetime]:
    return [NOW - timedelta(minutes=minutes * i) for i in range(count)]


def test_window_max_counts_a_stretch_shorter_than_the_window() -> None:
    start = datetime(2026, 12, 1, 1, 0)
    hour = timedelta(hours=1)
    assert window_max([start, start + timedelta(minutes=59)], hour) == 2
    assert window_max([start, start + hour], hour) == 1
    assert window_max([start + timedelta(minutes=15 * i) for i in range(6)], hour) == 4
    assert window_max([], hour) == 0


def test_six_holds_from_one_network_in_an_hour_are_flagged(
    slot: Slot, booking_at: MakeBooking
) -> None:
    made = [booking_at(at=at, network=NETWORK) for at in _every(10, 6)]
    booking_at(at=NOW, network="198.51.100.0/24")  # another network, alone
    report = _report(slot)
    assert [flag.key for flag in report.networks] == [NETWORK]
    flag = report.networks[0]
    assert flag.rules == ["Holds from one network (/24 or /48) within 1\xa0hour: 6, more than 5"]
    assert sorted(flag.codes) == sorted(b.code for b in made)
    assert (flag.holds, flag.bookings, flag.niks) == (6, 0, 6)


def test_five_holds_from_one_network_in_an_hour_are_not_flagged(
    slot: Slot, booking_at: MakeBooking
) -> None:
    for at in _every(10, 5):
        booking_at(at=at, network=NETWORK)
    assert _report(slot).networks == []


def test_six_holds_from_one_network_spread_over_more_than_an_hour_are_not_flagged(
    slot: Slot, booking_at: MakeBooking
) -> None:
    for at in _every(15, 6):  # at most four within any hour
        booking_at(at=at, network=NETWORK)
    assert _report(slot).networks == []


def test_a_staff_booking_is_no_hold_of_a_network(slot: Slot, booking_at: MakeBooking) -> None:
    for at in _every(5, 6):
        booking_at(at=at, network=NETWORK, source=Source.STAFF)
    assert _report(slot).networks == []


def test_four_holds_from_one_device_are_flagged_three_are_not(
    slot: Slot, booking_at: MakeBooking
) -> None:
    for at in _every(5, 4):
        booking_at(at=at, device=DEVICE)
    other = personal_data.keyed_hash("device:ponsel-warga")
    for at in _every(5, 3):
        booking_at(at=at, device=other)
    report = _report(slot)
    assert [flag.key for flag in report.devices] == [DEVICE[:10] + "…"]
    assert report.devices[0].rules == ["Holds from one device within 1\xa0hour: 4, more than 3"]


def test_one_phone_for_four_holds_is_flagged_masked(slot: Slot, booking_at: MakeBooking) -> None:
    for at in _every(5, 4):
        booking_at(at=at, phone="+6281234567890")
    for at in _every(5, 3):
        booking_at(at=at, email="warga.biasa@example.id")
    report = _report(slot)
    assert [flag.key for flag in report.contacts] == ["+6281******890"]
    assert report.contacts[0].rules == ["Holds with one contact within 1\xa0hour: 4, more than 3"]
    assert "+6281234567890" not in str(report.contacts)


def test_one_email_for_four_holds_is_flagged_masked(slot: Slot, booking_at: MakeBooking) -> None:
    for at in _every(5, 4):
        booking_at(at=at, email="calo@example.id")
    assert [flag.key for flag in _report(slot).contacts] == ["c***@example.id"]


def test_eleven_bookings_from_one_network_in_the_period_are_flagged(
    slot: Slot, booking_at: MakeBooking
) -> None:
    # One a day or so, never two within an hour: only the period's total passes.
    for i in range(11):
        booking_at(at=NOW - timedelta(hours=13 * i), network=NETWORK, confirmed=True)
    report = _report(slot)
    assert report.networks[0].rules == ["Bookings from one network in the period: 11, more than 10"]
    assert report.networks[0].bookings == 11


def test_ten_bookings_from_one_network_in_the_period_are_not_flagged(
    slot: Slot, booking_at: MakeBooking
) -> None:
    for i in range(10):
        booking_at(at=NOW - timedelta(hours=13 * i), network=NETWORK, confirmed=True)
    booking_at(at=NOW - timedelta(hours=200), network=NETWORK)  # a hold, never confirmed
    assert _report(slot).networks == []


def test_a_group_passing_two_rules_names_both(slot: Slot, booking_at: MakeBooking) -> None:
    for at in _every(5, 4):
        booking_at(at=at, device=DEVICE, confirmed=True)
    assert _report(slot).devices[0].rules == [
        "Holds from one device within 1\xa0hour: 4, more than 3",
        "Bookings from one device in the period: 4, more than 3",
    ]


def test_holds_outside_the_period_do_not_count(slot: Slot, booking_at: MakeBooking) -> None:
    before = datetime.combine(FIRST, time(9), tzinfo=slot.office_service.office.zone)
    for i in range(6):
        booking_at(at=before - timedelta(days=1, minutes=i), network=NETWORK)
    assert _report(slot).networks == []


def test_two_no_shows_of_one_nik_are_flagged_one_is_not(
    slot: Slot, booking_at: MakeBooking
) -> None:
    for _i in range(2):
        booking_at(at=NOW - timedelta(days=3), nik="3171014501900077", status=BookingStatus.NO_SHOW)
    booking_at(at=NOW - timedelta(days=3), nik="3171014501900088", status=BookingStatus.NO_SHOW)
    slot_day = slot.local_date
    with translation.override("en"):
        report = calo_report(office=slot.office_service.office, first=slot_day, last=slot_day)
    assert [flag.key for flag in report.niks] == ["************0077"]
    assert report.niks[0].rules == ["No-shows of one NIK in the period: 2, more than 1"]


def _release_at_eight(slot: Slot) -> None:
    office_service = slot.office_service
    office_service.release_time = time(8)
    office_service.save(update_fields=["release_time"])


def test_two_cancellations_just_before_a_release_are_flagged(
    slot: Slot, booking_at: MakeBooking
) -> None:
    _release_at_eight(slot)
    # 07:30 WIB on two days: half an hour before each day's 08:00 release.
    for day in (29, 30):
        booking_at(
            at=datetime(2026, 11, 20, 2, 0, tzinfo=slot.office_service.office.zone),
            nik="3171014501900077",
            status=BookingStatus.CANCELLED,
            confirmed=True,
            cancelled_at=datetime(2026, 11, day, 7, 30, tzinfo=slot.office_service.office.zone),
        )
    report = _report(slot)
    assert [flag.key for flag in report.niks] == ["************0077"]
    assert report.niks[0].rules == [
        "Cancellations by one NIK within 2\xa0hours before a day's quota opened: 2, more than 1"
    ]


def test_cancellations_well_before_a_release_or_only_once_are_not_flagged(
    slot: Slot, booking_at: MakeBooking
) -> None:
    _release_at_eight(slot)
    zone = slot.office_service.office.zone
    for day in (28, 29):  # 05:00 WIB: three hours before the release
        booking_at(
            at=datetime(2026, 11, 20, 9, tzinfo=zone),
            nik="3171014501900077",
            status=BookingStatus.CANCELLED,
            cancelled_at=datetime(2026, 11, day, 5, 0, tzinfo=zone),
        )
    booking_at(  # once, just before
        at=datetime(2026, 11, 20, 9, tzinfo=zone),
        nik="3171014501900088",
        status=BookingStatus.CANCELLED,
        cancelled_at=datetime(2026, 11, 30, 7, 45, tzinfo=zone),
    )
    assert _report(slot).niks == []


def test_another_offices_holds_are_not_in_the_report(
    slot: Slot, denpasar_slot: Slot, booking_at: MakeBooking
) -> None:
    for at in _every(5, 6):
        make_booking(denpasar_slot, at=at, network=NETWORK)
    assert _report(slot).networks == []
    assert [flag.key for flag in _report(denpasar_slot).networks] == [NETWORK]


def test_thresholds_come_from_the_settings(
    slot: Slot, booking_at: MakeBooking, settings: Any
) -> None:
    settings.GILIRAN_CALO_HOLDS_PER_NETWORK = 1
    settings.GILIRAN_CALO_WINDOW_MINUTES = 30
    for at in _every(10, 2):
        booking_at(at=at, network=NETWORK)
    assert _report(slot).networks[0].rules == [
        "Holds from one network (/24 or /48) within 30\xa0minutes: 2, more than 1"
    ]


def test_waiting_room_places_from_one_device_flag_above_the_threshold(settings: Any) -> None:
    from anticalo.rules import JoinRow, join_flags

    settings.GILIRAN_CALO_JOINS_PER_DEVICE = 2
    settings.GILIRAN_CALO_WINDOW_MINUTES = 60
    start = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    at_limit = [JoinRow(start + timedelta(minutes=i), "203.0.113.0/24", "d1") for i in range(2)]
    assert join_flags(at_limit, Dimension.DEVICE) == []
    over = [*at_limit, JoinRow(start + timedelta(minutes=59), "203.0.113.0/24", "d1")]
    spread = [JoinRow(start + timedelta(hours=i), "198.51.100.0/24", "d2") for i in range(5)]
    flags = join_flags(over + spread, Dimension.DEVICE)
    assert [(flag.key, flag.joins) for flag in flags] == [("d1", 3)]
    assert "3" in flags[0].rule and "2" in flags[0].rule
