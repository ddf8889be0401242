"""The staff side of a handoff (assistant/handoff.py hands a conversation over): the
inbox of the conversations waiting for a person at the offices a staff member works
at, and the three things staff do with one: take it, reply, close it.

Who: anyone with a role at the conversation's office, counter staff and up
(offices.permissions.offices_for); a supervisor of several offices sees all of them.
Each step locks the conversation's row (SELECT … FOR UPDATE), as message_receive does
for a citizen's message, so a step and a citizen's message, or two staff members'
steps, happen one after the other: the second taker is told who has it.

A person's reply is a Turn (author staff). On Telegram, WhatsApp and SMS it is queued in
the outbox in the same transaction (assistant.outbound.reply_queue); on the web chat and
the API the citizen's chat fetches it (`assistant.selectors.turns_after`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assistant.models import OPEN_HANDOFFS, OUTBOX_CHANNELS, Author, Conversation, Handoff, Turn
from assistant.outbound import reply_queue
from core import personal_data
from core.errors import ApplicationError
from core.timezones import format_duration, format_local_time
from offices.permissions import AnyUser, offices_for

REPLY_MAX_LENGTH = 2000


# --- Reading ----------------------------------------------------------------------------


def handoffs_for_staff(user: AnyUser) -> QuerySet[Conversation]:
    """The conversations waiting for a person or with one, at the offices where `user`
    is counter staff or above: the one whose answer is due first comes first."""
    return (
        Conversation.objects.filter(handoff__in=OPEN_HANDOFFS, office__in=offices_for(user))
        .select_related("office", "assigned_to")
        .order_by("handoff_due_at", "pk")
    )


def handoff_for_staff(user: AnyUser, conversation_id: int) -> Conversation | None:
    """The conversation if `user` works at its office (whatever its handoff state, so a
    closed one stays readable); None otherwise, which pages answer with 404."""
    return (
        Conversation.objects.filter(pk=conversation_id, office__in=offices_for(user))
        .exclude(handoff=Handoff.NONE)
        .select_related("office", "assigned_to")
        .first()
    )


@dataclass(frozen=True)
class Timer:
    """A handoff's answer deadline as staff read it, in the active language."""

    waiting: str  # "12 menit": since the handoff
    due_at: str  # "14:05 WIB": the deadline in the office's zone
    text: str  # "due in 3 minutes" / "overdue by 2 minutes"
    overdue: bool


def _whole_minutes(length: timedelta) -> timedelta:
    return timedelta(minutes=length // timedelta(minutes=1))


def handoff_timer(conversation: Conversation, now: datetime) -> Timer:
    """How long the citizen has waited and how long until (or since) the answer was due,
    in the office's zone and the active language."""
    since = conversation.handoff_at or now
    due = conversation.handoff_due_at or now
    zone = conversation.office.timezone if conversation.office else "Asia/Jakarta"
    overdue = due <= now
    left = format_duration(_whole_minutes(abs(due - now)))
    if overdue:
        text = _("overdue by %(time)s") % {"time": left}
    else:
        text = _("due in %(time)s") % {"time": left}
    return Timer(
        waiting=format_duration(_whole_minutes(max(now - since, timedelta(0)))),
        due_at=format_local_time(due, zone),
        text=text,
        overdue=overdue,
    )


# --- Steps ------------------------------------------------------------------------------


def _locked(conversation: Conversation, by: AnyUser) -> Conversation:
    """The conversation re-read under SELECT … FOR UPDATE (call inside a transaction),
    once `by` is known to work at its office."""
    locked = Conversation.objects.select_for_update().filter(pk=conversation.pk).first()
    if locked is None or locked.office_id is None:
        raise ApplicationError(
            "not_found", _("This conversation no longer exists."), status_code=404
        )
    if not offices_for(by).filter(pk=locked.office_id).exists():
        raise ApplicationError(
            "not_your_office",
            _("This conversation belongs to another office."),
            status_code=403,
        )
    if locked.handoff not in OPEN_HANDOFFS:
        raise ApplicationError(
            "handoff_closed",
            _("This conversation is already closed: the assistant answers the citizen again."),
            status_code=409,
        )
    return locked


def _name(user: AbstractBaseUser | None) -> str:
    if user is None:
        return ""
    full = getattr(user, "get_full_name", lambda: "")()
    return str(full or user.get_username())


def _held_by_other(conversation: Conversation, by: AnyUser) -> ApplicationError:
    return ApplicationError(
        "handoff_taken",
        _("%(name)s is already answering this conversation.")
        % {"name": _name(conversation.assigned_to)},
        status_code=409,
    )


def _assign(conversation: Conversation, by: AnyUser) -> None:
    if conversation.assigned_to_id not in (None, by.pk):
        raise _held_by_other(conversation, by)
    conversation.assigned_to_id = by.pk
    conversation.handoff = Handoff.WITH_STAFF


def handoff_take(*, conversation: Conversation, by: AnyUser) -> Conversation:
    """Take a conversation waiting for a person: `by` answers it from now on. Locks the
    conversation's row, so of two staff members taking it at once one wins and the
    other is told who has it (409). Taking one's own conversation again changes
    nothing."""
    with transaction.atomic():
        locked = _locked(conversation, by)
        _assign(locked, by)
        locked.save(update_fields=["assigned_to", "handoff"])
    return locked


def handoff_reply_clean(raw: str) -> str:
    """The reply as the citizen will read it: trimmed, plain text without control
    characters, 1 to REPLY_MAX_LENGTH characters."""
    text = "".join(ch for ch in raw.replace("\r\n", "\n") if ch in "\n\t" or ch.isprintable())
    text = text.strip()
    if not text:
        message = _("Write the reply the citizen will read.")
        raise ApplicationError("reply_empty", message, fields={"text": [message]})
    if len(text) > REPLY_MAX_LENGTH:
        message = _("Keep the reply within %(count)d characters.") % {"count": REPLY_MAX_LENGTH}
        raise ApplicationError("reply_too_long", message, fields={"text": [message]})
    return text


def _send(conversation: Conversation, turn: Turn) -> None:
    """Queue `turn` on the channels that do not wait on an HTTP answer; the web chat and
    the API find it with `assistant.selectors.turns_after`."""
    if conversation.channel in OUTBOX_CHANNELS and conversation.address_encrypted:
        reply_queue(turn=turn, address=personal_data.decrypt(conversation.address_encrypted))


def handoff_reply(
    *, conversation: Conversation, by: AnyUser, text: str, now: datetime | None = None
) -> Turn:
    """A person's reply to the citizen, sent on the conversation's channel. Replying to a
    conversation nobody has taken takes it; one another person has taken is refused
    (409) with their name."""
    now = now or timezone.now()
    words = handoff_reply_clean(text)
    with transaction.atomic():
        locked = _locked(conversation, by)
        _assign(locked, by)
        locked.last_message_at = now
        locked.save(update_fields=["assigned_to", "handoff", "last_message_at"])
        turn = Turn.objects.create(
            conversation=locked, author=Author.STAFF, text=words, staff_id=by.pk, created_at=now
        )
        _send(locked, turn)
    return turn


def handoff_close(
    *, conversation: Conversation, by: AnyUser, now: datetime | None = None
) -> Conversation:
    """Close the handoff: the assistant answers the citizen again, and they are told so
    in their language on their channel. Whoever has it, or anyone at the office when
    nobody has taken it, may close it."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked(conversation, by)
        if locked.assigned_to_id not in (None, by.pk):
            raise _held_by_other(locked, by)
        locked.handoff = Handoff.CLOSED
        locked.assigned_to_id = locked.assigned_to_id or by.pk
        locked.last_message_at = now
        locked.save(update_fields=["handoff", "assigned_to", "last_message_at"])
        with translation.override(locked.language):
            words = _(
                "The staff member has closed this conversation. The assistant answers you "
                'again: ask me anything, or write "menu".'
            )
        turn = Turn.objects.create(
            conversation=locked, author=Author.ASSISTANT, text=words, created_at=now
        )
        _send(locked, turn)
    return locked
