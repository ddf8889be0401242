"""Who is called next: the one ordering of waiting tickets (docs/queue-policy.md).

1. A ticket that has waited longer than the office's starvation bound goes first,
   oldest first, whatever its kind: nobody waits forever.
2. Then checked-in appointments whose time has come.
3. Then, within each kind, the priority groups (elderly, disability, pregnancy, infants).
4. Otherwise first come, first served by the time the ticket joined the queue. An
   appointment that checked in early queues as if it arrived at its appointment time; a
   parked or transferred ticket keeps its original place.

The order is a SQL ORDER BY, so the database picks the next ticket in the same statement
that locks it; tests and the simulator exercise this very expression."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Case, F, IntegerField, OrderBy, Q, Value, When
from django.db.models.functions import Coalesce, Greatest


def place_in_queue() -> Greatest:
    """When a ticket counts as having joined the queue."""
    return Greatest(F("queued_at"), Coalesce(F("appointment_at"), F("queued_at")))


def waiting_order(now: datetime, starvation_minutes: int) -> list[OrderBy | F]:
    starved_before = now - timedelta(minutes=starvation_minutes)
    rank = IntegerField()
    return [
        Case(
            When(Q(queued_at__lt=starved_before), then=Value(0)),
            default=Value(1),
            output_field=rank,
        ).asc(),
        Case(
            When(Q(appointment_at__lte=now), then=Value(0)), default=Value(1), output_field=rank
        ).asc(),
        Case(When(~Q(priority_group=""), then=Value(0)), default=Value(1), output_field=rank).asc(),
        place_in_queue().asc(),
        F("pk").asc(),
    ]
