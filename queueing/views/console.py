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

from booking.models import Counter, OfficeService, PriorityGroup, Role
from booking.permissions import offices_for, require_office_role
from core.errors import ApplicationError
from core.http import HtmxHttpRequest
from core.params import row_id
from queueing.models import CounterState, CounterStatus, Ticket, TicketSource, TicketStatus
from queueing.policy import waiting_order
from queueing.selectors import waiting_counts
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
from queueing.services.common import office_today
from queueing.services.counters import counter_set_status, current_ticket
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
    mine = Counter.objects.filter(
        office__in=offices_for(request.user), is_active=True
    ).select_related("office")
    return render(
        request, "queueing/counters.html", {"counters": mine.order_by("office__name", "number")}
    )


def _console_context(counter: Counter) -> dict[str, object]:
    now = timezone.now()
    office = counter.office
    state, _created = CounterState.objects.get_or_create(counter=counter)
    offered = list(
        OfficeService.objects.filter(office=office, is_active=True).select_related("service")
    )
    counts = waiting_counts(office, now)
    today = office_today(office, now).date()
    skills = set(counter.services.values_list("pk", flat=True))
    waiting = (
        Ticket.objects.filter(
            office=office,
            local_date=today,
            status=TicketStatus.WAITING,
            office_service__service__in=skills,
        )
        .select_related("office_service__service")
        .order_by(*waiting_order(now, office.queue_starvation_minutes))[:30]
    )
    return {
        "counter": counter,
        "office": office,
        "state": state,
        "current": current_ticket(counter),
        "waiting": waiting,
        "parked": Ticket.objects.filter(
            office=office, local_date=today, status=TicketStatus.PARKED
        ),
        "counts": [(os, counts.get(os.pk, 0)) for os in offered if os.service_id in skills],
        "transfer_to": offered,
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


def _act(counter: Counter, user: Any, form: Any) -> str:
    action = form.get("action", "")
    if action in ACTIONS:
        ticket = ACTIONS[action](counter=counter, staff=user)
        if action == "next" and ticket is None:
            return _("Nobody is waiting for this counter's services.")
        return ""
    if action in CounterStatus.values:
        counter_set_status(counter=counter, status=action, staff=user)
        return ""
    if action == "transfer":
        to = OfficeService.objects.filter(
            pk=row_id(form.get("service")), office=counter.office
        ).first()
        if to is None:
            raise ApplicationError("invalid", _("Choose a service of this office."))
        ticket_transfer(counter=counter, staff=user, to_service=to)
        return ""
    if action in ("call", "unpark"):
        ticket = Ticket.objects.filter(pk=row_id(form.get("ticket")), office=counter.office).first()
        if ticket is None:
            raise ApplicationError("not_found", _("This ticket is not in this office's queue."))
        if action == "call":
            call_ticket(counter=counter, ticket=ticket, staff=user)
        else:
            ticket_unpark(ticket=ticket, staff=user)
        return ""
    if action == "issue":
        office_service = OfficeService.objects.filter(
            pk=row_id(form.get("service")), office=counter.office, is_active=True
        ).first()
        if office_service is None:
            raise ApplicationError("invalid", _("Choose a service of this office."))
        priority = form.get("priority_group", "")
        ticket = ticket_issue(
            office_service=office_service,
            source=TicketSource.STAFF,
            priority_group=priority if priority in PriorityGroup.values else "",
            staff=user,
        )
        return _("Issued number %(number)s.") % {"number": ticket.display_number}
    if action == "check_in":
        ticket = check_in(office=counter.office, code=form.get("code", ""), staff=user)
        return _("Checked in: number %(number)s.") % {"number": ticket.display_number}
    raise ApplicationError("invalid", _("Unknown action."))
