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
