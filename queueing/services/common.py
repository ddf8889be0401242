"""What every queue service shares: the office's local time and the ticket event log."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import User

from offices.models import Counter, Office
from queueing.models import Ticket, TicketEvent


def office_today(office: Office, now: datetime) -> datetime:
    return now.astimezone(office.zone)


def ticket_event_log(
    ticket: Ticket,
    kind: str,
    now: datetime,
    *,
    counter: Counter | None = None,
    staff: User | None = None,
    **details: object,
) -> None:
    TicketEvent.objects.create(
        ticket=ticket, kind=kind, at=now, counter=counter, staff=staff, details=details
    )
