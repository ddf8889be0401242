"""Admin screens for the catalog and staff roles, and the office scoping every app's admin
screens share (OfficeScopedAdmin, ReadOnlyOfficeScopedAdmin).

National administrators (superusers) manage everything. An office administrator sees and
changes only their own offices' rows: counters, hours, closures, services offered and
staff roles; the national list of services is read-only for them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from core.audit import record_access
from offices.forms import AdminStaffAuthenticationForm
from offices.models import (
    Closure,
    Counter,
    Office,
    OfficeService,
    OpeningHours,
    Role,
    Service,
    StaffMembership,
)
from offices.permissions import offices_for


def _administered(request: HttpRequest) -> QuerySet[Office]:
    return offices_for(request.user, at_least=Role.ADMINISTRATOR)


class OfficeScopedAdmin(admin.ModelAdmin):
    """Rows that belong to an office: visible and editable only within the offices the
    user administers, and new rows can only point at those offices."""

    office_path = "office"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.office_path}__in": _administered(request)})

    def _may(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or _administered(request).exists()

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._may(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "office" and not request.user.is_superuser:
            kwargs["queryset"] = _administered(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReadOnlyOfficeScopedAdmin(OfficeScopedAdmin):
    """Rows that change only through their services (bookings, messages, survey answers):
    shown, searchable and office-scoped, never added, edited or deleted here. Opening one
    is recorded in the audit log (for the models it covers: personal data)."""

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            shown = self.get_object(request, object_id)
            if shown is not None:
                record_access(shown)
        return response

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class OfficeServiceForm(forms.ModelForm):
    # No Meta: the admin builds the form from OfficeServiceAdmin's own fields.
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        service = cleaned.get("service")
        if not cleaned.get("ticket_letter") and service is not None:
            cleaned["ticket_letter"] = service.ticket_letter
            self.instance.ticket_letter = service.ticket_letter
        return cleaned


class OfficeServiceInline(admin.TabularInline):
    model = OfficeService
    form = OfficeServiceForm
    extra = 0
    autocomplete_fields = ["service"]


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0
    max_num = 7


class CounterInline(admin.TabularInline):
    model = Counter
    extra = 0
    fields = ["number", "name", "services", "is_active"]
    filter_horizontal = ["services"]


class ClosureInline(admin.TabularInline):
    model = Closure
    extra = 0


class MembershipInline(admin.TabularInline):
    model = StaffMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Office)
class OfficeAdmin(OfficeScopedAdmin):
    office_path = "pk"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "code", "kind", "regency", "province", "timezone", "is_active"]
    list_filter = ["kind", "timezone", "province", "is_active"]
    search_fields = ["name", "code", "regency", "province", "address"]
    prepopulated_fields = {"code": ["name"]}
    inlines = [
        OfficeServiceInline,
        OpeningHoursInline,
        CounterInline,
        ClosureInline,
        MembershipInline,
    ]
    fieldsets = [
        (None, {"fields": ["code", "name", "kind", "is_active"]}),
        (_("Location"), {"fields": ["address", "regency", "province", "latitude", "longitude"]}),
        (_("Time and contact"), {"fields": ["timezone", "phone", "email", "website"]}),
    ]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name_id",
        "name_en",
        "ticket_letter",
        "average_minutes",
        "fee_rupiah",
        "accepts_appointments",
        "accepts_walk_ins",
        "is_active",
    ]
    list_filter = ["accepts_appointments", "accepts_walk_ins", "is_active"]
    search_fields = ["code", "name_id", "name_en", "description_id", "description_en"]
    fieldsets = [
        (None, {"fields": ["code", "ticket_letter", "average_minutes", "is_active"]}),
        (_("Who it takes"), {"fields": ["accepts_appointments", "accepts_walk_ins"]}),
        (
            _("Fee and service standard"),
            {"fields": ["fee_rupiah", ("standard_amount", "standard_unit")]},
        ),
        (
            _("Bahasa Indonesia"),
            {"fields": ["name_id", "description_id", "requirements_id", "fee_note_id"]},
        ),
        (
            _("English"),
            {"fields": ["name_en", "description_en", "requirements_en", "fee_note_en"]},
        ),
    ]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or _administered(request).exists()

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    # The national catalog of services is shared by every office: only national
    # administrators change it.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser


@admin.register(OfficeService)
class OfficeServiceAdmin(OfficeScopedAdmin):
    form = OfficeServiceForm
    list_display = [
        "office",
        "service",
        "ticket_letter",
        "duration_minutes",
        "booking_opens_days_ahead",
        "booking_window_days",
        "release_pattern",
        "allocation",
        "is_active",
    ]
    list_filter = ["office__timezone", "is_active", "release_pattern", "allocation", "service"]
    search_fields = ["office__name", "service__name_id", "service__name_en", "service__code"]
    autocomplete_fields = ["office", "service"]


class CounterForm(forms.ModelForm):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        office, services = cleaned.get("office"), cleaned.get("services")
        if office is not None and services:
            offered = set(
                OfficeService.objects.filter(office=office).values_list("service_id", flat=True)
            )
            missing = [str(s) for s in services if s.pk not in offered]
            if missing:
                self.add_error(
                    "services",
                    _("This office does not offer: %(services)s.")
                    % {"services": ", ".join(missing)},
                )
        return cleaned


@admin.register(Counter)
class CounterAdmin(OfficeScopedAdmin):
    form = CounterForm
    list_display = ["office", "number", "name", "is_active"]
    list_filter = ["office", "is_active"]
    search_fields = ["office__name", "name"]
    filter_horizontal = ["services"]
    autocomplete_fields = ["office"]


@admin.register(OpeningHours)
class OpeningHoursAdmin(OfficeScopedAdmin):
    list_display = [
        "office",
        "weekday",
        "opens_at",
        "closes_at",
        "break_starts_at",
        "break_ends_at",
    ]
    list_filter = ["weekday", "office__timezone"]
    search_fields = ["office__name"]
    autocomplete_fields = ["office"]


@admin.register(Closure)
class ClosureAdmin(OfficeScopedAdmin):
    list_display = ["office", "starts_on", "ends_on", "reason_id"]
    list_filter = ["office__timezone", "starts_on"]
    search_fields = ["office__name", "reason_id", "reason_en"]
    date_hierarchy = "starts_on"
    autocomplete_fields = ["office"]


@admin.register(StaffMembership)
class StaffMembershipAdmin(OfficeScopedAdmin):
    list_display = ["user", "office", "role"]
    list_filter = ["role", "office"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "office__name"]
    autocomplete_fields = ["user", "office"]

    def formfield_for_choice_field(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        # An office administrator appoints clerks and supervisors; only national
        # administrators appoint other administrators.
        if db_field.name == "role" and not request.user.is_superuser:
            kwargs["choices"] = [(r.value, r.label) for r in (Role.CLERK, Role.SUPERVISOR)]
        return super().formfield_for_choice_field(db_field, request, **kwargs)


admin.site.site_header = _("Giliran administration")
# Our own wording of a wrong password (see offices/forms.py).
admin.site.login_form = AdminStaffAuthenticationForm
admin.site.site_title = _("Giliran")
admin.site.index_title = _("Offices, services and staff")
