"""Counters: their open/paused/closed status and the ticket each is serving."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError
from offices.models import Counter, Role
from offices.permissions import require_office_role
from queueing.models import CURRENT_STATUSES, CounterState, CounterStatus, Ticket


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


def require_open(counter: Counter, staff: User) -> None:
    require_office_role(staff, counter.office_id, at_least=Role.CLERK)
    if _counter_state(counter).status != CounterStatus.OPEN:
        raise ApplicationError("counter_not_open", _("Open the counter first."), status_code=409)


def current_ticket(counter: Counter) -> Ticket | None:
    return (
        Ticket.objects.filter(counter=counter, status__in=CURRENT_STATUSES)
        .select_related("office_service")
        .first()
    )
