"""Calling and serving at a counter: call next or a chosen ticket, recall, start, finish,
no-show, park, transfer and unpark, and the "your turn is near" messages a call sets off.

A no-show is the one action that ends a citizen's turn while they may still be on their
way to the counter, so it is never done by one press: without `confirmed=True` it
changes nothing and raises NoShowUnconfirmed, which names the ticket to ask about
(docs/counter-console.md)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError
from offices.models import Counter, OfficeService, Role
from offices.permissions import require_office_role
from queueing.messages import TicketMessageKind, called_stale_after, ticket_message_send
from queueing.models import CURRENT_STATUSES, Ticket, TicketEventKind, TicketStatus
from queueing.policy import waiting_order
from queueing.selectors import queue_of
from queueing.services.common import office_today, ticket_event_log
from queueing.services.counters import current_ticket, require_open


def call_next(*, counter: Counter, staff: User, now: datetime | None = None) -> Ticket | None:
    """Call the next waiting ticket this counter may serve, by the queue policy.

    The candidate row is locked with SELECT … FOR UPDATE SKIP LOCKED, so counters calling
    at the same moment each get a different ticket and none waits for another; the
    conditional UPDATE (still waiting) and the one-current-ticket index make a double
    call impossible. Returns None when nobody is waiting."""
    now = now or timezone.now()
    require_open(counter, staff)
    office = counter.office
    with transaction.atomic():
        if current_ticket(counter) is not None:
            raise ApplicationError(
                "counter_busy", _("Finish the current ticket first."), status_code=409
            )
        # Lock only the ticket row (`of=self`): locking the joined rows too would let
        # one counter's lock on a shared office-service row hide every ticket of that
        # service from the others, whose SKIP LOCKED would then see an empty queue.
        skills = OfficeService.objects.filter(office=office, service__in=counter.services.all())
        # Select only the id: with FOR UPDATE, PostgreSQL sorts every candidate row it
        # returns, and whole rows made that sort ~4x slower with thousands waiting.
        candidate_id = (
            Ticket.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                office=office,
                local_date=office_today(office, now).date(),
                status=TicketStatus.WAITING,
                office_service__in=skills,
            )
            .order_by(*waiting_order(now, office.queue_starvation_minutes))
            .values_list("pk", flat=True)
            .first()
        )
        if candidate_id is None:
            return None
        candidate = Ticket.objects.get(pk=candidate_id)  # already locked by this transaction
        return _call(candidate, counter, staff, now, TicketEventKind.CALLED)


def call_ticket(
    *, counter: Counter, ticket: Ticket, staff: User, now: datetime | None = None
) -> Ticket:
    """Call one particular waiting ticket (the clerk picked it from the list)."""
    now = now or timezone.now()
    require_open(counter, staff)
    if ticket.office_id != counter.office_id:
        raise ApplicationError(
            "other_office", _("This ticket belongs to another office."), status_code=404
        )
    with transaction.atomic():
        if current_ticket(counter) is not None:
            raise ApplicationError(
                "counter_busy", _("Finish the current ticket first."), status_code=409
            )
        return _call(ticket, counter, staff, now, TicketEventKind.CALLED)


def _call(ticket: Ticket, counter: Counter, staff: User, now: datetime, kind: str) -> Ticket:
    try:
        with transaction.atomic():
            called = Ticket.objects.filter(pk=ticket.pk, status=TicketStatus.WAITING).update(
                status=TicketStatus.CALLED, counter=counter, called_at=now
            )
    except IntegrityError:
        raise ApplicationError(
            "counter_busy", _("Finish the current ticket first."), status_code=409
        ) from None
    if not called:
        raise ApplicationError(
            "not_waiting",
            _("This ticket is no longer waiting: another counter may have called it."),
            status_code=409,
        )
    ticket.refresh_from_db()
    ticket_event_log(ticket, kind, now, counter=counter, staff=staff)
    _tell_called(ticket, counter, now)
    return ticket


def _tell_called(ticket: Ticket, counter: Counter, now: datetime) -> None:
    """ "Go to counter N" to the called citizen, and "almost your turn" to those now
    near the front (worked out after commit, off the counter's request)."""
    ticket_message_send(
        ticket=ticket,
        kind=TicketMessageKind.CALLED,
        context={"counter": counter.number},
        occasion=f"{counter.pk}:{ticket.recalls}:{now.isoformat()}",
        stale_after=called_stale_after(now),
    )
    if settings.GILIRAN_TURN_NEAR_AHEAD:
        from queueing.tasks import notify_turn_near

        office_service_id = ticket.office_service_id
        transaction.on_commit(lambda: notify_turn_near.delay(office_service_id), robust=True)


def turn_near_notify(*, office_service: OfficeService, now: datetime | None = None) -> int:
    """Tell each of the first GILIRAN_TURN_NEAR_AHEAD waiting citizens of this queue
    that their turn is near, once per ticket (the outbox key makes repeats no-ops)."""
    now = now or timezone.now()
    ids = queue_of(office_service, now)[: settings.GILIRAN_TURN_NEAR_AHEAD]
    tickets = Ticket.objects.select_related("office", "office_service__service", "booking").in_bulk(
        ids
    )
    told = 0
    with transaction.atomic():
        for ahead, pk in enumerate(ids):
            ticket = tickets[pk]
            if ticket_message_send(
                ticket=ticket, kind=TicketMessageKind.TURN_NEAR, context={"ahead": ahead}
            ):
                told += 1
    return told


class NoShowUnconfirmed(ApplicationError):
    """A no-show asked without confirmation: nothing changed. `ticket` is the counter's
    current ticket, the one a confirmation must name."""

    def __init__(self, ticket: Ticket) -> None:
        number = ticket.display_number
        super().__init__(
            "confirm_required",
            _(
                "Mark number %(number)s as a no-show? The citizen leaves the queue and needs "
                "a new number. Confirm to go ahead."
            )
            % {"number": number},
            status_code=409,
            extra={"ticket": number},
        )
        self.ticket = ticket


def _refuse_if_not(expected: Ticket | None, current: Ticket) -> None:
    """The clerk confirmed `expected`: refuse if the counter's current ticket is another."""
    if expected is not None and expected.pk != current.pk:
        raise ApplicationError(
            "ticket_changed",
            _("Number %(number)s is no longer this counter's ticket: nothing was done.")
            % {"number": expected.display_number},
            status_code=409,
        )


def _change(
    *,
    counter: Counter,
    staff: User,
    now: datetime | None,
    allowed_from: Sequence[str],
    to: str,
    kind: str,
    updates: dict[str, object] | None = None,
    details: dict[str, object] | None = None,
    expected: Ticket | None = None,
) -> Ticket:
    """Move the counter's current ticket from one of `allowed_from` to `to`; if the
    clerk named the ticket (`expected`), only that one."""
    now = now or timezone.now()
    require_office_role(staff, counter.office_id, at_least=Role.CLERK)
    with transaction.atomic():
        ticket = current_ticket(counter)
        if ticket is None:
            raise ApplicationError(
                "no_current_ticket", _("This counter has no ticket at the moment."), status_code=409
            )
        _refuse_if_not(expected, ticket)
        changed = Ticket.objects.filter(
            pk=ticket.pk, counter=counter, status__in=allowed_from
        ).update(status=to, **(updates or {}))
        if not changed:
            raise ApplicationError(
                "wrong_state",
                _("This ticket cannot do that now (it is %(status)s).")
                % {"status": ticket.get_status_display()},
                status_code=409,
            )
        ticket_event_log(ticket, kind, now, counter=counter, staff=staff, **(details or {}))
    ticket.refresh_from_db()
    return ticket


def ticket_recall(
    *,
    counter: Counter,
    staff: User,
    now: datetime | None = None,
    confirmed: bool = False,
    ticket: Ticket | None = None,
) -> Ticket:
    """Call the current ticket again; past the office's recall limit it becomes a no-show,
    which needs the clerk's confirmation like any other (ticket_no_show)."""
    now = now or timezone.now()
    current = current_ticket(counter)
    if current is not None and current.recalls >= counter.office.queue_max_recalls:
        return ticket_no_show(
            counter=counter, staff=staff, now=now, confirmed=confirmed, ticket=ticket
        )
    recalled = _change(
        counter=counter,
        staff=staff,
        now=now,
        allowed_from=[TicketStatus.CALLED],
        to=TicketStatus.CALLED,
        kind=TicketEventKind.RECALLED,
        updates={"recalls": F("recalls") + 1, "called_at": now},
    )
    _tell_called(recalled, counter, now)
    return recalled


def ticket_start(*, counter: Counter, staff: User, now: datetime | None = None) -> Ticket:
    now = now or timezone.now()
    return _change(
        counter=counter,
        staff=staff,
        now=now,
        allowed_from=[TicketStatus.CALLED],
        to=TicketStatus.SERVING,
        kind=TicketEventKind.SERVING,
        updates={"serving_at": now},
    )


def ticket_finish(*, counter: Counter, staff: User, now: datetime | None = None) -> Ticket:
    """Served: the citizen is asked one question about the service (survey page)."""
    now = now or timezone.now()
    with transaction.atomic():
        finished = _change(
            counter=counter,
            staff=staff,
            now=now,
            allowed_from=[TicketStatus.SERVING],
            to=TicketStatus.FINISHED,
            kind=TicketEventKind.FINISHED,
            updates={"finished_at": now},
        )
        survey = reverse("ticket-survey", kwargs={"token": finished.public_token})
        ticket_message_send(
            ticket=finished,
            kind=TicketMessageKind.SURVEY,
            context={"survey_url": settings.GILIRAN_SITE_URL + survey},
        )
    return finished


def ticket_no_show(
    *,
    counter: Counter,
    staff: User,
    confirmed: bool,
    ticket: Ticket | None = None,
    now: datetime | None = None,
) -> Ticket:
    """The called citizen did not come: their ticket ends (no message is sent).

    Only when `confirmed`: otherwise NoShowUnconfirmed names the ticket to ask about and
    nothing changes. `ticket`, the one the clerk confirmed, must still be the counter's
    current ticket; the change is a conditional UPDATE of that row while it is called."""
    now = now or timezone.now()
    current = current_ticket(counter)
    if current is not None and current.status == TicketStatus.CALLED:
        _refuse_if_not(ticket, current)
        if not confirmed:
            raise NoShowUnconfirmed(current)
    return _change(
        counter=counter,
        staff=staff,
        now=now,
        allowed_from=[TicketStatus.CALLED],
        to=TicketStatus.NO_SHOW,
        kind=TicketEventKind.NO_SHOW,
        updates={"finished_at": now},
        expected=ticket or current,  # the ticket asked about, never one called since
    )


def ticket_park(*, counter: Counter, staff: User, now: datetime | None = None) -> Ticket:
    """Set the current ticket aside (a missing document); it keeps its place in the queue."""
    return _change(
        counter=counter,
        staff=staff,
        now=now,
        allowed_from=CURRENT_STATUSES,
        to=TicketStatus.PARKED,
        kind=TicketEventKind.PARKED,
        updates={"counter": None},
    )


def ticket_transfer(
    *, counter: Counter, staff: User, to_service: OfficeService, now: datetime | None = None
) -> Ticket:
    """Send the current ticket to another service's queue, keeping its original time."""
    if to_service.office_id != counter.office_id or not to_service.is_active:
        raise ApplicationError(
            "other_office",
            _("Choose a service of this office."),
            fields={"service": [_("Choose a service of this office.")]},
        )
    ticket = current_ticket(counter)
    if ticket is not None and ticket.office_service_id == to_service.pk:
        # It would only go back to the end of the same line's calling order, as a
        # transfer in the log: the citizen gains nothing and the record says something false.
        message = _("This ticket is already in that service's queue. Choose another service.")
        raise ApplicationError("same_service", message, fields={"service": [message]})
    return _change(
        counter=counter,
        staff=staff,
        now=now,
        allowed_from=CURRENT_STATUSES,
        to=TicketStatus.WAITING,
        kind=TicketEventKind.TRANSFERRED,
        updates={"counter": None, "office_service": to_service, "called_at": None, "recalls": 0},
        details={
            "from": ticket.office_service.service.code if ticket else "",
            "to": to_service.service.code,
        },
    )


def ticket_unpark(*, ticket: Ticket, staff: User, now: datetime | None = None) -> Ticket:
    """A parked ticket returns to the queue at its original place."""
    now = now or timezone.now()
    require_office_role(staff, ticket.office_id, at_least=Role.CLERK)
    with transaction.atomic():
        if not Ticket.objects.filter(pk=ticket.pk, status=TicketStatus.PARKED).update(
            status=TicketStatus.WAITING
        ):
            raise ApplicationError(
                "wrong_state", _("Only a parked ticket can return to the queue."), status_code=409
            )
        ticket_event_log(ticket, TicketEventKind.UNPARKED, now, staff=staff)
    ticket.refresh_from_db()
    return ticket
