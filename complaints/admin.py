"""Complaints in the admin: read-only (they change only through complaints.services, on
the staff pages), office-scoped, and a pungli report is shown to national
administrators only, never to the office's own administrators."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from complaints.models import Complaint, ComplaintEvent
from offices.admin import ReadOnlyOfficeScopedAdmin


class ComplaintEventInline(admin.TabularInline):
    model = ComplaintEvent
    fields = readonly_fields = ("kind", "at", "staff")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyOfficeScopedAdmin):
    list_display = ["number", "office", "category", "pungli", "status", "filed_at", "due_on"]
    list_filter = ["status", "category", "pungli"]
    search_fields = ["number", "office__name"]
    date_hierarchy = "filed_at"
    fields = readonly_fields = (
        "number",
        "office",
        "category",
        "pungli",
        "status",
        "language",
        "channel",
        "filed_at",
        "due_on",
        "assignee",
        "text",
        "answer",
        "answered_at",
        "closed_at",
        "anonymised_at",
    )
    inlines = [ComplaintEventInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(pungli=False)
