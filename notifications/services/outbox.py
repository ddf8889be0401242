"""Queue, claim and deliver outbox rows (notifications.models.Message).

`message_queue` writes a row inside the caller's transaction and, once that commits,
asks a worker to deliver it now (if it is due now). `outbox_dispatch_due` is what the
periodic sweeper runs: it claims due rows in batches and delivers them. Both paths go
through `_claim`, a single UPDATE that only one caller can win per row, so a row is
never being sent by two workers at once, whatever runs twice."""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booking.models import Booking
from core.errors import ApplicationError
from notifications.channels import DeliveryError, Outgoing, transport_for
from notifications.models import Message, MessageKind, MessageStatus
from notifications.rendering import RenderError, message_render
from offices.models import Office
from queueing.models import Ticket

logger = logging.getLogger("giliran.messages")

# Context keys that must not outlive delivery (a one-time code in a database backup).
SENSITIVE_KEYS = ("code",)


@dataclass(frozen=True)
class Recipient:
    channel: str
    address: str
    language: str


def message_queue(
    *,
    kind: str,
    dedup_key: str,
    recipient: Recipient,
    context: dict[str, Any],
    office: Office | None = None,
    booking: Booking | None = None,
    ticket: Ticket | None = None,
    due_at: datetime | None = None,
    stale_after: datetime | None = None,
) -> Message | None:
    """Write one outbox row; None if a row with this `dedup_key` exists already (the
    effect was queued before: a task that runs twice queues nothing new).

    Call inside the transaction that makes the change the message reports."""
    now = timezone.now()
    due_at = due_at or now
    try:
        with transaction.atomic():
            message = Message.objects.create(
                dedup_key=dedup_key[:160],
                kind=kind,
                channel=recipient.channel,
                recipient=recipient.address,
                language=recipient.language,
                context=context,
                office=office,
                booking=booking,
                ticket=ticket,
                due_at=due_at,
                stale_after=stale_after,
            )
    except IntegrityError:
        return None
    if due_at <= now:
        transaction.on_commit(lambda: _dispatch_soon(message.pk), robust=True)
    return message


def _dispatch_soon(message_id: int) -> None:
    from notifications.tasks import outbox_dispatch_message_task

    outbox_dispatch_message_task.delay(message_id)


def _claim(where: Q, *, limit: int, now: datetime) -> list[Message]:
    """Claim up to `limit` deliverable rows matching `where` for this caller.

    Deliverable: SENDING with an expired lease (its worker died), then PENDING and due.
    One UPDATE marks them SENDING under a fresh token and a lease; on PostgreSQL the
    candidates are picked with FOR UPDATE SKIP LOCKED (each through its own partial
    index), so parallel sweepers take disjoint batches without waiting on each other.
    SQLite runs one writer at a time, which makes the same statements atomic there."""
    token = secrets.token_hex(16)
    orphaned = Q(status=MessageStatus.SENDING, lease_until__lt=now)
    due = Q(status=MessageStatus.PENDING, due_at__lte=now)
    with transaction.atomic():
        ids: list[int] = []
        for condition, order in ((orphaned, "lease_until"), (due, "due_at")):
            candidates = Message.objects.filter(where, condition).order_by(order)
            if connection.features.has_select_for_update_skip_locked:
                candidates = candidates.select_for_update(skip_locked=True)
            ids += candidates.values_list("pk", flat=True)[: limit - len(ids)]
            if len(ids) >= limit:
                break
        if not ids:
            return []
        Message.objects.filter(Q(pk__in=ids), orphaned | due).update(
            status=MessageStatus.SENDING,
            claim_token=token,
            lease_until=now + timedelta(seconds=settings.GILIRAN_OUTBOX_LEASE_SECONDS),
            claims=F("claims") + 1,
        )
    return list(
        Message.objects.filter(claim_token=token, status=MessageStatus.SENDING).order_by("due_at")
    )


def outbox_dispatch_message(*, message_id: int) -> str | None:
    """Deliver one row now if it is due and nobody else is delivering it. Returns its
    new status, or None if it was not claimable."""
    claimed = _claim(Q(pk=message_id), limit=1, now=timezone.now())
    if not claimed:
        return None
    return _deliver(claimed[0], Facts.about(claimed))


def outbox_dispatch_due(*, batch_size: int = 100, time_budget: float = 50.0) -> int:
    """The sweeper: claim and deliver due rows, batch after batch, until none is due or
    `time_budget` seconds have passed. Returns how many rows it handled."""
    started = time.monotonic()
    handled = 0
    while time.monotonic() - started < time_budget:
        batch = _claim(Q(), limit=batch_size, now=timezone.now())
        _deliver_batch(batch)
        handled += len(batch)
        if len(batch) < batch_size:
            break
    return handled


def _deliver_batch(batch: list[Message]) -> None:
    """Deliver a claimed batch, keeping its claim alive: a slow gateway can make a batch
    outlast its lease, and a row whose lease ran out may be claimed and sent by another
    sweeper. Before that can happen, the batch's lease is renewed for the rows this
    caller still holds; a row it no longer holds is left to its new owner."""
    if not batch:
        return
    facts = Facts.about(batch)
    token = batch[0].claim_token
    lease = timedelta(seconds=settings.GILIRAN_OUTBOX_LEASE_SECONDS)
    margin = timedelta(seconds=2 * settings.GILIRAN_GATEWAY_TIMEOUT_SECONDS + 1)
    lease_until = batch[0].lease_until or timezone.now()
    held: set[int] | None = None  # None: every row of the batch
    sent = SentOutcomes(token)
    try:
        for message in batch:
            now = timezone.now()
            if lease_until - now < margin:
                sent.flush()
                lease_until = now + lease
                Message.objects.filter(
                    claim_token=token, status=MessageStatus.SENDING, lease_until__gt=now
                ).update(lease_until=lease_until)
                held = set(
                    Message.objects.filter(
                        claim_token=token, status=MessageStatus.SENDING, lease_until=lease_until
                    ).values_list("pk", flat=True)
                )
            if held is None or message.pk in held:
                _deliver(message, facts, sent)
    finally:
        sent.flush()


class SentOutcomes:
    """Deliveries through an idempotent gateway, recorded together: one UPDATE per
    FLUSH_EVERY rows instead of one transaction each, the largest cost of a sweep. A
    worker that dies before the flush leaves those rows SENDING; after the lease they
    are sent again with the same Idempotency-Key, which the gateway answers without
    delivering twice. Email has no such key, so its outcome is written at once."""

    FLUSH_EVERY = 50

    def __init__(self, token: str) -> None:
        self.token = token
        self.refs: dict[int, str] = {}

    def add(self, message: Message, provider_ref: str) -> None:
        self.refs[message.pk] = provider_ref[:200]
        if len(self.refs) >= self.FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        if not self.refs:
            return
        refs, self.refs = self.refs, {}
        with transaction.atomic():
            _without_waiting_for_disk()
            Message.objects.filter(
                pk__in=list(refs), claim_token=self.token, status=MessageStatus.SENDING
            ).update(
                status=MessageStatus.SENT, sent_at=timezone.now(), lease_until=None,
                last_error="", attempts=F("attempts") + 1,
                provider_ref=Case(*(When(pk=pk, then=Value(ref)) for pk, ref in refs.items())),
            )  # fmt: skip


IDEMPOTENT_CHANNELS = {"sms", "whatsapp"}


# --- delivery ------------------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """The state relevance checks read, fetched once for a whole batch."""

    booking_status: dict[int, str]
    booking_slot: dict[int, int]
    ticket_status: dict[int, str]
    bookings: dict[int, Booking]

    @classmethod
    def about(cls, messages: list[Message]) -> Facts:
        booking_ids = {m.booking_id for m in messages if m.booking_id}
        ticket_ids = {m.ticket_id for m in messages if m.ticket_id}
        bookings = {
            booking.pk: booking
            for booking in Booking.objects.filter(pk__in=booking_ids).select_related(
                "slot__office_service__office"
            )
        }
        return cls(
            booking_status={pk: booking.status for pk, booking in bookings.items()},
            booking_slot={pk: booking.slot_id for pk, booking in bookings.items()},
            bookings=bookings,
            ticket_status=dict(
                Ticket.objects.filter(pk__in=ticket_ids).values_list("pk", "status")
            ),
        )


# Per kind: a reason the message should no longer go out, checked just before sending.
RelevanceCheck = Callable[[Message, Facts], str | None]
RELEVANCE: dict[str, RelevanceCheck] = {}


def relevance_check(*kinds: str) -> Callable[[RelevanceCheck], RelevanceCheck]:
    def register(check: RelevanceCheck) -> RelevanceCheck:
        for kind in kinds:
            RELEVANCE[kind] = check
        return check

    return register


ATTACHMENTS: dict[str, Callable[[Message], tuple[tuple[str, str, str], ...]]] = {}

# Per kind: context added just before rendering and never stored, such as a signed link
# (a token in the outbox row would outlive its use in every backup).
SEND_CONTEXT: dict[str, Callable[[Message, Facts], dict[str, Any]]] = {}


def _finish(message: Message, *, attempted: bool, **changes: Any) -> bool:
    """Record the outcome, if this caller still holds the claim (its lease may have
    ended and another worker taken the row over). `attempted`: the gateway was tried,
    which is what `attempts` counts (a claim lost to a dead worker is not an attempt)."""
    if changes.get("status") == MessageStatus.SENT and any(
        key in message.context for key in SENSITIVE_KEYS
    ):
        changes["context"] = {
            k: ("•" * 6 if k in SENSITIVE_KEYS else v) for k, v in message.context.items()
        }
    if attempted:
        changes["attempts"] = F("attempts") + 1
    with transaction.atomic():
        _without_waiting_for_disk()
        return bool(
            Message.objects.filter(
                pk=message.pk, claim_token=message.claim_token, status=MessageStatus.SENDING
            ).update(lease_until=None, **changes)
        )


def _without_waiting_for_disk() -> None:
    """PostgreSQL: commit this outcome without waiting for its WAL flush (about 1 ms
    per message, the largest cost of a sweep). Only a crash of the database server
    itself, in the fraction of a second before the flush, could lose the outcome; the
    row's lease then ends and it is sent again with the same idempotency key, which the
    gateways absorb. A worker's crash loses nothing committed."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _skip_reason(message: Message, facts: Facts, now: datetime) -> str | None:
    if message.stale_after and message.stale_after <= now:
        return "too late to be useful"
    check = RELEVANCE.get(message.kind)
    return check(message, facts) if check else None


def _deliver(message: Message, facts: Facts, sent: SentOutcomes | None = None) -> str:
    """Send one claimed row and record what happened. Never raises for a delivery
    problem: each one ends as a retry, a dead letter with its reason, or a skip."""
    if message.claims > settings.GILIRAN_OUTBOX_MAX_ATTEMPTS * 3:
        crashed = f"claimed {message.claims} times without an outcome: a worker may crash on it"
        _finish(message, attempted=False, status=MessageStatus.DEAD, last_error=crashed)
        return MessageStatus.DEAD
    skip = _skip_reason(message, facts, timezone.now())
    if skip:
        _finish(message, attempted=False, status=MessageStatus.SKIPPED, last_error=skip)
        return MessageStatus.SKIPPED
    try:
        if not message.recipient:
            raise DeliveryError(
                f"the citizen gave no address for {message.channel}", permanent=True
            )
        extra = SEND_CONTEXT.get(message.kind)
        context = {**message.context, **extra(message, facts)} if extra else message.context
        rendered = message_render(
            kind=message.kind, language=message.language, context=context,
            for_email=message.channel == "email",
        )  # fmt: skip
        attach = ATTACHMENTS.get(message.kind)
        outgoing = Outgoing(
            idempotency_key=message.idempotency_key,
            channel=message.channel,
            kind=message.kind,
            recipient=message.recipient,
            language=message.language,
            reference=str(message.context.get("reference", "")),
            rendered=rendered,
            attachments=attach(message) if attach and message.channel == "email" else (),
        )
        provider_ref = transport_for(message.channel).send(outgoing)
    except RenderError as error:
        return _failed(message, str(error), permanent=True, attempted=False)
    except DeliveryError as error:
        return _failed(message, error.reason, permanent=error.permanent, attempted=True)
    sensitive = any(key in message.context for key in SENSITIVE_KEYS)
    if sent is not None and message.channel in IDEMPOTENT_CHANNELS and not sensitive:
        sent.add(message, provider_ref)
        return MessageStatus.SENT
    _finish(
        message,
        attempted=True,
        status=MessageStatus.SENT,
        sent_at=timezone.now(),
        provider_ref=provider_ref[:200],
        last_error="",
    )
    return MessageStatus.SENT


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: base, 2×base, 4×base… capped at an hour."""
    seconds = settings.GILIRAN_OUTBOX_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, 3600))


def _failed(message: Message, reason: str, *, permanent: bool, attempted: bool) -> str:
    attempts = message.attempts + (1 if attempted else 0)
    if permanent or attempts >= settings.GILIRAN_OUTBOX_MAX_ATTEMPTS:
        if not permanent:
            reason = f"gave up after {attempts} attempts: {reason}"
        logger.warning("message %s dead: %s", message.pk, reason)
        _finish(message, attempted=attempted, status=MessageStatus.DEAD, last_error=reason)
        return MessageStatus.DEAD
    _finish(
        message,
        attempted=attempted,
        status=MessageStatus.PENDING,
        due_at=timezone.now() + retry_delay(attempts),
        last_error=reason,
    )
    return MessageStatus.PENDING


def message_resend(*, message: Message, by: User) -> Message:
    """Send a message again as a new row (the log keeps both). For a dead letter after
    its cause is fixed, or a citizen who lost the first one. A one-time code is never
    resent (it was erased once sent); the citizen asks for a new one."""
    if message.kind == MessageKind.CODE:
        raise ApplicationError(
            "code_not_resent",
            _("One-time codes are not resent. The citizen can ask for a new code."),
            status_code=409,
        )
    if message.anonymised_at is not None:
        raise ApplicationError(
            "message_anonymised",
            _("This message's address and text were erased after its retention period."),
            status_code=409,
        )
    with transaction.atomic():
        count = Message.objects.filter(resent_from=message).count()
        resend = Message.objects.create(
            dedup_key=f"resend:{message.pk}:{count + 1}",
            kind=message.kind,
            channel=message.channel,
            recipient=message.recipient,
            language=message.language,
            context=message.context,
            office=message.office,
            booking=message.booking,
            ticket=message.ticket,
            due_at=timezone.now(),
            resent_from=message,
            resent_by=by,
        )
        transaction.on_commit(lambda: _dispatch_soon(resend.pk), robust=True)
    return resend
