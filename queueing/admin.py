"""Survey answers in the admin, read-only and office-scoped, for the reports."""

from __future__ import annotations

from django.contrib import admin

from booking.admin import ReadOnlyOfficeScopedAdmin
from queueing.models import ServiceRating


@admin.register(ServiceRating)
class ServiceRatingAdmin(ReadOnlyOfficeScopedAdmin):
    office_path = "ticket__office"
    list_display = ["created_at", "ticket", "score", "comment"]
    list_filter = ["score", "ticket__office", "ticket__office_service__service"]
    date_hierarchy = "created_at"
    readonly_fields = ("ticket", "score", "comment", "created_at")
    fields = readonly_fields
