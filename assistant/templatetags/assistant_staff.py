"""What the staff start page shows of the assistant: the conversations waiting for a
person at the user's offices (None for someone with no office role, who gets no link)."""

from __future__ import annotations

from django import template

from assistant.inbox import AnyUser, handoffs_for_staff
from assistant.models import Handoff
from offices.permissions import offices_for

register = template.Library()


@register.simple_tag
def handoffs_waiting(user: AnyUser) -> int | None:
    if not offices_for(user).exists():
        return None
    return handoffs_for_staff(user).filter(handoff=Handoff.WAITING).count()
