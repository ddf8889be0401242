"""The anti-calo report of one office for a period of its own days: the rows the rules
of anticalo/rules.py count, fetched from booking's tables, and the flags they raise,
with contacts masked and NIKs shown as their last four digits."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q

from anticalo.rules import (
    BallotEntryRow,
    Dimension,
    Flag,
    HoldRow,
    JoinFlag,
    JoinRow,
    NikRow,
    ballot_flags,
    group_flags,
    join_flags,
    nik_flags,
)
from ballots.models import BallotEntry
from booking.models import Booking, BookingStatus, Source
from booking.selectors.availability import booking_window
from core.contacts import mask_email, mask_phone
from core.personal_data import mask_nik
from offices.models import Office, OfficeService
from releases.models import RoomJoin

# Holds made by citizens themselves; staff at the office and waiting-list offers carry
# no network or device, and a contact typed by staff says nothing of who asked.
CITIZEN_SOURCES = (Source.WEB, Source.API)
DEVICE_SHOWN = 10  # characters of a device's keyed hash shown to tell devices apart


@dataclass(frozen=True)
class CaloReport:
    office: Office
    first: date
    last: date
    networks: list[Flag]
    devices: list[Flag]
    contacts: list[Flag]
    niks: list[Flag]
    room_networks: list[JoinFlag]
    room_devices: list[JoinFlag]
    ballot_contacts: list[JoinFlag]

    @property
    def flags(self) -> list[Flag]:
        return [*self.networks, *self.devices, *self.contacts, *self.niks]


def _bounds(office: Office, first: date, last: date) -> tuple[datetime, datetime]:
    """The period's first and last day in the office's zone, as [start, end) instants."""
    zone = office.zone
    return (
        datetime.combine(first, time.min, tzinfo=zone),
        datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone),
    )


def _hold_rows(office: Office, start: datetime, end: datetime) -> list[HoldRow]:
    rows = Booking.objects.filter(
        slot__office_service__office=office,
        source__in=CITIZEN_SOURCES,
        created_at__gte=start,
        created_at__lt=end,
    ).values_list(
        "pk",
        "code",
        "created_at",
        "confirmed_at",
        "nik_hash",
        "client_network",
        "device_hash",
        "phone",
        "email",
    )
    return [
        HoldRow(
            booking_id=pk,
            code=code,
            created_at=created_at,
            confirmed=confirmed_at is not None,
            nik_hash=nik_hash,
            network=network,
            device_hash=device,
            phone=phone,
            email=email,
        )
        for pk, code, created_at, confirmed_at, nik_hash, network, device, phone, email in rows
    ]


def _nik_rows(
    office: Office, first: date, last: date, start: datetime, end: datetime
) -> list[NikRow]:
    """No-shows on the period's days, and cancellations made during it, each with the
    moment its office-service next released a day's quota after the cancellation."""
    bookings = (
        Booking.objects.filter(slot__office_service__office=office)
        .exclude(nik_hash="")
        .filter(
            Q(status=BookingStatus.NO_SHOW, slot__local_date__range=(first, last))
            | Q(
                status=BookingStatus.CANCELLED,
                cancelled_at__gte=start,
                cancelled_at__lt=end,
            )
        )
        .values_list(
            "pk",
            "code",
            "nik_hash",
            "nik_last4",
            "status",
            "cancelled_at",
            "slot__office_service_id",
        )
    )
    services = {
        offered.pk: offered
        for offered in OfficeService.objects.select_related("office").filter(office=office)
    }
    rows = []
    for pk, code, nik_hash, last4, status, cancelled_at, office_service_id in bookings:
        cancelled = cancelled_at if status == BookingStatus.CANCELLED else None
        release = (
            booking_window(services[office_service_id], cancelled).next_day_opens_at
            if cancelled is not None
            else None
        )
        rows.append(
            NikRow(
                booking_id=pk,
                code=code,
                nik_hash=nik_hash,
                masked_nik=mask_nik(last4),
                no_show=status == BookingStatus.NO_SHOW,
                cancelled_at=cancelled,
                next_release=release,
            )
        )
    return rows


def _join_rows(office: Office, start: datetime, end: datetime) -> list[JoinRow]:
    joins = RoomJoin.objects.filter(
        office_service__office=office, joined_at__gte=start, joined_at__lt=end
    ).values_list("joined_at", "client_network", "device_hash")
    return [
        JoinRow(joined_at=at, network=network, device_hash=device) for at, network, device in joins
    ]


def _ballot_rows(office: Office, start: datetime, end: datetime) -> list[BallotEntryRow]:
    entries = (
        BallotEntry.objects.filter(
            ballot__office_services__office=office,
            verified_at__isnull=False,
            created_at__gte=start,
            created_at__lt=end,
        )
        .distinct()
        .values_list("phone", "email")
    )
    return [BallotEntryRow(phone=phone, email=email) for phone, email in entries]


def _shown(flag: Flag) -> Flag:
    """The flag as a supervisor sees it: a contact masked, a device hash shortened."""
    if flag.dimension == Dimension.PHONE:
        return dataclasses.replace(flag, key=mask_phone(flag.key))
    if flag.dimension == Dimension.EMAIL:
        return dataclasses.replace(flag, key=mask_email(flag.key))
    if flag.dimension == Dimension.DEVICE:
        return dataclasses.replace(flag, key=flag.key[:DEVICE_SHOWN] + "…")
    return flag


def calo_report(*, office: Office, first: date, last: date) -> CaloReport:
    """Every flag of `office` for its days `first` to `last` (inclusive): holds and
    bookings made in the period grouped per network, device and contact; NIKs with
    no-shows on its days or cancellations made in it."""
    start, end = _bounds(office, first, last)
    holds = _hold_rows(office, start, end)
    joins = _join_rows(office, start, end)
    entries = _ballot_rows(office, start, end)
    contacts = [
        *group_flags(holds, Dimension.PHONE),
        *group_flags(holds, Dimension.EMAIL),
    ]
    return CaloReport(
        office=office,
        first=first,
        last=last,
        networks=group_flags(holds, Dimension.NETWORK),
        devices=[_shown(flag) for flag in group_flags(holds, Dimension.DEVICE)],
        contacts=[_shown(flag) for flag in contacts],
        niks=nik_flags(_nik_rows(office, first, last, start, end)),
        room_networks=join_flags(joins, Dimension.NETWORK),
        room_devices=[
            dataclasses.replace(flag, key=flag.key[:DEVICE_SHOWN] + "…")
            for flag in join_flags(joins, Dimension.DEVICE)
        ],
        ballot_contacts=[
            *[
                dataclasses.replace(flag, key=mask_phone(flag.key))
                for flag in ballot_flags(entries, Dimension.PHONE)
            ],
            *[
                dataclasses.replace(flag, key=mask_email(flag.key))
                for flag in ballot_flags(entries, Dimension.EMAIL)
            ],
        ],
    )


def flagged_bookings(report: CaloReport) -> list[Booking]:
    """The bookings behind the report's flags, for the audit log's record of the read."""
    ids = sorted({pk for flag in report.flags for pk in flag.booking_ids})
    return list(Booking.objects.select_related("slot__office_service").filter(pk__in=ids))
