"""Staff pages of the assistant: the handoff inbox (conversations waiting for a person
at the user's offices, with their answer timers), one conversation with its history
and the three steps, and the review list where supervisors label messages the model
was unsure of. Every step goes through assistant.inbox or assistant.review."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from assistant import inbox as handoffs
from assistant import review
from assistant.models import OPEN_HANDOFFS, Conversation, ReviewItem
from assistant.selectors import history
from assistant.understanding.classifier import INTENTS
from core.errors import ApplicationError
from core.http import AuthenticatedHttpRequest
from offices.permissions import offices_for, supervises

PAGE_ROWS = 200
# How often the inbox refreshes itself with htmx (without JavaScript: the reload link).
POLL_SECONDS = 15


class ReplyForm(forms.Form):
    # Checked by the service (handoff_reply_clean), whose message the page shows.
    text = forms.CharField(
        label=_("Reply"),
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": handoffs.REPLY_MAX_LENGTH}),
        required=False,
        strip=False,
    )


class LabelForm(forms.Form):
    label = forms.ChoiceField(label=_("Intent"), choices=[(i, i) for i in INTENTS])


@never_cache
@login_required
def handoff_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not offices_for(request.user).exists():
        raise PermissionDenied
    now = timezone.now()
    rows = [
        {"conversation": c, "timer": handoffs.handoff_timer(c, now)}
        for c in handoffs.handoffs_for_staff(request.user)[:PAGE_ROWS]
    ]
    template = "assistant/staff_inbox.html#rows" if request.htmx else "assistant/staff_inbox.html"
    return render(request, template, {"rows": rows, "poll_seconds": POLL_SECONDS})


def _act(request: AuthenticatedHttpRequest, conversation: Conversation, form: ReplyForm) -> None:
    action = request.POST.get("action", "")
    if action == "take":
        handoffs.handoff_take(conversation=conversation, by=request.user)
    elif action == "reply":
        text = form.cleaned_data["text"] if form.is_valid() else ""
        handoffs.handoff_reply(conversation=conversation, by=request.user, text=text)
    elif action == "close":
        handoffs.handoff_close(conversation=conversation, by=request.user)
    else:
        raise ApplicationError("unknown_action", _("Choose one of the buttons."))


@never_cache
@login_required
def handoff_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    conversation = handoffs.handoff_for_staff(request.user, pk)
    if conversation is None:
        raise Http404
    form = ReplyForm(request.POST if request.POST.get("action") == "reply" else None)
    error: ApplicationError | None = None
    if request.method == "POST":
        try:
            _act(request, conversation, form)
        except ApplicationError as failure:
            error = failure
            for message in failure.fields.get("text", []):
                form.add_error("text", message)
            conversation.refresh_from_db()
        else:
            return redirect("staff:assistant-conversation", conversation.pk)
    context = {
        "conversation": conversation,
        "turns": history(conversation),
        "timer": handoffs.handoff_timer(conversation, timezone.now()),
        "open": conversation.handoff in OPEN_HANDOFFS,
        "mine": conversation.assigned_to_id == request.user.pk,
        "form": form,
        "error": error,
    }
    status = error.status_code if error is not None else 200
    return render(request, "assistant/staff_conversation.html", context, status=status)


def _label_row(item: ReviewItem) -> dict[str, object]:
    initial = {"label": item.label or item.guessed_intent}
    return {"item": item, "form": LabelForm(initial=initial, prefix=str(item.pk))}


def _review_page(
    request: AuthenticatedHttpRequest, error: ApplicationError | None = None
) -> HttpResponse:
    rows = [_label_row(item) for item in review.review_items()[:PAGE_ROWS]]
    context = {"rows": rows, "may_label": supervises(request.user), "error": error}
    status = error.status_code if error is not None else 200
    return render(request, "assistant/staff_review.html", context, status=status)


@never_cache
@login_required
def review_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not review.may_review(request.user):
        raise PermissionDenied
    return _review_page(request)


@require_POST
@never_cache
@login_required
def review_item_label(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Save one label; htmx swaps the row, without JavaScript the list comes back."""
    if not review.may_review(request.user):
        raise PermissionDenied
    item = ReviewItem.objects.filter(pk=pk).first()
    if item is None:
        raise Http404
    form = LabelForm(request.POST, prefix=str(item.pk))
    label = form.cleaned_data["label"] if form.is_valid() else ""
    try:
        item = review.review_label(item=item, label=label, by=request.user)
    except ApplicationError as failure:
        if not request.htmx:
            return _review_page(request, failure)
        # 200: htmx swaps only successful answers, and the row shows the refusal.
        context = {"row": _label_row(item), "may_label": True, "error": failure}
        return render(request, "assistant/staff_review.html#row", context)
    if not request.htmx:
        return redirect("staff:assistant-review")
    context = {"row": _label_row(item), "may_label": True, "saved": True}
    return render(request, "assistant/staff_review.html#row", context)
