"""Taking a number: the per-office, per-day, per-letter sequence and the walk-in quota,
whose planned part the capacity planner hands down here (`walk_in_capacities_set`)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from booking.models import Booking, BookingStatus
from core.errors import ApplicationError
from core.message_budget import message_budget_spend
from core.timezones import format_local_time
from offices.models import Office, OfficeService
from offices.selectors import office_opening
from queueing.messages import TicketMessageKind, ticket_message_send, ticket_recipient
from queueing.models import (
    WALK_IN_SOURCES,
    Ticket,
    TicketEventKind,
    TicketSequence,
    TicketSource,
    WalkInCapacity,
)
from queueing.selectors import estimate_wait, ticket_outlook
from queueing.services.common import office_today, ticket_event_log

# Numbers a citizen takes alone follow the office's hours; a clerk at the counter may
# give one after closing (someone who arrived in time, a number lost): STAFF is not here.
WALK_IN_RULE_SOURCES = (TicketSource.REMOTE, TicketSource.KIOSK)


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
    if source in WALK_IN_RULE_SOURCES:
        _refuse_if_closed(office_service, now)
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
                        "Today's walk-in numbers for this service are all taken. "
                        "Please book an appointment."
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
        ticket_event_log(ticket, TicketEventKind.ISSUED, now, staff=staff, source=source)
        if ticket_recipient(ticket) is not None:
            ticket_message_send(
                ticket=ticket,
                kind=TicketMessageKind.QUEUED,
                context={"ahead": ticket_outlook(ticket, now).ahead or 0},
            )
    return ticket


def walk_in_capacities_set(*, office: Office, day: date, capacities: Mapping[int, int]) -> None:
    """The planner's walk-in capacity per office-service (id → walk-ins) for one office
    day, replacing what was there: an office-service left out goes back to its fixed
    quota, so `{}` says the optimiser has no plan for the day. The planner calls this in
    the transaction that writes the plan, after the plan row's UPDATE, whose row lock
    puts two writers of the same day in order."""
    with transaction.atomic():
        WalkInCapacity.objects.filter(office_service__office=office, local_date=day).exclude(
            office_service_id__in=list(capacities)
        ).delete()
        WalkInCapacity.objects.bulk_create(
            [
                WalkInCapacity(office_service_id=pk, local_date=day, capacity=capacity)
                for pk, capacity in sorted(capacities.items())
            ],
            update_conflicts=True,
            unique_fields=["office_service", "local_date"],
            update_fields=["capacity"],
        )


def _walk_in_limit(office_service: OfficeService, day: date) -> int:
    """Walk-in numbers the day can take: the planned walk-in capacity (at least 1) where
    the optimiser planned the day, else the office-service's fixed quota (0: no limit)."""
    planned = (
        WalkInCapacity.objects.filter(office_service=office_service, local_date=day)
        .values_list("capacity", flat=True)
        .first()
    )
    return office_service.walk_in_daily_quota if planned is None else max(planned, 1)


def _no_show_places(office_service: OfficeService, day: date) -> int:
    """Appointments released as no-shows today: their places go to walk-ins."""
    return Booking.objects.filter(
        slot__office_service=office_service, slot__local_date=day, status=BookingStatus.NO_SHOW
    ).count()


def walk_in_closed_message(
    office: Office, now: datetime, *, office_service: OfficeService | None = None
) -> str | None:
    """The one rule for walk-in numbers from a kiosk or a phone: None while the office
    is open by its own clock (offices.selectors.office_opening: weekly hours, holidays,
    cuti bersama, closures) and, for `office_service`, before its last walk-in number
    of the day (`walk_in_until`); else what the citizen is told, with the next opening in
    the office's zone. ticket_issue refuses with it; the kiosk and the phone page show it
    before anyone presses a button."""
    opening = office_opening(office, now)
    if not opening.is_open:
        if opening.next_opens_at is None:
            return str(_("The office is closed now. Same-day numbers are given while it is open."))
        return str(
            _("The office is closed now and gives no numbers. It opens on %(day)s at %(time)s.")
            % _day_and_time(office, opening.next_opens_at)
        )
    if office_service is not None:
        return walk_in_service_ended(office_service, now)
    return None


def walk_in_service_ended(office_service: OfficeService, now: datetime) -> str | None:
    """While the office is open: None until the service's last walk-in number of the day
    (none set: until closing), then what the citizen is told, with the next day's opening."""
    until = office_service.walk_in_until
    office = office_service.office
    if until is None or now.astimezone(office.zone).time() < until:
        return None
    tomorrow = datetime.combine(office.local_date(now) + timedelta(days=1), time(0), office.zone)
    opens = office_opening(office, tomorrow).next_opens_at
    ended = {"until": format_local_time(until, office.zone)}
    if opens is None:
        return str(_("Today's walk-in numbers for this service ended at %(until)s.") % ended)
    return str(
        _(
            "Today's walk-in numbers for this service ended at %(until)s. They are given "
            "again on %(day)s from %(time)s."
        )
        % {**ended, **_day_and_time(office, opens)}
    )


def _day_and_time(office: Office, moment: datetime) -> dict[str, str]:
    local = moment.astimezone(office.zone)
    return {"day": date_format(local, "l, j F Y"), "time": format_local_time(local, office.zone)}


def _refuse_if_closed(office_service: OfficeService, now: datetime) -> None:
    closed = walk_in_closed_message(office_service.office, now)
    if closed is not None:
        raise ApplicationError("office_closed", closed, status_code=409)
    ended = walk_in_service_ended(office_service, now)
    if ended is not None:
        raise ApplicationError("walk_ins_ended", ended, status_code=409)
