"""Reading the outbox: the notification log supervisors and administrators search."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from notifications.models import Message
from notifications.registry import message_subject_searches
from offices.models import Office


def messages_found_by(term: str) -> Q:
    """Messages a search term names: the reference in their text (a booking code, a
    ticket number), or a subject the term finds as its app registered (a booking code
    finds its booking's messages and its ticket's, erased text or not)."""
    found = Q(context__reference=term)
    for model, search in message_subject_searches():
        found |= Q(
            subject_type=ContentType.objects.get_for_model(model),
            subject_id__in=model._default_manager.filter(search(term)).values("pk"),
        )
    return found


def message_log(
    *, office: Office, search: str = "", status: str = "", kind: str = ""
) -> QuerySet[Message]:
    """The office's messages, newest first; `search` is a booking code or ticket number."""
    messages = Message.objects.filter(office=office)
    search = "".join(search.split()).upper()
    if search:
        messages = messages.filter(messages_found_by(search))
    if status:
        messages = messages.filter(status=status)
    if kind:
        messages = messages.filter(kind=kind)
    return messages.order_by("-created_at", "-pk")
