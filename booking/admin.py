"""Admin screens for slots, bookings and waiting-list entries: read-only and scoped to the
offices the user administers (offices.admin.ReadOnlyOfficeScopedAdmin)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from booking.models import Booking, Slot, WaitlistEntry
from offices.admin import ReadOnlyOfficeScopedAdmin


@admin.register(Slot)
class SlotAdmin(ReadOnlyOfficeScopedAdmin):
    """Slots are planned by scheduling/ and edited by supervisors on the capacity page,
    which refuses capacity below what is booked; here they are read-only."""

    office_path = "office_service__office"
    list_display = ["office_service", "starts_at", "local_date", "capacity", "taken"]
    list_filter = ["local_date", "office_service__office__timezone"]
    search_fields = ["office_service__office__name", "office_service__service__name_id"]
    date_hierarchy = "local_date"
    readonly_fields = ["office_service", "starts_at", "ends_at", "local_date", "capacity", "taken"]


@admin.register(Booking)
class BookingAdmin(ReadOnlyOfficeScopedAdmin):
    """Bookings change only through their services (confirm, cancel, reschedule); the
    admin shows them with the NIK masked and never decrypts it."""

    office_path = "slot__office_service__office"
    list_display = ["code", "status", "slot", "full_name", "masked_nik", "source", "created_at"]
    list_filter = ["status", "source", "priority_group", "slot__office_service__office"]
    search_fields = ["code", "full_name"]
    readonly_fields = (
        "code",
        "status",
        "slot",
        "service",
        "full_name",
        "masked_nik",
        "phone",
        "email",
        "channel",
        "language",
        "priority_group",
        "source",
        "created_by",
        "reschedule_count",
        "created_at",
        "confirmed_at",
        "cancelled_at",
    )
    fields = readonly_fields

    @admin.display(description=_("NIK"))
    def masked_nik(self, booking: Booking) -> str:
        return booking.masked_nik


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(ReadOnlyOfficeScopedAdmin):
    """Who waits for which full day, in line order; changed only through the services."""

    office_path = "office_service__office"
    list_display = [
        "local_date",
        "office_service",
        "status",
        "full_name",
        "masked_nik",
        "created_at",
    ]
    list_filter = ["status", "office_service__office"]
    search_fields = ["full_name", "offer__code"]
    readonly_fields = (
        "office_service",
        "local_date",
        "status",
        "full_name",
        "masked_nik",
        "channel",
        "language",
        "priority_group",
        "created_at",
        "offer",
        "offered_at",
    )
    fields = readonly_fields

    @admin.display(description=_("NIK"))
    def masked_nik(self, entry: WaitlistEntry) -> str:
        return entry.masked_nik
