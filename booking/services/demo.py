"""Loads the demo country (booking/demo_data.py). Idempotent: rows are matched on their
natural keys and brought back to the demo values, so running it twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from booking import demo_data
from booking.models import Counter, Office, OfficeService, OpeningHours, Service, StaffMembership


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    office: str


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


def _load_office(spec: dict[str, Any], services: dict[str, Service]) -> Office:
    fields = {
        k: v for k, v in spec.items() if k not in {"code", "services", "counters", "saturday"}
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
        OfficeService.objects.update_or_create(
            office=office, service=services[code], defaults={"ticket_letter": letter}
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
    logins = [DemoLogin(admin.username, "national administrator", "*")]

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
        StaffMembership.objects.filter(user=user).exclude(office=offices[spec["office"]]).delete()
        StaffMembership.objects.update_or_create(
            user=user, office=offices[spec["office"]], defaults={"role": spec["role"]}
        )
        logins.append(DemoLogin(user.username, spec["role"], spec["office"]))
    return logins


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
    from scheduling.services import default_plan_extend_window

    for office in offices.values():
        default_plan_extend_window(office=office, now=timezone.now())
    return _load_staff(password, offices)
