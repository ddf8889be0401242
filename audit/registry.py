"""What the audit log records: every change (and staff reads) of personal data, staff
accounts and roles, and the catalog the admin edits.

NIK columns never enter the log: the encrypted value, its keyed hash and the last four
digits are excluded, as are passwords and secrets (the hold token, the waiting-list and
ticket tokens). Citizens' names, phone numbers and email addresses are masked
(`mask_personal`), and a deletion request blanks what the log recorded of the citizen's
rows (audit.services.audit_entries_erase). Each entry is tagged with the office
it belongs to, so supervisors see their own offices' entries only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from auditlog.registry import auditlog
from django.contrib.auth import get_user_model

from booking.models import Booking, Slot, WaitlistEntry
from core.contacts import mask_email, mask_phone
from offices.models import (
    Closure,
    Counter,
    Office,
    OfficeService,
    OpeningHours,
    Service,
    StaffMembership,
)
from queueing.models import Ticket


def _office_of_booking(booking: Booking) -> int | None:
    # The slot and its offered service are usually loaded already: no query then.
    if Booking.slot.is_cached(booking) and Slot.office_service.is_cached(booking.slot):
        return booking.slot.office_service.office_id
    return (
        Slot.objects.filter(pk=booking.slot_id)
        .values_list("office_service__office_id", flat=True)
        .first()
    )


def _office_of_entry(entry: WaitlistEntry) -> int | None:
    if WaitlistEntry.office_service.is_cached(entry):
        return entry.office_service.office_id
    return (
        OfficeService.objects.filter(pk=entry.office_service_id)
        .values_list("office_id", flat=True)
        .first()
    )


NIK_FIELDS = ["nik_encrypted", "nik_hash", "nik_last4"]
# A citizen's name and contact: the log shows that they changed, masked.
CONTACT_FIELDS = ["full_name", "phone", "email"]
MASK = "audit.registry.mask_personal"


def mask_personal(value: str) -> str:
    """A name, phone number or email address as the log shows it: "S*** R***",
    "+6281*****890", "s***@example.id". auditlog passes None as "None"."""
    if value in ("", "None"):
        return value
    if "@" in value:
        return mask_email(value)
    if value.lstrip("+").isdigit():
        return mask_phone(value)
    return " ".join(word[:1] + "***" for word in value.split())


# How to find the office of a row of each registered model (None: national rows).
OFFICE_OF: dict[type[Any], Callable[[Any], int | None]] = {
    Booking: _office_of_booking,
    WaitlistEntry: _office_of_entry,
    Ticket: lambda t: t.office_id,
    StaffMembership: lambda m: m.office_id,
    Office: lambda o: o.pk,
    OfficeService: lambda s: s.office_id,
    Counter: lambda c: c.office_id,
    OpeningHours: lambda h: h.office_id,
    Closure: lambda c: c.office_id,
}


# Where a hold came from (core/client_marks.py): the report reads it from the row, and
# the row's retention erases it; a copy in the audit log would outlive that.
CLIENT_MARK_FIELDS = ["client_network", "device_hash"]


# The generic relation to the outbox (notifications/relations.py) is no value of the
# row: auditlog would log its manager's repr, a memory address that differs per process.
RELATIONS = ["messages"]


def register_all() -> None:
    # The hold token confirms a hold (a bearer secret), the waiting-list token is the
    # citizen's link to their entry, the ticket token their queue page: never logged.
    auditlog.register(
        Booking,
        exclude_fields=[*NIK_FIELDS, "hold_token", *CLIENT_MARK_FIELDS, *RELATIONS],
        mask_fields=CONTACT_FIELDS,
        mask_callable=MASK,
    )
    auditlog.register(
        WaitlistEntry,
        exclude_fields=[*NIK_FIELDS, "token"],
        mask_fields=CONTACT_FIELDS,
        mask_callable=MASK,
    )
    auditlog.register(
        Ticket,
        exclude_fields=[
            "public_token",
            "estimate_low_minutes",
            "estimate_high_minutes",
            *RELATIONS,
        ],
        mask_fields=["contact_phone", "contact_email"],
        mask_callable=MASK,
    )
    auditlog.register(StaffMembership)
    auditlog.register(get_user_model(), exclude_fields=["password", "last_login"])
    for model in (Office, Service, OfficeService, Counter, OpeningHours, Closure):
        auditlog.register(model)
    # auditlog stores what a model's get_additional_data() returns with each entry it
    # writes (changes and reads alike): the row's office, in the same INSERT.
    for model in OFFICE_OF:
        model.get_additional_data = _additional_data


def _additional_data(instance: Any) -> dict[str, int | None]:
    return {"office_id": OFFICE_OF[type(instance)](instance)}
