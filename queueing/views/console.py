"""The counter console: one page per counter for the clerk sitting at it. Every button is
a form POST (htmx swaps the console in place); keyboard shortcuts press the buttons.
What a button does is queueing.services.counter_actions.counter_act, as in the API."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from booking.models import PriorityGroup
from core.errors import ApplicationError
from core.http import AuthenticatedHttpRequest
from offices.models import Counter
from offices.permissions import offices_for
from queueing.forms import ConsoleActionForm
from queueing.selectors import counter_console, staff_counter, staff_counters
from queueing.services.counter_actions import counter_act


@login_required
def counters(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The counters of the offices this person works at."""
    mine = staff_counters(offices=offices_for(request.user))
    return render(request, "queueing/counters.html", {"counters": mine})


def _console_context(counter: Counter) -> dict[str, object]:
    console = counter_console(counter, timezone.now())
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
    }


@never_cache
@login_required
def console(request: AuthenticatedHttpRequest, counter_id: int) -> HttpResponse:
    counter = staff_counter(counter_id=counter_id, staff=request.user)
    message, error = "", ""
    if request.method == "POST":
        form = ConsoleActionForm(request.POST, counter=counter)
        try:
            if not form.is_valid():
                raise ApplicationError("invalid", form.first_error())
            message = counter_act(counter=counter, staff=request.user, **form.cleaned_data).notice
        except ApplicationError as refused:
            error = str(refused.message)
    context = {**_console_context(counter), "message": message, "error": error}
    template = "queueing/console.html#console" if request.htmx else "queueing/console.html"
    return render(request, template, context)
