"""Loads the demo country (demo/data.py). Idempotent: rows are matched on their
natural keys and brought back to the demo values, so running it twice changes nothing."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal
from itertools import count
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from booking.models import Booking, BookingStatus, Slot, Source
from booking.services.capacity import slot_claim
from booking.services.no_show import bookings_release_no_shows
from core import personal_data
from demo import data as demo_data
from offices.models import Counter, Office, OfficeService, OpeningHours, Service, StaffMembership
from queueing.services.check_in import check_in_window
from scheduling.services import default_plan_extend_window


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    # The codes of the offices this login may use ("*": every office).
    offices: tuple[str, ...]
    # Supervisors and administrators sign in with a second factor: the demo gives each an
    # authenticator key (base32) to type into an app, or `manage.py demo_otp_code`.
    otp_key: str = ""


DEMO_AUTHENTICATOR = "demo"


def _demo_authenticator(user: Any) -> str:
    device = TOTPDevice.objects.filter(user=user, name=DEMO_AUTHENTICATOR).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEMO_AUTHENTICATOR, confirmed=True)
    return base64.b32encode(device.bin_key).decode()


def _hours_for(
    office: dict[str, Any], weekday: int
) -> tuple[time, time, time | None, time | None] | None:
    if weekday <= 3:
        return demo_data.WEEKDAY_HOURS
    if weekday == 4:
        return demo_data.FRIDAY_HOURS
    if weekday == 5 and office["saturday"]:
        return demo_data.SATURDAY_HOURS
    return None


# Booking rules of the demo's office-services: most book from tomorrow; a same-day one
# books from 15 minutes ahead and checks in any time in the 3 hours before.
NEXT_DAY = {"booking_opens_days_ahead": 1, "min_notice_minutes": 60, "checkin_opens_minutes": 30}
SAME_DAY = {"booking_opens_days_ahead": 0, "min_notice_minutes": 15, "checkin_opens_minutes": 180}


def _load_office(spec: dict[str, Any], services: dict[str, Service]) -> Office:
    fields = {
        k: v
        for k, v in spec.items()
        if k not in {"code", "services", "counters", "saturday", "same_day", "faster"}
    }
    fields["latitude"] = Decimal(fields["latitude"])
    fields["longitude"] = Decimal(fields["longitude"])
    office, _ = Office.objects.update_or_create(code=spec["code"], defaults=fields)

    # Free the letters first so that swapping two services' letters cannot collide.
    OfficeService.objects.filter(office=office).exclude(service__code__in=spec["services"]).delete()
    for code, letter in spec["services"].items():
        OfficeService.objects.filter(office=office, ticket_letter=letter).exclude(
            service__code=code
        ).delete()
        same_day = code in spec.get("same_day", [])
        amount, unit = spec.get("faster", {}).get(code, (None, ""))
        OfficeService.objects.update_or_create(
            office=office,
            service=services[code],
            defaults={
                "ticket_letter": letter,
                "standard_amount": amount,
                "standard_unit": unit,
                **(SAME_DAY if same_day else NEXT_DAY),
            },
        )

    for weekday in range(7):
        hours = _hours_for(spec, weekday)
        if hours is None:
            OpeningHours.objects.filter(office=office, weekday=weekday).delete()
            continue
        opens, closes, break_start, break_end = hours
        OpeningHours.objects.update_or_create(
            office=office,
            weekday=weekday,
            defaults={
                "opens_at": opens,
                "closes_at": closes,
                "break_starts_at": break_start,
                "break_ends_at": break_end,
            },
        )

    Counter.objects.filter(office=office).exclude(number__in=spec["counters"]).delete()
    for number, skills in spec["counters"].items():
        counter, _ = Counter.objects.update_or_create(
            office=office, number=number, defaults={"name": "", "is_active": True}
        )
        counter.services.set([services[code] for code in skills])
    return office


def _load_staff(password: str, offices: dict[str, Office]) -> list[DemoLogin]:
    User = get_user_model()
    admin_spec = demo_data.NATIONAL_ADMIN
    admin, _ = User.objects.update_or_create(
        username=admin_spec["username"],
        defaults={"first_name": admin_spec["name"], "is_staff": True, "is_superuser": True},
    )
    admin.set_password(password)
    admin.save(update_fields=["password"])
    logins = [
        DemoLogin(admin.username, "national administrator", ("*",), _demo_authenticator(admin))
    ]

    for spec in demo_data.STAFF:
        first, _, last = spec["name"].partition(" ")
        user, _ = User.objects.update_or_create(
            username=spec["username"],
            defaults={
                "first_name": first,
                "last_name": last,
                # Office administrators work in the Django admin; others never need it.
                "is_staff": spec["role"] == "administrator",
                "is_superuser": False,
            },
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        places = [offices[code] for code in spec["offices"]]
        StaffMembership.objects.filter(user=user).exclude(office__in=places).delete()
        for office in places:
            StaffMembership.objects.update_or_create(
                user=user, office=office, defaults={"role": spec["role"]}
            )
        key = _demo_authenticator(user) if spec["role"] != "clerk" else ""
        logins.append(DemoLogin(user.username, spec["role"], tuple(spec["offices"]), key))
    return logins


DEMO_BOOKING_OFFICES = {
    "kanim-jakarta-pusat": "JKT",
    "mpp-denpasar": "DPS",
    "kanim-jayapura": "DJJ",
    "mpp-jakarta": "MPJ",  # the README's walk-through office
}
DEMO_BOOKINGS_PER_OFFICE = 3
# Name, date of birth in NIK form (DDMMYY, day + 40 for women), priority group.
DEMO_CITIZENS = [
    ("Siti Rahmawati", "450160", "elderly"),
    ("Budi Santoso", "020385", ""),
    ("Dewi Anggraini", "550792", "pregnant"),
]


def _check_in_open(slot: Slot, now: datetime) -> bool:
    opens, closes = check_in_window(slot)
    return opens <= now <= closes


def _demo_nik(office: Office, number: int) -> str:
    """One NIK per demo booking number of the day, so a new booking never meets an
    active one of the same person and service (one_active_booking_per_nik_and_service)."""
    office_number = list(DEMO_BOOKING_OFFICES).index(office.code) + 1
    born = DEMO_CITIZENS[(number - 1) % len(DEMO_CITIZENS)][1]
    return f"3171{office_number:02d}{born}{number:04d}"


def _demo_bookings_today(office: Office, now: datetime) -> list[str]:
    """Codes of confirmed bookings at this office that can be checked in at its kiosk
    now, so the kiosk can be tried at once (citizens themselves mostly book from
    tomorrow). Only bookings still to arrive are listed: a code already checked in, or
    whose check-in has closed, is left out and a new booking takes its place, up to
    DEMO_BOOKINGS_PER_OFFICE. Running again while they are still usable changes nothing.
    Empty while no slot's check-in is open (before opening, in a break, after closing)."""
    today = office.local_date(now)
    letters = DEMO_BOOKING_OFFICES[office.code]
    prefix = f"D{today:%m%d}{letters}"
    # This office's demo bookings whose check-in closed unused (today's or an earlier
    # day's, if the worker was not running) become no-shows first, as the periodic job
    # would make them: their places come back and their NIKs may book again.
    bookings_release_no_shows(Q(code__regex=rf"^D[0-9]{{4}}{letters}[0-9]+$"), now=now)
    made = list(
        Booking.objects.filter(code__startswith=prefix).select_related("slot__office_service")
    )
    usable = [
        booking.code
        for booking in made
        if booking.status == BookingStatus.CONFIRMED and _check_in_open(booking.slot, now)
    ]
    wanted = DEMO_BOOKINGS_PER_OFFICE - len(usable)
    if wanted <= 0:
        return sorted(usable, key=lambda code: (len(code), code))
    # Slots of services citizens cannot book for today themselves first, so the demo
    # takes no place a citizen trying the same-day booking wants; then those whose
    # check-in stays open longest, so the codes stay usable longest.
    slots = sorted(
        (
            slot
            for slot in Slot.objects.filter(
                office_service__office=office,
                office_service__is_active=True,
                office_service__service__accepts_appointments=True,
                local_date=today,
                capacity__gt=F("taken"),
            ).select_related("office_service")
            if _check_in_open(slot, now)
        ),
        key=lambda slot: (
            slot.office_service.booking_opens_days_ahead == 0,
            -check_in_window(slot)[1].timestamp(),
        ),
    )
    numbers = count(max((int(b.code[len(prefix) :]) for b in made), default=0) + 1)
    for slot in slots:
        if wanted == 0:
            break
        if not slot_claim(slot=slot, now=now):
            continue
        number = next(numbers)
        nik = _demo_nik(office, number)
        name, _born, group = DEMO_CITIZENS[(number - 1) % len(DEMO_CITIZENS)]
        Booking.objects.create(
            code=f"{prefix}{number}",
            slot=slot,
            service_id=slot.office_service.service_id,
            status=BookingStatus.CONFIRMED,
            full_name=name,
            nik_encrypted=personal_data.encrypt(nik),
            nik_hash=personal_data.keyed_hash(nik),
            nik_last4=nik[-4:],
            email=f"demo{number}@giliran.local",
            channel="email",
            priority_group=group,
            source=Source.STAFF,
            confirmed_at=now,
        )
        usable.append(f"{prefix}{number}")
        wanted -= 1
    return sorted(usable, key=lambda code: (len(code), code))


@transaction.atomic
def demo_load(*, password: str) -> list[DemoLogin]:
    """Create or refresh the demo catalog and staff; return the staff logins."""
    services = {}
    for spec in demo_data.SERVICES:
        fields = {k: v for k, v in spec.items() if k != "code"}
        services[str(spec["code"])], _ = Service.objects.update_or_create(
            code=spec["code"], defaults=fields
        )
    offices = {str(spec["code"]): _load_office(spec, services) for spec in demo_data.OFFICES}
    now = timezone.now()
    for office in offices.values():
        default_plan_extend_window(office=office, now=now)
    return _load_staff(password, offices)


def demo_bookings_today() -> dict[str, list[str]]:
    """Booking codes to check in with now, per office (see _demo_bookings_today)."""
    now = timezone.now()
    with transaction.atomic():
        return {
            office.code: _demo_bookings_today(office, now)
            for office in Office.objects.filter(code__in=DEMO_BOOKING_OFFICES).order_by("name")
        }
