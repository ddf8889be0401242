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
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError
from notifications.channels import DeliveryError, Outgoing, transport_for
from notifications.models import Message, MessageStatus
from notifications.registry import message_kind, message_kind_hooks, message_subject_queryset
from notifications.rendering import RenderError, message_render
from offices.models import Office

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
    subject: models.Model | None = None,
    due_at: datetime | None = None,
    stale_after: datetime | None = None,
) -> Message | None:
    """Write one outbox row; None if a row with this `dedup_key` exists already (the
    effect was queued before: a task that runs twice queues nothing new). `subject` is
    the saved row the message is about, of the model its kind registered.

    Call inside the transaction that makes the change the message reports. Raises
    UnknownMessageKind for a kind no app registered, ValueError for a wrong subject:
    both are programming errors."""
    registered = message_kind(kind)
    if subject is not None and (
        registered.subject is None or not isinstance(subject, registered.subject) or not subject.pk
    ):
        about = registered.subject._meta.label if registered.subject else "nothing stored"
        raise ValueError(
            f"a {registered.value!r} message is about {about} (a saved row), not {subject!r}"
        )
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
                subject=subject,
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
    return _deliver(claimed[0], Subjects.of(claimed))


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
    subjects = Subjects.of(batch)
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
                _deliver(message, subjects, sent)
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
                status=MessageStatus.SENT,
                sent_at=timezone.now(),
                lease_until=None,
                last_error="",
                attempts=F("attempts") + 1,
                provider_ref=Case(*(When(pk=pk, then=Value(ref)) for pk, ref in refs.items())),
            )


# --- delivery ------------------------------------------------------------------------


@dataclass(frozen=True)
class Subjects:
    """What a batch's messages are about, as it is now: one query per model (with what
    the model's registration selects for its kinds' hooks), not one per message."""

    rows: dict[tuple[int, int], models.Model]

    @classmethod
    def of(cls, messages: list[Message]) -> Subjects:
        wanted: dict[int, set[int]] = defaultdict(set)
        for message in messages:
            if message.subject_type_id is not None and message.subject_id is not None:
                wanted[message.subject_type_id].add(message.subject_id)
        rows: dict[tuple[int, int], models.Model] = {}
        for type_id, ids in wanted.items():
            model = ContentType.objects.get_for_id(type_id).model_class()
            if model is None:  # its app is gone: its subjects with it
                continue
            for row in message_subject_queryset(model).filter(pk__in=ids):
                rows[type_id, row.pk] = row
        return cls(rows)

    def of_message(self, message: Message) -> models.Model | None:
        return self.rows.get((message.subject_type_id or 0, message.subject_id or 0))

    def lost(self, message: Message) -> bool:
        """The message was about a row that no longer exists."""
        return message.subject_type_id is not None and self.of_message(message) is None


def _finish(message: Message, *, attempted: bool, **changes: Any) -> bool:
    """Record the outcome, if this caller still holds the claim (its lease may have
    ended and another worker taken the row over). `attempted`: the gateway was tried,
    which is what `attempts` counts (a claim lost to a dead worker is not an attempt)."""
    # A secret leaves the row once the row is done with, whatever its end: a failed or
    # skipped message is never sent again with it (those kinds are not resendable).
    final = (MessageStatus.SENT, MessageStatus.DEAD, MessageStatus.SKIPPED)
    if changes.get("status") in final and any(key in message.context for key in SENSITIVE_KEYS):
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


def _skip_reason(message: Message, subjects: Subjects, now: datetime) -> str | None:
    if message.stale_after and message.stale_after <= now:
        return "too late to be useful"
    if subjects.lost(message):
        return "what the message is about no longer exists"
    check = message_kind_hooks(message.kind).relevance
    return check(message, subjects.of_message(message)) if check else None


def _deliver(message: Message, subjects: Subjects, sent: SentOutcomes | None = None) -> str:
    """Send one claimed row and record what happened. Never raises for a delivery
    problem: each one ends as a retry, a dead letter with its reason, or a skip."""
    if message.claims > settings.GILIRAN_OUTBOX_MAX_ATTEMPTS * 3:
        crashed = f"claimed {message.claims} times without an outcome: a worker may crash on it"
        _finish(message, attempted=False, status=MessageStatus.DEAD, last_error=crashed)
        return MessageStatus.DEAD
    skip = _skip_reason(message, subjects, timezone.now())
    if skip:
        _finish(message, attempted=False, status=MessageStatus.SKIPPED, last_error=skip)
        return MessageStatus.SKIPPED
    try:
        if not message.recipient:
            raise DeliveryError(
                f"the citizen gave no address for {message.channel}", permanent=True
            )
        hooks = message_kind_hooks(message.kind)
        subject = subjects.of_message(message)
        context = message.context
        if hooks.at_delivery:
            context = {**context, **hooks.at_delivery(message, subject)}
        rendered = message_render(
            kind=message.kind,
            language=message.language,
            context=context,
            for_email=message.channel == "email",
        )
        attach = hooks.attachments if message.channel == "email" else None
        outgoing = Outgoing(
            idempotency_key=message.idempotency_key,
            channel=message.channel,
            kind=message.kind,
            recipient=message.recipient,
            language=message.language,
            reference=str(message.context.get("reference", "")),
            rendered=rendered,
            attachments=attach(message, subject) if attach else (),
            buttons=_buttons(context.get("suggestions")),
            window_open=context.get("window_open")
            if context.get("window_open") in (True, False)
            else None,
        )
        transport = transport_for(message.channel)
        provider_ref = transport.send(outgoing)
    except RenderError as error:
        return _failed(message, str(error), permanent=True, attempted=False)
    except DeliveryError as error:
        return _failed(message, error.reason, permanent=error.permanent, attempted=True)
    sensitive = any(key in message.context for key in SENSITIVE_KEYS)
    if sent is not None and transport.idempotent and not sensitive:
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


def _buttons(suggestions: Any) -> tuple[tuple[str, str], ...]:
    """A context's "suggestions" (a list of {"label", "text"}, set by a kind's at-delivery
    hook) as the transport's buttons; anything else, none."""
    if not isinstance(suggestions, list):
        return ()
    return tuple(
        (str(s["label"]), str(s["text"]))
        for s in suggestions
        if isinstance(s, dict) and s.get("label") and s.get("text")
    )


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
    its cause is fixed, or a citizen who lost the first one. A kind registered as not
    resendable (a one-time code, erased once sent) never is; the citizen asks anew."""
    if not message.resendable:
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
            subject_type=message.subject_type,
            subject_id=message.subject_id,
            due_at=timezone.now(),
            resent_from=message,
            resent_by=by,
        )
        transaction.on_commit(lambda: _dispatch_soon(resend.pk), robust=True)
    return resend
