"""End of an office day: tickets still open are closed as not served."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from offices.models import Office
from queueing.models import OPEN_STATUSES, Ticket, TicketEventKind, TicketStatus
from queueing.services.common import office_today, ticket_event_log


def tickets_close_day(*, office: Office, day: date, now: datetime | None = None) -> int:
    """End of day: tickets still open are closed as not served (logged, once each)."""
    now = now or timezone.now()
    closed = 0
    for ticket in Ticket.objects.filter(office=office, local_date=day, status__in=OPEN_STATUSES):
        with transaction.atomic():
            if Ticket.objects.filter(pk=ticket.pk, status=ticket.status).update(
                status=TicketStatus.NOT_SERVED, finished_at=now, counter=None
            ):
                ticket_event_log(ticket, TicketEventKind.NOT_SERVED, now)
                closed += 1
    return closed


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
