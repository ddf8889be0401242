"""The web chat: the "Ask Giliran" panel on every citizen page (htmx) and the chat page
/tanya/ it opens from, which works without JavaScript (a form, POST-redirect-GET). The
conversation's token lives in the session, never in an address."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from assistant.forms import ChatForm
from assistant.models import Author, Channel, Conversation, Turn
from assistant.selectors import conversation_by_token, handed_off, transcript, turns_after
from assistant.web import message_from_client
from core.errors import ApplicationError
from core.http import HtmxHttpRequest

SESSION_KEY = "assistant_conversation"
# A reply with a secret shown once (a complaint's access key), carried through the
# redirect of the page without JavaScript and dropped as it is shown.
ONCE_KEY = "assistant_shown_once"
PAGE = "assistant/chat.html"


def _conversation(request: HttpRequest) -> Conversation | None:
    return conversation_by_token(request.session.get(SESSION_KEY, ""), channel=Channel.WEB)


def _suggestions(turns: list[Turn]) -> list[dict[str, str]]:
    """The buttons of the latest turn, when the assistant wrote it."""
    if not turns or turns[-1].author != Author.ASSISTANT:
        return []
    return [s for s in turns[-1].suggestions if isinstance(s, dict) and "label" in s]


def _context(
    conversation: Conversation | None, turns: list[Turn], *, after: int, **extra: Any
) -> dict[str, Any]:
    return {
        "turns": turns,
        "after": turns[-1].pk if turns else after,
        "suggestions": _suggestions(turns),
        "polling": handed_off(conversation),
        **extra,
    }


@never_cache
@require_http_methods(["GET", "POST"])
def chat(request: HtmxHttpRequest) -> HttpResponse:
    """GET: the chat page, or the panel for htmx. POST: a message; without htmx the
    answer is a redirect back to the page (POST-redirect-GET), with htmx the turns the
    panel has not shown yet. A refusal (too long, too many) is shown by the input."""
    conversation = _conversation(request)
    if request.method == "GET":
        turns = _with_shown_once(transcript(conversation), request.session.pop(ONCE_KEY, None))
        context = _context(conversation, turns, after=0, form=ChatForm(), panel=request.htmx)
        return render(request, f"{PAGE}#panel" if request.htmx else PAGE, context)
    form = ChatForm(request.POST)
    status = 400
    if form.is_valid():
        after = form.cleaned_data["after"] or 0
        try:
            reply = message_from_client(
                request,
                channel=Channel.WEB,
                text=form.cleaned_data["text"],
                conversation=conversation.token if conversation else "",
            )
        except ApplicationError as refusal:
            form.add_error("text", str(refusal.message))
            status = refusal.status_code
        else:
            request.session[SESSION_KEY] = reply.conversation
            conversation = conversation_by_token(reply.conversation, channel=Channel.WEB)
            once = _shown_once(conversation, reply.text)
            if not request.htmx:
                if once:
                    request.session[ONCE_KEY] = once
                return redirect(reverse("assistant-chat") + "#chat-log")
            turns = _with_shown_once(turns_after(conversation, after) if conversation else [], once)
            return render(request, f"{PAGE}#update", _context(conversation, turns, after=after))
    error = _first_error(form)
    if request.htmx:
        # htmx swaps only 2xx answers: the refusal comes as a 200 that shows it.
        return render(request, f"{PAGE}#update", _context(conversation, [], after=0, error=error))
    turns = transcript(conversation)
    context = _context(conversation, turns, after=0, form=form, error=error, panel=False)
    return render(request, PAGE, context, status=status)


def _shown_once(conversation: Conversation | None, reply_text: str) -> dict[str, object] | None:
    """The reply's words when they differ from its stored turn: a secret shown once (a
    complaint's access key) is masked in the turn, and the citizen must see it now."""
    turn = conversation.turns.filter(author=Author.ASSISTANT).last() if conversation else None
    if turn is None or turn.text == reply_text:
        return None
    return {"turn": turn.pk, "text": reply_text}


def _with_shown_once(turns: list[Turn], once: object) -> list[Turn]:
    """`turns` with the reply shown once in its unmasked words (in memory only), after a
    redirect through the session, which forgets them as it is read."""
    if isinstance(once, dict):
        for turn in turns:
            if turn.pk == once.get("turn"):
                turn.text = str(once.get("text", turn.text))
    return turns


@never_cache
@require_GET
def chat_turns(request: HtmxHttpRequest) -> HttpResponse:
    """The turns after `after` (a person's replies, while the panel polls)."""
    conversation = _conversation(request)
    form = ChatForm({"after": request.GET.get("after", "")})
    after = (form.cleaned_data.get("after") or 0) if form.is_valid() else 0
    turns = turns_after(conversation, after) if conversation else []
    return render(request, f"{PAGE}#update", _context(conversation, turns, after=after))


def _first_error(form: ChatForm) -> str:
    for messages in form.errors.values():
        return str(messages[0])
    return ""
