"""The counter console: one page per counter for the clerk sitting at it. Every button is
a form POST (htmx swaps the console in place); keyboard shortcuts press the buttons.
What a button does is queueing.services.counter_actions.counter_act, as in the API.
A no-show is asked about first: the console shows a confirmation step naming the ticket.
Each person's shortcuts (on or off, which key) are saved on their account."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from booking.models import PriorityGroup
from core.errors import ApplicationError
from core.http import AuthenticatedHttpRequest
from offices.models import Counter
from offices.permissions import offices_for
from queueing.forms import ConsoleActionForm
from queueing.models import SHORTCUT_DEFAULTS
from queueing.selectors import console_shortcuts, counter_console, staff_counter, staff_counters
from queueing.services.calling import NoShowUnconfirmed
from queueing.services.counter_actions import CounterAction, counter_act
from queueing.services.shortcuts import console_shortcuts_set


@login_required
def counters(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The counters of the offices this person works at."""
    mine = staff_counters(offices=offices_for(request.user))
    return render(request, "queueing/counters.html", {"counters": mine})


def _shortcut_rows(
    keys: Mapping[str, str], errors: Mapping[str, Sequence[str]]
) -> list[dict[str, object]]:
    """The shortcut settings form, one row per button: its label, key and problems."""
    return [
        {
            "field": f"key_{name}",
            "label": CounterAction(name.replace("_", "-")).label,
            "key": keys.get(name, ""),
            "errors": errors.get(f"key_{name}", []),
        }
        for name in SHORTCUT_DEFAULTS
    ]


def _console_context(counter: Counter, request: AuthenticatedHttpRequest) -> dict[str, object]:
    console = counter_console(counter, timezone.now())
    shortcuts = console_shortcuts(request.user)
    return {
        "counter": counter,
        "office": counter.office,
        "state": console.state,
        "current": console.current,
        "waiting": console.waiting,
        "parked": console.parked,
        "counts": console.counts,
        "transfer_to": console.offered,
        "priority_groups": PriorityGroup.choices[1:],
        # The buttons carry a key only when shortcuts are on: console.js reads them.
        "keys": shortcuts.keys if shortcuts.enabled else {},
        "shortcuts": shortcuts,
        "shortcuts_checked": shortcuts.enabled,
        "shortcut_rows": _shortcut_rows(shortcuts.keys, {}),
    }


@never_cache
@login_required
def console(request: AuthenticatedHttpRequest, counter_id: int) -> HttpResponse:
    counter = staff_counter(counter_id=counter_id, staff=request.user)
    message, error, confirm = "", "", None
    if request.method == "POST":
        form = ConsoleActionForm(request.POST, counter=counter)
        try:
            if not form.is_valid():
                raise ApplicationError("invalid", form.first_error())
            message = counter_act(counter=counter, staff=request.user, **form.cleaned_data).notice
        except NoShowUnconfirmed as asked:
            confirm = {"ticket": asked.ticket, "question": str(asked.message)}
        except ApplicationError as refused:
            error = str(refused.message)
    context = {
        **_console_context(counter, request),
        "message": message,
        "error": error,
        "confirm": confirm,
    }
    template = "queueing/console.html#console" if request.htmx else "queueing/console.html"
    return render(request, template, context)


@never_cache
@login_required
@require_POST
def console_shortcuts_save(request: AuthenticatedHttpRequest, counter_id: int) -> HttpResponse:
    """Save the person's shortcuts from the console's settings form and go back to it."""
    counter = staff_counter(counter_id=counter_id, staff=request.user)
    keys = {name: request.POST.get(f"key_{name}", "") for name in SHORTCUT_DEFAULTS}
    enabled = request.POST.get("enabled") == "on"
    try:
        console_shortcuts_set(user=request.user, enabled=enabled, keys=keys)
    except ApplicationError as refused:
        context = _console_context(counter, request)  # the form shows what was sent
        context["shortcuts_checked"] = enabled
        context["shortcut_rows"] = _shortcut_rows(keys, refused.fields)
        context["shortcut_error"] = str(refused.message)
        return render(request, "queueing/console.html", context)
    messages.success(request, gettext("Keyboard shortcuts saved."))
    return redirect(reverse("staff:console", args=[counter.pk]) + "#shortcuts")
