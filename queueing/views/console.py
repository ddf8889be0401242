"""The counter console: one page per counter for the clerk sitting at it. Every button is
a form POST (htmx swaps the console in place); keyboard shortcuts press the buttons."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from booking.models import PriorityGroup
from core.errors import ApplicationError
from core.http import HtmxHttpRequest
from offices.models import Counter, Role
from offices.permissions import offices_for, require_office_role
from queueing.forms import ConsoleActionForm
from queueing.models import CounterStatus, TicketSource
from queueing.selectors import counter_console, staff_counters
from queueing.services.calling import (
    call_next,
    call_ticket,
    ticket_finish,
    ticket_no_show,
    ticket_park,
    ticket_recall,
    ticket_start,
    ticket_transfer,
    ticket_unpark,
)
from queueing.services.check_in import check_in
from queueing.services.counters import counter_set_status
from queueing.services.issue import ticket_issue

ACTIONS: dict[str, Callable[..., Any]] = {
    "next": call_next,
    "recall": ticket_recall,
    "start": ticket_start,
    "finish": ticket_finish,
    "no_show": ticket_no_show,
    "park": ticket_park,
}


@login_required
def counters(request: HttpRequest) -> HttpResponse:
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
def console(request: HtmxHttpRequest, counter_id: int) -> HttpResponse:
    counter = get_object_or_404(
        Counter.objects.select_related("office"), pk=counter_id, is_active=True
    )
    require_office_role(request.user, counter.office, at_least=Role.CLERK)
    user = request.user
    assert user.is_authenticated
    message, error = "", ""
    if request.method == "POST":
        try:
            message = _act(counter, user, request.POST)
        except ApplicationError as refused:
            error = str(refused.message)
    context = {**_console_context(counter), "message": message, "error": error}
    template = "queueing/console.html#console" if request.htmx else "queueing/console.html"
    return render(request, template, context)


def _act(counter: Counter, user: Any, data: Any) -> str:
    form = ConsoleActionForm(data, counter=counter)
    if not form.is_valid():
        raise ApplicationError("invalid", form.first_error())
    action, sent = form.cleaned_data["action"], form.cleaned_data
    if action in ACTIONS:
        ticket = ACTIONS[action](counter=counter, staff=user)
        if action == "next" and ticket is None:
            return _("Nobody is waiting for this counter's services.")
        return ""
    if action in CounterStatus.values:
        counter_set_status(counter=counter, status=action, staff=user)
        return ""
    if action == "transfer":
        ticket_transfer(counter=counter, staff=user, to_service=sent["service"])
        return ""
    if action == "call":
        call_ticket(counter=counter, ticket=sent["ticket"], staff=user)
        return ""
    if action == "unpark":
        ticket_unpark(ticket=sent["ticket"], staff=user)
        return ""
    if action == "issue":
        ticket = ticket_issue(
            office_service=sent["service"],
            source=TicketSource.STAFF,
            priority_group=sent["priority_group"],
            staff=user,
        )
        return _("Issued number %(number)s.") % {"number": ticket.display_number}
    ticket = check_in(office=counter.office, code=sent["code"], staff=user)  # check_in
    return _("Checked in: number %(number)s.") % {"number": ticket.display_number}
