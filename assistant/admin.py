"""The assistant in the admin: conversations read-only with their turns (they change
only through message_receive and the staff inbox), office-scoped like other office
rows; messages to review read-only for national administrators (they belong to no
office; supervisors label them on the staff review page)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from assistant.models import Conversation, ReviewItem, Turn
from offices.admin import ReadOnlyOfficeScopedAdmin


class TurnInline(admin.TabularInline):
    model = Turn
    fields = readonly_fields = ("created_at", "author", "text", "intent", "confidence", "staff")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Whoever may see the conversation (office-scoped above) reads its turns.
        return True


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyOfficeScopedAdmin):
    list_display = [
        "pk",
        "channel",
        "office",
        "language",
        "handoff",
        "started_at",
        "last_message_at",
    ]
    list_filter = ["channel", "handoff", "language"]
    search_fields = ["office__name"]
    date_hierarchy = "started_at"
    # Never the address, the token, the user hash or the encrypted secrets.
    fields = readonly_fields = (
        "channel",
        "language",
        "office",
        "handoff",
        "handoff_at",
        "handoff_due_at",
        "assigned_to",
        "started_at",
        "last_message_at",
    )
    inlines = [TurnInline]


@admin.register(ReviewItem)
class ReviewItemAdmin(admin.ModelAdmin):
    list_display = ["created_at", "guessed_intent", "confidence", "language", "label"]
    list_filter = ["label", "guessed_intent", "language"]
    fields = readonly_fields = (
        "text",
        "language",
        "guessed_intent",
        "confidence",
        "label",
        "labelled_by",
        "labelled_at",
        "created_at",
    )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)
