"""Data-subject requests (UU PDP No. 27/2022, articles 5–9 and 32): a citizen who
proved who they are asks for a correction or a deletion; staff answer within 3×24 hours.

The citizen is known only by the keyed hash of their NIK (and its last four digits for
display); a requested new value is stored encrypted and erased once the request ends.
Every step, and every time a citizen reads or exports their data, is a `DataEvent`."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.personal_data import mask_nik
from offices.models import Office

ANSWER_WITHIN = timedelta(hours=72)  # UU PDP: 3×24 hours


class RequestKind(models.TextChoices):
    CORRECTION = "correction", _("Correction")
    DELETION = "deletion", _("Deletion")


class RequestStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    REFUSED = "refused", _("Refused")


OPEN_REQUEST_STATUSES = [RequestStatus.RECEIVED, RequestStatus.IN_PROGRESS]


class CorrectableField(models.TextChoices):
    FULL_NAME = "full_name", _("Full name")
    PHONE = "phone", _("Mobile number")
    EMAIL = "email", _("Email")


class DataRequest(models.Model):
    reference = models.CharField(_("reference"), max_length=16, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=RequestKind.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.RECEIVED
    )
    nik_hash = models.CharField(max_length=64, db_index=True, editable=False)
    nik_last4 = models.CharField(max_length=4, editable=False)
    field = models.CharField(
        _("field to correct"), max_length=12, choices=CorrectableField.choices, blank=True
    )
    new_value_encrypted = models.TextField(blank=True, editable=False)
    reason = models.TextField(_("citizen's explanation"), blank=True, max_length=1000)
    # Where the answer goes: the contact the citizen proved with the one-time code.
    channel = models.CharField(_("answer by"), max_length=10)
    address = models.CharField(max_length=254, editable=False)
    language = models.CharField(_("language"), max_length=5, default="id")
    offices = models.ManyToManyField(
        Office, related_name="data_requests", blank=True, verbose_name=_("offices involved")
    )
    filed_at = models.DateTimeField(_("filed"))
    due_at = models.DateTimeField(_("answer due"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assignee"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    refusal_reason = models.TextField(_("reason for refusal"), blank=True, max_length=1000)

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("personal data request")
        verbose_name_plural = _("personal data requests")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=RequestKind.CORRECTION) | ~Q(field=""),
                name="correction_names_a_field",
            ),
            models.CheckConstraint(
                condition=~Q(status=RequestStatus.REFUSED) | ~Q(refusal_reason=""),
                name="refusal_has_a_reason",
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=Q(status__in=OPEN_REQUEST_STATUSES),
                name="data_request_open_due",
            )
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def masked_nik(self) -> str:
        return mask_nik(self.nik_last4)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REQUEST_STATUSES


class DataEventKind(models.TextChoices):
    VIEWED = "viewed", _("The citizen viewed their data")
    EXPORTED = "exported", _("The citizen downloaded their data")
    FILED = "filed", _("Request filed")
    ASSIGNED = "assigned", _("Request assigned")
    STARTED = "started", _("Work on the request started")
    CORRECTED = "corrected", _("Data corrected")
    BOOKING_CANCELLED = "cancelled", _("Upcoming booking cancelled for the deletion")
    ANONYMISED = "anonymised", _("Personal data erased")
    REFUSED = "refused", _("Request refused")
    TOLD = "told", _("Citizen told the outcome")


class DataEvent(models.Model):
    """Append-only: what was done with a citizen's data under this app, by whom, when."""

    nik_hash = models.CharField(max_length=64, db_index=True, editable=False)
    request = models.ForeignKey(
        DataRequest, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    kind = models.CharField(max_length=12, choices=DataEventKind.choices)
    at = models.DateTimeField()
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Plain facts, never personal data: counts, field names, booking codes.
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"
