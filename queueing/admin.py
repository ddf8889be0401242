"""Survey answers in the admin, read-only and office-scoped, for the reports."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from booking.admin import OfficeScopedAdmin
from queueing.models import ServiceRating


@admin.register(ServiceRating)
class ServiceRatingAdmin(OfficeScopedAdmin):
    office_path = "ticket__office"
    list_display = ["created_at", "ticket", "score", "comment"]
    list_filter = ["score", "ticket__office", "ticket__office_service__service"]
    date_hierarchy = "created_at"
    readonly_fields = ("ticket", "score", "comment", "created_at")
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
