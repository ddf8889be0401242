"""The outbox in the admin: every message, its status and failure reason, searchable by
booking code; dead letters are one filter away, and can be resent from the list."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError
from notifications.models import Message
from notifications.services.outbox import message_resend
from offices.admin import ReadOnlyOfficeScopedAdmin


@admin.register(Message)
class MessageAdmin(ReadOnlyOfficeScopedAdmin):
    list_display = ["created_at", "kind", "channel", "status", "attempts", "reference",
                    "masked_recipient", "last_error"]  # fmt: skip
    list_filter = ["status", "channel", "kind", "office"]
    search_fields = ["booking__code", "context__reference", "dedup_key"]
    date_hierarchy = "created_at"
    actions = ["resend"]
    readonly_fields = (
        "kind", "channel", "masked_recipient", "language", "status", "attempts", "due_at",
        "stale_after", "sent_at", "provider_ref", "last_error", "office", "booking", "ticket",
        "dedup_key", "resent_from", "resent_by", "created_at",
    )  # fmt: skip
    fields = readonly_fields

    @admin.display(description=_("reference"))
    def reference(self, message: Message) -> str:
        return str(message.context.get("reference", ""))

    @admin.display(description=_("recipient"))
    def masked_recipient(self, message: Message) -> str:
        return message.masked_recipient

    @admin.action(description=_("Send the selected messages again"))
    def resend(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        sent = 0
        for message in queryset:
            try:
                message_resend(message=message, by=request.user)  # type: ignore[arg-type]
            except ApplicationError as refused:
                self.message_user(request, str(refused.message), messages.WARNING)
            else:
                sent += 1
        self.message_user(request, _("%(count)d messages queued again.") % {"count": sent})
