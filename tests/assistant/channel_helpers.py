"""What the channel tests share: the recorded payloads and counts of what was stored."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PAYLOADS = Path(__file__).parent / "payloads"


def payload(name: str) -> Any:
    return json.loads((PAYLOADS / f"{name}.json").read_text())


def stored() -> tuple[int, int, int]:
    """(conversations, turns, outbox messages)."""
    from assistant.models import Conversation, Turn
    from notifications.models import Message

    return Conversation.objects.count(), Turn.objects.count(), Message.objects.count()


def chat_bookings() -> Any:
    """The bookings the conversations made (the chat books through the API's source).
    `load_demo` also makes kiosk bookings (source staff), but only while some demo
    office's check-in is open, so by the hour the suite runs: they are left out."""
    from booking.models import Booking, Source

    return Booking.objects.exclude(source=Source.STAFF)
