"""Survey answers (read-only, for the reports) and kiosk devices in the admin, both
office-scoped: an office administrator sees and registers only their offices' rows."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from offices.admin import OfficeScopedAdmin, ReadOnlyOfficeScopedAdmin
from queueing import kiosks
from queueing.models import KioskDevice, ServiceRating


@admin.register(ServiceRating)
class ServiceRatingAdmin(ReadOnlyOfficeScopedAdmin):
    office_path = "ticket__office"
    list_display = ["created_at", "ticket", "score", "comment"]
    list_filter = ["score", "ticket__office", "ticket__office_service__service"]
    date_hierarchy = "created_at"
    readonly_fields = ("ticket", "score", "comment", "created_at")
    fields = readonly_fields


@admin.register(KioskDevice)
class KioskDeviceAdmin(OfficeScopedAdmin):
    """Register a kiosk: its token and enrolment link are shown once, on the page that
    answers the "Save" (never stored, never in a message or a redirect); revoke with the
    action. Devices are not deleted, so the list keeps who registered what."""

    list_display = ["name", "office", "created_by", "created_at", "last_seen_at", "revoked_at"]
    list_filter = ["office", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "office__name", "office__code"]
    readonly_fields = ["created_by", "created_at", "last_seen_at", "revoked_at"]
    actions = ["revoke"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["office", "name"] if obj is None else ["office", "name", *self.readonly_fields]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [] if obj is None else ["office", *self.readonly_fields]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: KioskDevice, form: Any, change: bool) -> None:
        if not change:
            token, obj.token_hash = kiosks.kiosk_token_new()
            # Only signed-in staff reach the admin, but ModelAdmin's save_model() types the
            # request as HttpRequest, whose user may be anonymous.
            obj.created_by = request.user  # type: ignore[assignment]
            request.kiosk_token = token  # type: ignore[attr-defined]  # for response_add only
        super().save_model(request, obj, form, change)

    def response_add(
        self, request: HttpRequest, obj: KioskDevice, post_url_continue: Any = None
    ) -> HttpResponse:
        token = getattr(request, "kiosk_token", "")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Kiosk device registered"),
            "opts": self.model._meta,
            "device": obj,
            "token": token,
            "enrolment_url": kiosks.enrolment_url(obj.office, token),
        }
        response = TemplateResponse(request, "admin/queueing/kioskdevice/registered.html", context)
        add_never_cache_headers(response)  # the token must not stay in any cache
        return response

    @admin.action(description=_("Revoke the selected kiosk devices"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[KioskDevice]) -> None:
        count = kiosks.kiosk_devices_revoke(device_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext("%(count)d kiosk device revoked.", "%(count)d kiosk devices revoked.", count)
            % {"count": count},
            messages.SUCCESS,
        )
