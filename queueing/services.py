"""Everything that changes a ticket or a counter. Each function is one transaction; each
ticket change is a conditional UPDATE from the states it may come from, plus one row
in the append-only TicketEvent log. A refused action raises ApplicationError and
changes nothing."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booking.models import Booking, BookingStatus, Counter, Office, OfficeService, Role
from booking.permissions import require_office_role
from booking.selectors.catalog import closed_days
from core.errors import ApplicationError
from core.message_budget import message_budget_spend
from core.timezones import format_local_time
from notifications.models import MessageKind
from notifications.services.citizen import (
    called_stale_after,
    ticket_message_send,
    ticket_recipient,
)
from queueing.models import (
    CURRENT_STATUSES,
    CounterState,
    CounterStatus,
    ServiceRating,
    Ticket,
    TicketEvent,
    TicketEventKind,
    TicketSequence,
    TicketSource,
    TicketStatus,
)
from queueing.policy import waiting_order
from queueing.selectors import estimate_wait, queue_of, ticket_outlook
from scheduling.models import DayPlan

WALK_IN_SOURCES = [TicketSource.KIOSK, TicketSource.REMOTE, TicketSource.STAFF]
OPEN_STATUSES = [
    TicketStatus.WAITING,
    TicketStatus.CALLED,
    TicketStatus.SERVING,
    TicketStatus.PARKED,
]


def office_today(office: Office, now: datetime) -> datetime:
    return now.astimezone(office.zone)


def _next_number(office: Office, day: date, letter: str) -> int:
    """Take the next number for (office, day, letter) under a row lock (call in a transaction)."""
    try:
        with transaction.atomic():
            TicketSequence.objects.get_or_create(office=office, local_date=day, letter=letter)
    except IntegrityError:
        pass  # created by a parallel request meanwhile
    sequence = TicketSequence.objects.select_for_update().get(
        office=office, local_date=day, letter=letter
    )
    sequence.last_number = F("last_number") + 1
    sequence.save(update_fields=["last_number"])
    sequence.refresh_from_db(fields=["last_number"])
    return sequence.last_number


def _log(ticket: Ticket, kind: str, now: datetime, *, counter: Counter | None = None,
         staff: User | None = None, **details: object) -> None:  # fmt: skip
    TicketEvent.objects.create(
        ticket=ticket, kind=kind, at=now, counter=counter, staff=staff, details=details
    )


def ticket_issue(
    *,
    office_service: OfficeService,
    source: str,
    now: datetime | None = None,
    booking: Booking | None = None,
    priority_group: str = "",
    staff: User | None = None,
    contact_phone: str = "",
    contact_email: str = "",
    language: str = "id",
) -> Ticket:
    """Give a number A-001, A-002… per office, office day and letter. Walk-ins count
    against the office-service's daily walk-in quota, checked under the same lock that
    hands out the number, so parallel kiosks cannot overshoot it."""
    now = now or timezone.now()
    office = office_service.office
    local = office_today(office, now)
    day = local.date()
    if source == TicketSource.REMOTE:
        _refuse_if_closed(office, local)
    with transaction.atomic():
        if source in (TicketSource.REMOTE, TicketSource.KIOSK) and contact_phone:
            # Anyone can type any number: it counts against the citizens' SMS budget.
            message_budget_spend(channel="sms", phone=contact_phone, now=now)
        number = _next_number(office, day, office_service.ticket_letter)
        limit = _walk_in_limit(office_service, day) if source in WALK_IN_SOURCES else 0
        if limit:
            issued = Ticket.objects.filter(
                office_service=office_service, local_date=day, source__in=WALK_IN_SOURCES
            ).count()
            if issued >= limit + _no_show_places(office_service, day):
                raise ApplicationError(
                    "walk_in_quota_reached",
                    _(
                        "Today's walk-in numbers for this service are all taken. Please book an appointment."
                    ),
                    status_code=409,
                )
        ticket = Ticket.objects.create(
            office=office,
            office_service=office_service,
            local_date=day,
            letter=office_service.ticket_letter,
            number=number,
            source=source,
            booking=booking,
            priority_group=priority_group,
            queued_at=now,
            # A late arrival turned walk-in queues as a walk-in, not by its appointment.
            appointment_at=booking.slot.starts_at
            if booking and source == TicketSource.APPOINTMENT
            else None,
            public_token=secrets.token_urlsafe(16),
            contact_phone=contact_phone,
            contact_email=contact_email,
            language=language,
        )
        estimate = estimate_wait(ticket, now)
        if estimate is not None:
            Ticket.objects.filter(pk=ticket.pk).update(
                estimate_low_minutes=estimate.low_minutes,
                estimate_high_minutes=estimate.high_minutes,
            )
        _log(ticket, TicketEventKind.ISSUED, now, staff=staff, source=source)
        if ticket_recipient(ticket) is not None:
            ticket_message_send(
                ticket=ticket, kind=MessageKind.QUEUED,
                context={"ahead": ticket_outlook(ticket, now).ahead or 0},
            )  # fmt: skip
    return ticket


def _walk_in_limit(office_service: OfficeService, day: date) -> int:
    """Walk-in numbers the day can take: the day plan's walk-in capacity where the
    optimiser planned the day, else the office-service's fixed quota (0: no limit)."""
    plan = DayPlan.objects.filter(office_id=office_service.office_id, local_date=day).first()
    planned = plan.walk_in_capacity(office_service.service.code) if plan else None
    return office_service.walk_in_daily_quota if planned is None else max(planned, 1)


def _no_show_places(office_service: OfficeService, day: date) -> int:
    """Appointments released as no-shows today: their places go to walk-ins."""
    return Booking.objects.filter(
        slot__office_service=office_service, slot__local_date=day, status=BookingStatus.NO_SHOW
    ).count()


def _refuse_if_closed(office: Office, local: datetime) -> None:
    """Numbers from a phone only while the office is open today (not on a holiday)."""
    hours = office.opening_hours.filter(weekday=local.weekday()).first()
    closed = closed_days(office, local.date(), local.date())
    if hours is None or closed or not (hours.opens_at <= local.time() < hours.closes_at):
        raise ApplicationError(
            "office_closed",
            _("The office is closed now. Same-day numbers are given while it is open."),
            status_code=409,
        )


def _unknown_booking() -> ApplicationError:
    return ApplicationError(
        "unknown_booking",
        _(
            "No confirmed booking at this office has this code. Check the code and the "
            "office in your booking message, or ask the staff."
        ),
        status_code=409,
    )


def check_in(
    *, office: Office, code: str, now: datetime | None = None, staff: User | None = None
) -> Ticket:
    """Turn today's confirmed booking into a ticket, inside its check-in window. A late
    arrival becomes a walk-in or is refused, as the office-service says."""
    now = now or timezone.now()
    booking = (
        Booking.objects.select_related(
            "slot__office_service__office", "slot__office_service__service"
        )
        .filter(code="".join(code.split()).upper())
        .first()
    )
    # A code unknown here and any code of another office, whatever its state or time
    # there, get one and the same answer: a kiosk or counter of this office learns
    # nothing about bookings elsewhere. Only this office's bookings are told apart.
    if booking is None or booking.slot.office_service.office_id != office.pk:
        raise _unknown_booking()
    if booking.status == BookingStatus.ATTENDED:
        raise ApplicationError(
            "already_checked_in", _("This booking is already checked in."), status_code=409
        )
    if booking.status == BookingStatus.NO_SHOW:
        raise ApplicationError(
            "released_as_no_show",
            _("Check-in for this booking has closed and its place was released. Please take a walk-in number."),
            status_code=409,
        )  # fmt: skip
    if booking.status != BookingStatus.CONFIRMED:
        raise _unknown_booking()
    office_service = booking.slot.office_service
    if Ticket.objects.filter(booking=booking).exists():
        raise ApplicationError(
            "already_checked_in", _("This booking is already checked in."), status_code=409
        )
    starts = booking.slot.starts_at
    opens = starts - timedelta(minutes=office_service.checkin_opens_minutes)
    closes = starts + timedelta(minutes=office_service.checkin_closes_minutes)
    local_day = office_today(office, now).date()
    if booking.slot.local_date != local_day or now < opens:
        raise ApplicationError(
            "too_early",
            _("Check-in for this booking opens at %(time)s on its day.")
            % {"time": format_local_time(opens, office.zone)},
            status_code=409,
        )
    source, booked = TicketSource.APPOINTMENT, booking
    if now > closes:
        if office_service.late_arrival != "walk_in":
            raise ApplicationError(
                "too_late", _("Check-in for this booking closed at %(time)s.")
                % {"time": format_local_time(closes, office.zone)},
                status_code=409,
            )  # fmt: skip
        source = TicketSource.STAFF if staff else TicketSource.KIOSK
    try:
        with transaction.atomic():
            if not Booking.objects.filter(pk=booking.pk, status=BookingStatus.CONFIRMED).update(
                status=BookingStatus.ATTENDED
            ):
                raise ApplicationError(
                    "already_checked_in", _("This booking is already checked in."), status_code=409
                )
            return ticket_issue(
                office_service=office_service,
                source=source,
                now=now,
                booking=booked,
                priority_group=booking.priority_group,
                staff=staff,
                contact_phone=booking.phone,
                contact_email=booking.email,
                language=booking.language,
            )
    except IntegrityError:
        raise ApplicationError(
            "already_checked_in", _("This booking is already checked in."), status_code=409
        ) from None


# --- counters ---------------------------------------------------------------------


def _counter_state(counter: Counter) -> CounterState:
    state, _created = CounterState.objects.get_or_create(counter=counter)
    return state


def counter_set_status(*, counter: Counter, status: str, staff: User) -> CounterState:
    require_office_role(staff, counter.office_id, at_least=Role.CLERK)
    if status not in CounterStatus.values:
        raise ApplicationError("invalid", _("Unknown counter status."))
    state = _counter_state(counter)
    CounterState.objects.filter(pk=state.pk).update(
        status=status, staff=staff, changed_at=timezone.now()
    )
    state.refresh_from_db()
    return state


def _require_open(counter: Counter, staff: User) -> None:
    require_office_role(staff, counter.office_id, at_least=Role.CLERK)
    if _counter_state(counter).status != CounterStatus.OPEN:
        raise ApplicationError("counter_not_open", _("Open the counter first."), status_code=409)


def current_ticket(counter: Counter) -> Ticket | None:
    return (
        Ticket.objects.filter(counter=counter, status__in=CURRENT_STATUSES)
        .select_related("office_service")
        .first()
    )


def call_next(*, counter: Counter, staff: User, now: datetime | None = None) -> Ticket | None:
    """Call the next waiting ticket this counter may serve, by the queue policy.

    The candidate row is locked with SELECT … FOR UPDATE SKIP LOCKED, so counters calling
    at the same moment each get a different ticket and none waits for another; the
    conditional UPDATE (still waiting) and the one-current-ticket index make a double
    call impossible. Returns None when nobody is waiting."""
    now = now or timezone.now()
    _require_open(counter, staff)
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
    _require_open(counter, staff)
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
    _log(ticket, kind, now, counter=counter, staff=staff)
    _tell_called(ticket, counter, now)
    return ticket


def _tell_called(ticket: Ticket, counter: Counter, now: datetime) -> None:
    """ "Go to counter N" to the called citizen, and "almost your turn" to those now
    near the front (worked out after commit, off the counter's request)."""
    ticket_message_send(
        ticket=ticket, kind=MessageKind.CALLED, context={"counter": counter.number},
        occasion=f"{counter.pk}:{ticket.recalls}:{now.isoformat()}", stale_after=called_stale_after(now),
    )  # fmt: skip
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
                ticket=ticket, kind=MessageKind.TURN_NEAR, context={"ahead": ahead}
            ):
                told += 1
    return told


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
) -> Ticket:
    """Move the counter's current ticket from one of `allowed_from` to `to`."""
    now = now or timezone.now()
    require_office_role(staff, counter.office_id, at_least=Role.CLERK)
    with transaction.atomic():
        ticket = current_ticket(counter)
        if ticket is None:
            raise ApplicationError(
                "no_current_ticket", _("This counter has no ticket at the moment."), status_code=409
            )
        changed = Ticket.objects.filter(
            pk=ticket.pk, counter=counter, status__in=allowed_from
        ).update(status=to, **(updates or {}))
        if not changed:
            raise ApplicationError(
                "wrong_state", _("This ticket cannot do that now (it is %(status)s).")
                % {"status": ticket.get_status_display()}, status_code=409,
            )  # fmt: skip
        _log(ticket, kind, now, counter=counter, staff=staff, **(details or {}))
    ticket.refresh_from_db()
    return ticket


def ticket_recall(*, counter: Counter, staff: User, now: datetime | None = None) -> Ticket:
    """Call the current ticket again; past the office's recall limit it becomes a no-show."""
    now = now or timezone.now()
    ticket = current_ticket(counter)
    if ticket is not None and ticket.recalls >= counter.office.queue_max_recalls:
        return ticket_no_show(counter=counter, staff=staff, now=now)
    recalled = _change(
        counter=counter, staff=staff, now=now, allowed_from=[TicketStatus.CALLED], to=TicketStatus.CALLED,
        kind=TicketEventKind.RECALLED, updates={"recalls": F("recalls") + 1, "called_at": now},
    )  # fmt: skip
    _tell_called(recalled, counter, now)
    return recalled


def ticket_start(*, counter: Counter, staff: User, now: datetime | None = None) -> Ticket:
    now = now or timezone.now()
    return _change(
        counter=counter, staff=staff, now=now, allowed_from=[TicketStatus.CALLED], to=TicketStatus.SERVING,
        kind=TicketEventKind.SERVING, updates={"serving_at": now},
    )  # fmt: skip


def ticket_finish(*, counter: Counter, staff: User, now: datetime | None = None) -> Ticket:
    """Served: the citizen is asked one question about the service (survey page)."""
    now = now or timezone.now()
    with transaction.atomic():
        finished = _change(
            counter=counter, staff=staff, now=now, allowed_from=[TicketStatus.SERVING], to=TicketStatus.FINISHED,
            kind=TicketEventKind.FINISHED, updates={"finished_at": now},
        )  # fmt: skip
        survey = reverse("ticket-survey", kwargs={"token": finished.public_token})
        ticket_message_send(
            ticket=finished, kind=MessageKind.SURVEY,
            context={"survey_url": settings.GILIRAN_SITE_URL + survey},
        )  # fmt: skip
    return finished


def ticket_no_show(*, counter: Counter, staff: User, now: datetime | None = None) -> Ticket:
    now = now or timezone.now()
    return _change(
        counter=counter, staff=staff, now=now, allowed_from=[TicketStatus.CALLED], to=TicketStatus.NO_SHOW,
        kind=TicketEventKind.NO_SHOW, updates={"finished_at": now},
    )  # fmt: skip


def ticket_park(*, counter: Counter, staff: User, now: datetime | None = None) -> Ticket:
    """Set the current ticket aside (a missing document); it keeps its place in the queue."""
    return _change(
        counter=counter, staff=staff, now=now, allowed_from=CURRENT_STATUSES, to=TicketStatus.PARKED,
        kind=TicketEventKind.PARKED, updates={"counter": None},
    )  # fmt: skip


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
    return _change(
        counter=counter, staff=staff, now=now, allowed_from=CURRENT_STATUSES, to=TicketStatus.WAITING,
        kind=TicketEventKind.TRANSFERRED,
        updates={"counter": None, "office_service": to_service, "called_at": None, "recalls": 0},
        details={"from": ticket.office_service.service.code if ticket else "", "to": to_service.service.code},
    )  # fmt: skip


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
        _log(ticket, TicketEventKind.UNPARKED, now, staff=staff)
    ticket.refresh_from_db()
    return ticket


def ticket_leave(*, ticket: Ticket, now: datetime | None = None) -> Ticket:
    """The citizen leaves the queue from their phone."""
    now = now or timezone.now()
    with transaction.atomic():
        left = Ticket.objects.filter(
            pk=ticket.pk, status__in=[TicketStatus.WAITING, TicketStatus.PARKED]
        ).update(status=TicketStatus.LEFT, finished_at=now)
        if not left:
            raise ApplicationError(
                "wrong_state",
                _("You can leave only while waiting; please go to your counter."),
                status_code=409,
            )
        _log(ticket, TicketEventKind.LEFT, now)
    ticket.refresh_from_db()
    return ticket


def tickets_close_day(*, office: Office, day: date, now: datetime | None = None) -> int:
    """End of day: tickets still open are closed as not served (logged, once each)."""
    now = now or timezone.now()
    closed = 0
    for ticket in Ticket.objects.filter(office=office, local_date=day, status__in=OPEN_STATUSES):
        with transaction.atomic():
            if Ticket.objects.filter(pk=ticket.pk, status=ticket.status).update(
                status=TicketStatus.NOT_SERVED, finished_at=now, counter=None
            ):
                _log(ticket, TicketEventKind.NOT_SERVED, now)
                closed += 1
    return closed


def ticket_rate(*, ticket: Ticket, score: str, comment: str = "") -> ServiceRating:
    """Store the citizen's one answer about a finished visit; a second answer is refused."""
    if ticket.status != TicketStatus.FINISHED:
        raise ApplicationError(
            "not_served", _("You can rate a visit once it is finished."), status_code=409
        )
    if score not in {"1", "2", "3", "4", "5"}:
        message = _("Choose a score from 1 to 5.")
        raise ApplicationError("invalid_score", message, fields={"score": [message]})
    comment = comment.strip()
    if len(comment) > 1000:
        message = _("A comment can have at most 1000 characters.")
        raise ApplicationError("comment_too_long", message, fields={"comment": [message]})
    try:
        with transaction.atomic():
            return ServiceRating.objects.create(ticket=ticket, score=int(score), comment=comment)
    except IntegrityError:
        raise ApplicationError(
            "already_rated", _("Thank you, this visit has already been rated."), status_code=409
        ) from None


def tickets_close_past_days(*, office: Office, now: datetime | None = None) -> int:
    """Close what is still open from the office's earlier days (run after midnight)."""
    now = now or timezone.now()
    today = office_today(office, now).date()
    days = (
        Ticket.objects.filter(office=office, local_date__lt=today, status__in=OPEN_STATUSES)
        .values_list("local_date", flat=True)
        .distinct()
    )
    return sum(tickets_close_day(office=office, day=day, now=now) for day in sorted(set(days)))


def waiting_filter(office: Office, now: datetime) -> Q:
    return Q(
        office=office, local_date=office_today(office, now).date(), status=TicketStatus.WAITING
    )
