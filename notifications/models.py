"""The outbox: every message to a citizen is a row before it is anything else.

A row is written in the same transaction as the change it reports (a booking confirmed,
a ticket called), so a message exists exactly when its cause does. Delivery happens
later, by whoever claims the row: the task sent right after commit, or the periodic
sweeper for anything due, retried or orphaned by a dead worker. `dedup_key` makes a
second row for the same effect impossible; the claim (a conditional UPDATE) makes a
second sender impossible; and the gateways get the row's id as an idempotency key, so a
worker that dies between the gateway's answer and its own commit cannot make the
citizen receive the message twice. See docs/architecture.md, "Messages"."""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.contacts import mask_email, mask_phone
from notifications.registry import KIND_MAX_LENGTH, message_kind_hooks, message_kind_label
from offices.models import Office


class MessageChannel(models.TextChoices):
    WHATSAPP = "whatsapp", _("WhatsApp")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")
    TELEGRAM = "telegram", _("Telegram")


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    SKIPPED = "skipped", _("Not sent: no longer relevant")
    DEAD = "dead", _("Failed: needs attention")


OPEN_STATUSES = [MessageStatus.PENDING, MessageStatus.SENDING]


class Message(models.Model):
    dedup_key = models.CharField(_("deduplication key"), max_length=160, unique=True)
    # One of the kinds the apps registered (notifications/registry.py), which also name
    # them: the outbox itself knows no kind.
    kind = models.CharField(_("kind"), max_length=KIND_MAX_LENGTH)
    channel = models.CharField(_("channel"), max_length=10, choices=MessageChannel.choices)
    recipient = models.CharField(_("recipient"), max_length=254, blank=True)
    language = models.CharField(_("language"), max_length=5, default="id")
    # Plain JSON values rendered into the template at delivery: what was true when the
    # message was queued, in the citizen's language and the office's time zone.
    context = models.JSONField(_("context"), default=dict)
    office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("office"),
    )
    # What the message is about (a booking, a ticket…), read by its kind's hooks at
    # delivery; the app that owns it can query back through notifications/relations.py.
    # Not indexed alone: the index on both columns below serves every lookup.
    subject_type = models.ForeignKey(
        ContentType,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("subject type"),
    )
    subject_id = models.PositiveBigIntegerField(_("subject id"), null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    status = models.CharField(
        _("status"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    due_at = models.DateTimeField(_("due at"))
    # Past this moment the message is useless (a reminder after the appointment began).
    stale_after = models.DateTimeField(_("useless after"), null=True, blank=True)
    # Tries at the gateway; `claims` counts every claim, including those lost with a dead
    # worker, so a message that crashes every worker that takes it still ends.
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claims = models.PositiveSmallIntegerField(_("claims"), default=0, editable=False)
    # A claim: who is sending (a random token) and until when. A worker that dies
    # mid-send leaves the row SENDING; once the lease ends, the sweeper claims it again.
    claim_token = models.CharField(max_length=32, blank=True, editable=False)
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    provider_ref = models.CharField(_("provider reference"), max_length=200, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    resent_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resends",
        verbose_name=_("resend of"),
    )
    # Set when retention erased the address, the context and the gateway's answers.
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, editable=False)
    resent_by = models.ForeignKey(
        "auth.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resent by"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            # The sweeper's question: which open rows are due (or orphaned)?
            models.Index(
                fields=["due_at"], condition=Q(status="pending"), name="message_pending_due"
            ),
            models.Index(
                fields=["lease_until"], condition=Q(status="sending"), name="message_sending"
            ),
            models.Index(fields=["office", "-created_at"], name="message_by_office"),
            models.Index(fields=["subject_type", "subject_id"], name="message_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} · {self.dedup_key}"

    @property
    def kind_label(self) -> str:
        return message_kind_label(self.kind)

    @property
    def resendable(self) -> bool:
        """Its kind may be sent again (not a one-time code, erased once sent)."""
        return message_kind_hooks(self.kind).resendable

    @property
    def masked_recipient(self) -> str:
        if "@" in self.recipient:
            return mask_email(self.recipient)
        if self.channel == MessageChannel.TELEGRAM:  # a chat id: no prefix worth showing
            return "•" * 6 + self.recipient[-3:]
        return mask_phone(self.recipient)

    @property
    def idempotency_key(self) -> str:
        """What the gateways see: the same for every attempt at this row."""
        return f"giliran-{self.pk}"
