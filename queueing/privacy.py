"""The data map of queue rows, and the anonymiser of past tickets (core/data_map.py).

A ticket's visit day is its `local_date` in its office's zone, the same rule as bookings
(booking/privacy.py). Kept: office, service, day, number, source, status, priority group,
every time (queued, called, served, finished) and the event log, so waits, durations and
the walk-in forecast are unchanged. Erased: the contact, the live-page token and the
survey comment (its score is kept)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.data_map import (
    STAFF_ACTION,
    STAFF_RECORDS,
    VISITS,
    AtEnd,
    Category,
    LegalBasis,
    Personal,
    past_office_days,
    personal_data,
    register_anonymiser,
)
from core.retention import anonymise_batch, erased_token
from queueing.models import (
    OPEN_STATUSES,
    ConsoleShortcuts,
    CounterState,
    KioskDevice,
    ServiceRating,
    Ticket,
    TicketEvent,
)

_TELL = _("tell the citizen when their turn is near and when they are called")

personal_data(
    Ticket,
    fields={
        "contact_phone": Personal(
            category=Category.CONTACT,
            purpose=_TELL,
            basis=LegalBasis.PUBLIC_TASK,
            retention=VISITS,
        ),
        "contact_email": Personal(
            category=Category.CONTACT,
            purpose=_TELL,
            basis=LegalBasis.PUBLIC_TASK,
            retention=VISITS,
        ),
        "public_token": Personal(
            category=Category.TECHNICAL,
            purpose=_("let only this citizen follow their ticket"),
            basis=LegalBasis.PUBLIC_TASK,
            retention=VISITS,
        ),
        "priority_group": Personal(
            category=Category.SPECIFIC,
            purpose=_("serve priority groups first, as public-service rules require"),
            basis=LegalBasis.PUBLIC_TASK,
            retention=VISITS,
            at_end=AtEnd.KEPT,
        ),
    },
)
personal_data(
    TicketEvent,
    fields={"staff": STAFF_ACTION},
    not_personal={"details": _("service codes of a transfer")},
)
personal_data(CounterState, fields={"staff": STAFF_ACTION})
personal_data(
    ConsoleShortcuts,
    fields={
        "user": Personal(
            category=Category.ACCOUNT,
            purpose=_("keep a staff member's keyboard shortcut settings on the counter console"),
            basis=LegalBasis.CONTRACT,
            retention=STAFF_RECORDS,
            at_end=AtEnd.MANUAL,
        )
    },
)
personal_data(
    KioskDevice,
    fields={"created_by": STAFF_ACTION},
    not_personal={
        "name": _("a device's name chosen by the office, e.g. the entrance kiosk"),
        "token_hash": _("a keyed hash of a device's random token, no person behind it"),
    },
)
personal_data(
    ServiceRating,
    fields={
        "comment": Personal(
            category=Category.FREE_TEXT,
            purpose=_("improve the service from citizens' remarks"),
            basis=LegalBasis.PUBLIC_TASK,
            retention=VISITS,
        )
    },
)


def tickets_erase(*, due: QuerySet[Ticket], now: datetime, batch_size: int) -> int:
    """Erase the contact and live-page token of at most `batch_size` tickets of `due`,
    and the comment of their survey answers (the score stays). Used by retention and by
    a citizen's deletion request (privacy/)."""
    return anonymise_batch(
        due=due,
        values={"contact_phone": "", "contact_email": "", "public_token": erased_token()},
        now=now,
        batch_size=batch_size,
        also=lambda ids: ServiceRating.objects.filter(ticket_id__in=ids).update(comment=""),
    )


def anonymise_past_tickets(*, now: datetime, batch_size: int) -> int:
    due = Ticket.objects.exclude(status__in=OPEN_STATUSES).filter(
        past_office_days(
            date_field="local_date",
            zone_field="office__timezone",
            days=VISITS.days or 0,
            now=now,
        )
    )
    return tickets_erase(due=due, now=now, batch_size=batch_size)


register_anonymiser("queueing.Ticket", policy=VISITS, run=anonymise_past_tickets)
