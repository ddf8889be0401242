"""The outbox in the admin: every message, its status and failure reason, searchable by
booking code; dead letters are one filter away, and can be resent from the list."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError
from core.http import AuthenticatedHttpRequest
from notifications.models import Message
from notifications.registry import message_kind_choices
from notifications.selectors import messages_found_by
from notifications.services.outbox import message_resend
from offices.admin import ReadOnlyOfficeScopedAdmin


class KindFilter(admin.SimpleListFilter):
    """The kinds the apps registered, by name (the column holds no choices)."""

    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return message_kind_choices()

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(Message)
class MessageAdmin(ReadOnlyOfficeScopedAdmin):
    list_display = [
        "created_at",
        "kind_label",
        "channel",
        "status",
        "attempts",
        "reference",
        "masked_recipient",
        "last_error",
    ]
    list_filter = ["status", "channel", KindFilter, "office"]
    search_fields = ["context__reference", "dedup_key"]
    date_hierarchy = "created_at"
    actions = ["resend"]
    readonly_fields = (
        "kind_label",
        "channel",
        "masked_recipient",
        "language",
        "status",
        "attempts",
        "due_at",
        "stale_after",
        "sent_at",
        "provider_ref",
        "last_error",
        "office",
        "about",
        "dedup_key",
        "resent_from",
        "resent_by",
        "created_at",
    )
    fields = readonly_fields

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # Also what the booking code names through the messages' subjects, as on the
        # supervisors' log (notifications/selectors.py).
        term = "".join(search_term.split()).upper()
        if term:
            found |= queryset.filter(messages_found_by(term))
        return found, may_have_duplicates

    @admin.display(description=_("kind"))
    def kind_label(self, message: Message) -> str:
        return message.kind_label

    @admin.display(description=_("about"))
    def about(self, message: Message) -> str:
        return str(message.subject or "")

    @admin.display(description=_("reference"))
    def reference(self, message: Message) -> str:
        return str(message.context.get("reference", ""))

    @admin.display(description=_("recipient"))
    def masked_recipient(self, message: Message) -> str:
        return message.masked_recipient

    @admin.action(description=_("Send the selected messages again"))
    def resend(self, request: AuthenticatedHttpRequest, queryset: QuerySet[Message]) -> None:
        sent = 0
        for message in queryset:
            try:
                message_resend(message=message, by=request.user)
            except ApplicationError as refused:
                self.message_user(request, str(refused.message), messages.WARNING)
            else:
                sent += 1
        self.message_user(request, _("%(count)d messages queued again.") % {"count": sent})
