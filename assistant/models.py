"""What the assistant remembers: conversations per channel user, their turns, webhook
deliveries already handled, and low-confidence messages waiting for a label.

A conversation is found by its channel and a keyed hash of the channel's user id (a
Telegram chat, a WhatsApp or SMS number), or by its opaque token on the web and in the
API. The address needed to answer is kept encrypted; the flow in progress is plain JSON
without personal data (`state`), and what a flow collects that is personal (name, NIK,
contact) is kept encrypted (`secrets_encrypted`) and forgotten when the flow ends. A
citizen's turns are stored with NIK, phone numbers and email addresses masked
(assistant/masking.py), so the transcript staff read holds none of them. See
docs/assistant.md, "Conversations"."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from offices.models import Office


class Channel(models.TextChoices):
    WEB = "web", _("Web chat")
    API = "api", _("API")
    TELEGRAM = "telegram", _("Telegram")
    WHATSAPP = "whatsapp", _("WhatsApp")
    SMS = "sms", _("SMS")


# Channels whose replies leave through the outbox (the citizen is not waiting on an HTTP
# answer); the web chat and the API answer in the response.
OUTBOX_CHANNELS = (Channel.TELEGRAM, Channel.WHATSAPP, Channel.SMS)


class Handoff(models.TextChoices):
    NONE = "none", _("With the assistant")
    WAITING = "waiting", _("Waiting for a person")
    WITH_STAFF = "with_staff", _("With a person")
    CLOSED = "closed", _("Closed by staff")


# A person has the conversation, or is about to: the assistant stays out of it.
OPEN_HANDOFFS = (Handoff.WAITING, Handoff.WITH_STAFF)


class Conversation(models.Model):
    # The web chat's and the API's handle on the conversation ("conversation" in the API):
    # unguessable, so it proves nothing beyond holding this conversation.
    token = models.CharField(max_length=43, unique=True, editable=False)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    # Keyed hash of the channel's user id (never the id itself); empty on web and API.
    user_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    # Where replies go (a Telegram chat id, a phone number), encrypted.
    address_encrypted = models.TextField(blank=True, editable=False)
    language = models.CharField(_("language"), max_length=2, default="id")
    state = models.JSONField(default=dict, blank=True)
    secrets_encrypted = models.TextField(blank=True, editable=False)
    low_confidence_turns = models.PositiveSmallIntegerField(default=0)
    # The office the conversation is about, as far as known: a handoff goes to its inbox.
    office = models.ForeignKey(
        Office,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("office"),
    )
    handoff = models.CharField(
        _("handoff"), max_length=10, choices=Handoff.choices, default=Handoff.NONE
    )
    handoff_at = models.DateTimeField(_("handed to staff at"), null=True, blank=True)
    # When a person should have answered: the SLA counted in the office's opening hours.
    handoff_due_at = models.DateTimeField(_("answer due"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    started_at = models.DateTimeField(_("started"))
    last_message_at = models.DateTimeField(_("last message"))
    # The citizen's last message: WhatsApp allows free text only within 24 hours of it.
    last_inbound_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        indexes = [
            models.Index(fields=["channel", "user_hash", "-last_message_at"]),
            models.Index(fields=["handoff", "office"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} #{self.pk}"


class Author(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    ASSISTANT = "assistant", _("Assistant")
    STAFF = "staff", _("Staff")


class Turn(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="turns")
    author = models.CharField(_("from"), max_length=10, choices=Author.choices)
    # A citizen's words with NIK, phone and email masked; the assistant's or staff's reply.
    text = models.TextField(_("text"))
    intent = models.CharField(_("intent"), max_length=20, blank=True)
    confidence = models.FloatField(_("confidence"), null=True, blank=True)
    # The assistant's buttons under its reply ([{"label", "text"}]), for channels that
    # show them (Telegram's keyboard, WhatsApp's reply buttons).
    suggestions = models.JSONField(default=list, blank=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("staff member"),
    )
    created_at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["created_at", "pk"]
        # The nightly facts read one day's citizens' turns (insights/services.py).
        indexes = [models.Index(fields=["created_at"], name="turn_by_time")]
        verbose_name = _("turn")
        verbose_name_plural = _("turns")

    def __str__(self) -> str:
        return f"{self.author} {self.created_at:%Y-%m-%d %H:%M}"


class InboundReceipt(models.Model):
    """One webhook delivery handled: a platform that sends an update again (Telegram's
    update_id, WhatsApp's message id, the SMS gateway's id) finds its row and is answered
    200 with nothing done twice."""

    channel = models.CharField(max_length=10, choices=Channel.choices)
    external_id = models.CharField(max_length=128)
    received_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "external_id"], name="inbound_once"),
        ]
        indexes = [models.Index(fields=["received_at"])]

    def __str__(self) -> str:
        return f"{self.channel} {self.external_id}"


class ReviewItem(models.Model):
    """A message the model was unsure of, masked, for staff to label; labelled items are
    training examples for the next `assistant_train`."""

    text = models.TextField(_("message"))
    language = models.CharField(_("language"), max_length=2)
    guessed_intent = models.CharField(_("guessed intent"), max_length=20)
    confidence = models.FloatField(_("confidence"))
    label = models.CharField(_("label"), max_length=20, blank=True)
    labelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("labelled by"),
    )
    labelled_at = models.DateTimeField(_("labelled at"), null=True, blank=True)
    created_at = models.DateTimeField(_("received"))

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("message to review")
        verbose_name_plural = _("messages to review")

    def __str__(self) -> str:
        return f"{self.guessed_intent} {self.confidence:.2f}"
