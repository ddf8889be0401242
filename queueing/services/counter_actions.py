"""Acting at a counter: the one entry point behind the console's buttons
(queueing/views/console.py) and the API's counter actions (queueing/api.py), with one
set of action names. The edges only turn what was sent into rows of the counter's
office (a ticket, a service) and show the result.

Which actions are destructive, and why only the no-show asks for confirmation: see
docs/counter-console.md ("Confirming a no-show")."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import models
from django.utils.translation import gettext, gettext_lazy

from booking.models import PriorityGroup
from core.errors import ApplicationError
from offices.models import Counter, OfficeService, Role
from offices.permissions import require_office_role
from queueing.models import CounterStatus, Ticket, TicketSource
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


class CounterAction(models.TextChoices):
    """What a clerk can do at a counter. The values are the console's button values and
    the last part of the API's `/counters/<id>/<action>/`."""

    OPEN = "open", gettext_lazy("Open counter")
    PAUSE = "pause", gettext_lazy("Pause")
    CLOSE = "close", gettext_lazy("Close")
    NEXT = "next", gettext_lazy("Call next")
    CALL = "call", gettext_lazy("Call")
    RECALL = "recall", gettext_lazy("Call again")
    START = "start", gettext_lazy("Start serving")
    FINISH = "finish", gettext_lazy("Finish")
    NO_SHOW = "no-show", gettext_lazy("No-show")
    PARK = "park", gettext_lazy("Park")
    UNPARK = "unpark", gettext_lazy("Back to the queue")
    TRANSFER = "transfer", gettext_lazy("Transfer")
    ISSUE = "issue", gettext_lazy("Give a number")
    CHECK_IN = "check-in", gettext_lazy("Check in")


# What an action names besides the counter; every other action takes nothing more
# (check-in takes a booking code, issue an optional priority group).
TICKET_ACTIONS = (CounterAction.CALL, CounterAction.UNPARK)
SERVICE_ACTIONS = (CounterAction.TRANSFER, CounterAction.ISSUE)
# The actions that can end a citizen's turn (a recall past the office's limit is a
# no-show): they need `confirm`, and may name the ticket confirmed.
CONFIRMED_ACTIONS = (CounterAction.NO_SHOW, CounterAction.RECALL)

UNKNOWN_ACTION = gettext_lazy("Unknown action.")
SERVICE_ERROR = gettext_lazy("Choose a service of this office.")
TICKET_ERROR = gettext_lazy("This ticket is not in this office's queue.")

_STATUS_AFTER: dict[str, str] = {
    CounterAction.OPEN: CounterStatus.OPEN,
    CounterAction.PAUSE: CounterStatus.PAUSED,
    CounterAction.CLOSE: CounterStatus.CLOSED,
}
# The actions on the counter's own current ticket (or, for `next`, the one it calls).
_ON_OWN_TICKET: dict[str, Callable[..., Ticket | None]] = {
    CounterAction.NEXT: call_next,
    CounterAction.START: ticket_start,
    CounterAction.FINISH: ticket_finish,
    CounterAction.PARK: ticket_park,
}
_CONFIRMED: dict[str, Callable[..., Ticket]] = {
    CounterAction.NO_SHOW: ticket_no_show,
    CounterAction.RECALL: ticket_recall,
}


@dataclass(frozen=True)
class CounterOutcome:
    ticket: Ticket | None  # called, changed, issued or checked in; None for the counter's status
    notice: str  # for the clerk, in the active language; "" when the console says it all


def counter_act(
    *,
    counter: Counter,
    staff: User,
    action: str,
    ticket: Ticket | None = None,
    service: OfficeService | None = None,
    priority_group: str = "",
    code: str = "",
    confirm: bool = False,
) -> CounterOutcome:
    """Do `action` at `counter` as `staff`, who must work at its office (PermissionDenied
    otherwise). `ticket` (call, unpark) must be of the counter's office, `service`
    (transfer, issue) one of its services. A refusal raises ApplicationError and changes
    nothing; each action is one transaction of the service it calls.

    A no-show (or a recall past the recall limit) needs `confirm`: without it,
    NoShowUnconfirmed says which ticket to ask about. With it, `ticket`, if given, is the
    ticket confirmed, refused if it is no longer the counter's current one."""
    require_office_role(staff, counter.office_id, at_least=Role.CLERK)
    if action in _STATUS_AFTER:
        counter_set_status(counter=counter, status=_STATUS_AFTER[action], staff=staff)
        return CounterOutcome(None, "")
    if action in _CONFIRMED:
        if ticket is not None and ticket.office_id != counter.office_id:
            raise ApplicationError("invalid", TICKET_ERROR, fields={"ticket": [TICKET_ERROR]})
        marked = _CONFIRMED[action](counter=counter, staff=staff, confirmed=confirm, ticket=ticket)
        return CounterOutcome(marked, "")
    if action in _ON_OWN_TICKET:
        acted = _ON_OWN_TICKET[action](counter=counter, staff=staff)
        if acted is None:
            return CounterOutcome(None, gettext("Nobody is waiting for this counter's services."))
        return CounterOutcome(acted, "")
    if action == CounterAction.CALL:
        called = call_ticket(counter=counter, ticket=_named_ticket(counter, ticket), staff=staff)
        return CounterOutcome(called, "")
    if action == CounterAction.UNPARK:
        return CounterOutcome(ticket_unpark(ticket=_named_ticket(counter, ticket), staff=staff), "")
    if action == CounterAction.TRANSFER:
        # An inactive service is refused by ticket_transfer itself.
        to = _named_service(counter, service, active=False)
        return CounterOutcome(ticket_transfer(counter=counter, staff=staff, to_service=to), "")
    if action == CounterAction.ISSUE:
        issued = ticket_issue(
            office_service=_named_service(counter, service, active=True),
            source=TicketSource.STAFF,
            # An unknown group is no group, as at the kiosk.
            priority_group=priority_group if priority_group in PriorityGroup.values else "",
            staff=staff,
        )
        notice = gettext("Issued number %(number)s.") % {"number": issued.display_number}
        return CounterOutcome(issued, notice)
    if action == CounterAction.CHECK_IN:
        checked_in = check_in(office=counter.office, code=code, staff=staff)
        notice = gettext("Checked in: number %(number)s.") % {"number": checked_in.display_number}
        return CounterOutcome(checked_in, notice)
    raise ApplicationError("invalid", UNKNOWN_ACTION, fields={"action": [UNKNOWN_ACTION]})


def _named_ticket(counter: Counter, ticket: Ticket | None) -> Ticket:
    """The ticket an action names: one of the counter's office."""
    if ticket is None or ticket.office_id != counter.office_id:
        raise ApplicationError("invalid", TICKET_ERROR, fields={"ticket": [TICKET_ERROR]})
    return ticket


def _named_service(
    counter: Counter, service: OfficeService | None, *, active: bool
) -> OfficeService:
    """The service an action names: one of the counter's office (and offered, if `active`)."""
    if (
        service is None
        or service.office_id != counter.office_id
        or (active and not service.is_active)
    ):
        raise ApplicationError("invalid", SERVICE_ERROR, fields={"service": [SERVICE_ERROR]})
    return service
