"""Pengaduan: a citizen's complaint about an office, from intake to closing.

A complaint is known to the public only by its tracking number (`ADU-2026-00012`), which
proves nothing: its status is shown to whoever also gives the access key handed out at
intake (only its keyed hash is stored). The contact is encrypted, with a keyed hash for
look-ups. Reports of pungli (illegal levies, bribes) are flagged and read by the
office's integrity officers, never by the office's own staff (docs/complaints.md)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from offices.models import Office

TEXT_MIN_LENGTH = 20
TEXT_MAX_LENGTH = 4000
ANSWER_MAX_LENGTH = 4000


class ComplaintCategory(models.TextChoices):
    SERVICE_DELAY = "service_delay", _("Slow or delayed service")
    STAFF_CONDUCT = "staff_conduct", _("Staff conduct")
    FACILITIES = "facilities", _("Facilities")
    INFORMATION = "information", _("Unclear or wrong information")
    ONLINE_SYSTEM = "online_system", _("Online booking or queue system")
    PUNGLI = "pungli", _("Pungli: illegal fee, extortion or bribery")
    OTHER = "other", _("Other")


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    IN_PROGRESS = "in_progress", _("In progress")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", pgettext_lazy("complaint status", "Closed")


OPEN_STATUSES = [ComplaintStatus.RECEIVED, ComplaintStatus.IN_PROGRESS]


class ContactChannel(models.TextChoices):
    NONE = "none", _("No messages")
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")
    EMAIL = "email", _("Email")
    # Filed by chat on Telegram: told in the same chat (the chat id is the contact).
    TELEGRAM = "telegram", _("Telegram")


class ComplaintCounter(models.Model):
    """The last tracking number given in a year: incremented under SELECT FOR UPDATE
    (complaints/services.py: complaint_number_next), so numbers are unique and without
    gaps except for an intake whose transaction rolled back."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Complaint(models.Model):
    number = models.CharField(_("tracking number"), max_length=20, unique=True)
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("office")
    )
    category = models.CharField(_("category"), max_length=20, choices=ComplaintCategory.choices)
    # The pungli category, or the citizen ticked "this is about pungli": integrity officers
    # handle it, the office's own staff never see it.
    pungli = models.BooleanField(_("pungli report"), default=False)
    text = models.TextField(_("complaint"), max_length=TEXT_MAX_LENGTH, blank=True)
    language = models.CharField(_("language"), max_length=5, default="id")
    channel = models.CharField(
        _("told by"), max_length=10, choices=ContactChannel.choices, default=ContactChannel.NONE
    )
    contact_encrypted = models.TextField(blank=True, editable=False)
    contact_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    access_key_hash = models.CharField(max_length=64, editable=False)
    lookup_failures = models.PositiveSmallIntegerField(default=0, editable=False)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ComplaintStatus.choices,
        default=ComplaintStatus.RECEIVED,
    )
    filed_at = models.DateTimeField(_("filed"))
    due_on = models.DateField(_("answer due"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    answer = models.TextField(_("answer"), max_length=ANSWER_MAX_LENGTH, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("personal data erased"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ComplaintStatus.values), name="complaint_known_status"
            ),
            models.CheckConstraint(
                condition=Q(category__in=ComplaintCategory.values),
                name="complaint_known_category",
            ),
            models.CheckConstraint(
                condition=~Q(category=ComplaintCategory.PUNGLI) | Q(pungli=True),
                name="complaint_pungli_category_flagged",
            ),
            models.CheckConstraint(
                condition=Q(status__in=OPEN_STATUSES)
                | ~Q(answer="")
                | Q(anonymised_at__isnull=False),
                name="complaint_answered_has_answer",
            ),
            models.CheckConstraint(
                condition=Q(channel=ContactChannel.NONE)
                | ~Q(contact_encrypted="")
                | Q(anonymised_at__isnull=False),
                name="complaint_channel_has_contact",
            ),
        ]
        indexes = [
            models.Index(
                fields=["office", "due_on"],
                condition=Q(status__in=OPEN_STATUSES),
                name="complaint_open_due",
            ),
            # The nightly facts read one office day's complaints filed and answered.
            models.Index(fields=["office", "filed_at"], name="complaint_by_filed_day"),
            models.Index(
                fields=["office", "answered_at"],
                condition=Q(answered_at__isnull=False),
                name="complaint_by_answered_day",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def overdue(self, today: date) -> bool:
        """Not answered by the end of its due day (`today` in the office's zone)."""
        return self.is_open and today > self.due_on


class EventKind(models.TextChoices):
    FILED = "filed", _("Complaint filed")
    TAKEN = "taken", _("Taken in hand")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", pgettext_lazy("complaint status", "Closed")
    ERASED = "erased", _("Personal data erased")


class ComplaintEvent(models.Model):
    """Append-only: what happened to a complaint, by whom, when."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("what"), max_length=12, choices=EventKind.choices)
    at = models.DateTimeField(_("when"))
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"


class ComplaintPhoto(models.Model):
    """The citizen's optional photo, in the database: private by construction (no file
    path or public URL exists; one staff page serves it after the permission check),
    shared by every web process without shared disks, and erased with the complaint's
    text. Its type was checked by content at intake (complaints.services.photo_clean)."""

    complaint = models.OneToOneField(Complaint, on_delete=models.CASCADE, related_name="photo")
    content_type = models.CharField(max_length=20)
    data = models.BinaryField()

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.content_type}, {len(self.data)} bytes"
