"""What the citizen does with their ticket from their phone: leave the queue, rate the visit."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError
from queueing.ikm import ELEMENT_KEYS
from queueing.models import ServiceRating, Ticket, TicketEventKind, TicketStatus
from queueing.services.common import ticket_event_log


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
        ticket_event_log(ticket, TicketEventKind.LEFT, now)
    ticket.refresh_from_db()
    return ticket


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


def ticket_ikm_answer(
    *, ticket: Ticket, answers: Mapping[str, str], now: datetime | None = None
) -> ServiceRating:
    """Store the nine IKM elements after the one-tap score (queueing/ikm.py): each 1–4
    or left empty (skipped), at least one answered, once per visit."""
    now = now or timezone.now()
    chosen: dict[str, int] = {}
    for key in ELEMENT_KEYS:
        answer = str(answers.get(key, "")).strip()
        if answer in {"1", "2", "3", "4"}:
            chosen[f"ikm_{key}"] = int(answer)
        elif answer:
            message = _("Choose an answer from 1 to 4, or skip the question.")
            raise ApplicationError("invalid_answer", message, fields={key: [message]})
    if not chosen:
        raise ApplicationError(
            "no_answer", _("Answer at least one question, or simply close this page.")
        )
    with transaction.atomic():
        answered = ServiceRating.objects.filter(ticket=ticket, ikm_answered_at__isnull=True).update(
            **chosen, ikm_answered_at=now
        )
        if not answered:
            if not ServiceRating.objects.filter(ticket=ticket).exists():
                raise ApplicationError(
                    "not_rated",
                    _("Rate the visit first, then the questions follow."),
                    status_code=409,
                )
            raise ApplicationError(
                "already_answered",
                _("Thank you, these questions have already been answered."),
                status_code=409,
            )
    return ServiceRating.objects.get(ticket=ticket)
