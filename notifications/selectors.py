"""Reading the outbox: the notification log supervisors and administrators search."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from notifications.models import Message
from offices.models import Office


def message_log(
    *, office: Office, search: str = "", status: str = "", kind: str = ""
) -> QuerySet[Message]:
    """The office's messages, newest first; `search` is a booking code or ticket number."""
    messages = Message.objects.filter(office=office).select_related("booking", "ticket")
    search = "".join(search.split()).upper()
    if search:
        messages = messages.filter(Q(booking__code=search) | Q(context__reference=search))
    if status:
        messages = messages.filter(status=status)
    if kind:
        messages = messages.filter(kind=kind)
    return messages.order_by("-created_at", "-pk")
