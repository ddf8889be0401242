from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

# The chat's own pages, which need no launcher.
CHAT_URL_NAMES = frozenset({"assistant-chat", "assistant-chat-turns"})


def chat(request: HttpRequest) -> dict[str, bool]:
    """`assistant_chat`: whether base.html shows the "Ask Giliran" launcher. Citizen pages
    only: never on the staff pages (all under staf/, the counter console among them), nor
    on error pages; the kiosk and the display board use base_bare.html, which has none."""
    match = getattr(request, "resolver_match", None)
    if match is None or match.url_name in CHAT_URL_NAMES:
        return {"assistant_chat": False}
    return {"assistant_chat": not request.path.startswith(reverse("staff:home"))}
