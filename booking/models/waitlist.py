"""The waiting list for a full day: freed places are offered to the next citizen in
line, one place to one citizen at a time, held for them for a short while.

An offer is an ordinary hold (a HELD booking, made from the details the citizen gave
when joining), so it occupies capacity through the same slot claim as any booking and
expires the same way. See booking/services/waitlist.py."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from booking.models.booking import Booking, Channel, PriorityGroup
from core.personal_data import mask_nik
from offices.models.catalog import OfficeService


class WaitlistStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for a place")
    OFFERED = "offered", _("A place is offered")
    BOOKED = "booked", _("Booked")
    LAPSED = "lapsed", _("The offer was not taken")
    LEFT = "left", _("Left the waiting list")
    CLOSED = "closed", _("The day passed")


OPEN_WAITLIST_STATUSES = [WaitlistStatus.WAITING, WaitlistStatus.OFFERED]


class WaitlistEntry(models.Model):
    office_service = models.ForeignKey(
        OfficeService,
        on_delete=models.CASCADE,
        related_name="waitlist",
        verbose_name=_("service offered"),
    )
    local_date = models.DateField(_("day (office time)"))
    status = models.CharField(
        _("status"), max_length=10, choices=WaitlistStatus.choices, default=WaitlistStatus.WAITING
    )
    token = models.CharField(max_length=43, unique=True, editable=False)
    full_name = models.CharField(_("full name"), max_length=120)
    nik_encrypted = models.TextField(editable=False)
    nik_hash = models.CharField(max_length=64, db_index=True, editable=False)
    nik_last4 = models.CharField(max_length=4, editable=False)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    channel = models.CharField(_("preferred channel"), max_length=10, choices=Channel.choices)
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default="id"
    )
    priority_group = models.CharField(
        _("priority group"), max_length=12, choices=PriorityGroup.choices, blank=True, default=""
    )
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)
    # The current or last offer: a hold made for this citizen.
    offer = models.OneToOneField(
        Booking,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="waitlist_entry",
        verbose_name=_("offered booking"),
    )
    offered_at = models.DateTimeField(_("offered"), null=True, blank=True)
    # Set when retention erased the personal fields (core.retention).
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("waiting-list entry")
        verbose_name_plural = _("waiting-list entries")
        constraints = [
            models.UniqueConstraint(
                fields=["office_service", "local_date", "nik_hash"],
                condition=Q(status__in=OPEN_WAITLIST_STATUSES),
                name="one_open_waitlist_entry_per_nik_and_day",
                violation_error_message=_("This NIK is already on this day's waiting list."),
            ),
        ]
        indexes = [
            models.Index(
                fields=["office_service", "local_date", "created_at"],
                condition=Q(status__in=OPEN_WAITLIST_STATUSES),
                name="waitlist_open_in_line",
            )
        ]

    def __str__(self) -> str:
        return f"{self.office_service} · {self.local_date} · {self.masked_nik}"

    @property
    def masked_nik(self) -> str:
        return mask_nik(self.nik_last4)
