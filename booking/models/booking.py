"""Slots, bookings (a hold is a booking not yet confirmed) and one-time codes.

How capacity is claimed (docs/architecture.md): a slot row carries its `capacity` and
`taken`, the number of bookings currently occupying it (holds, confirmed bookings, and
cancellations still inside their release delay). A claim is one conditional UPDATE
(`taken = taken + 1 WHERE taken < capacity`), and a CHECK constraint makes `taken >
capacity` impossible whatever the code does. A hold occupies its slot until
`releases_at`; the next claimer of a full slot first releases the expired ones, so no
worker has to run for an expired hold's capacity to come back."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.personal_data import mask_nik
from notifications.relations import messages_about
from offices.models.catalog import OfficeService, Service


class Slot(models.Model):
    office_service = models.ForeignKey(
        OfficeService,
        on_delete=models.CASCADE,
        related_name="slots",
        verbose_name=_("service offered"),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    local_date = models.DateField(_("date (office time)"))
    capacity = models.PositiveIntegerField(_("capacity"))
    taken = models.PositiveIntegerField(_("taken"), default=0)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("slot")
        verbose_name_plural = _("slots")
        constraints = [
            models.UniqueConstraint(fields=["office_service", "starts_at"], name="slot_once"),
            models.CheckConstraint(
                condition=Q(taken__lte=F("capacity")),
                name="slot_never_oversold",
                violation_error_message=_("A slot cannot hold more bookings than its capacity."),
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="slot_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["office_service", "local_date"], name="slot_by_day")]

    def __str__(self) -> str:
        return f"{self.office_service} · {self.starts_at:%Y-%m-%d %H:%M}"


class BookingStatus(models.TextChoices):
    HELD = "held", _("Held, waiting for confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired before confirmation")
    ATTENDED = "attended", _("Checked in at the office")
    NO_SHOW = "no_show", _("Did not come")


ACTIVE_STATUSES = [BookingStatus.HELD, BookingStatus.CONFIRMED]


class Channel(models.TextChoices):
    WHATSAPP = "whatsapp", _("WhatsApp")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")
    NONE = "none", _("No messages (booked at the office)")


class PriorityGroup(models.TextChoices):
    NONE = "", _("None")
    ELDERLY = "elderly", _("Elderly (60 or over)")
    DISABILITY = "disability", _("Person with a disability")
    PREGNANT = "pregnant", _("Pregnant")
    INFANT = "infant", _("Parent with an infant")


class Source(models.TextChoices):
    WEB = "web", _("Website")
    API = "api", _("API")
    STAFF = "staff", _("Staff at the office")
    WAITLIST = "waitlist", _("Waiting list")
    BALLOT = "ballot", _("Ballot")


class Booking(models.Model):
    code = models.CharField(_("booking code"), max_length=12, unique=True)
    slot = models.ForeignKey(
        Slot, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("slot")
    )
    # Denormalised from the slot so the one-active-booking rule is a plain index.
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="+", verbose_name=_("service")
    )
    status = models.CharField(_("status"), max_length=12, choices=BookingStatus.choices)
    occupies_slot = models.BooleanField(_("counted in the slot"), default=True)
    releases_at = models.DateTimeField(_("stops occupying at"), null=True, blank=True)
    hold_token = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)

    full_name = models.CharField(_("full name"), max_length=120)
    nik_encrypted = models.TextField(editable=False)
    nik_hash = models.CharField(max_length=64, db_index=True, editable=False)
    nik_last4 = models.CharField(max_length=4, editable=False)
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    email = models.EmailField(_("email"), blank=True, db_index=True)
    channel = models.CharField(_("preferred channel"), max_length=10, choices=Channel.choices)
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default="id"
    )
    priority_group = models.CharField(
        _("priority group"), max_length=12, choices=PriorityGroup.choices, blank=True, default=""
    )
    source = models.CharField(_("made through"), max_length=8, choices=Source.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("made by staff"),
    )
    reschedule_count = models.PositiveSmallIntegerField(_("times rescheduled"), default=0)
    # Where the hold came from, for the anti-calo report (core/client_marks.py): the
    # client's IPv4 /24 or IPv6 /48, never its address (data minimisation), and the keyed
    # hash of its device cookie or X-Device-Id. Empty when unknown; erased by retention.
    client_network = models.CharField(
        _("client network"), max_length=49, blank=True, default="", editable=False
    )
    device_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    # Signed manage links carry this number; bumping it (cancel, reschedule, lockout,
    # revoke) ends every link and session grant issued before (booking.tokens).
    manage_token_version = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    # Set when retention erased the personal fields (core.retention); the rest is kept.
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, editable=False)
    # Wrong look-ups of this code (code + NIK digits or contact) since the last right one
    # or lockout; at GILIRAN_LOOKUP_FAILURES the code is locked (booking_find).
    lookup_failures = models.PositiveSmallIntegerField(
        _("failed look-ups"), default=0, editable=False
    )
    lookup_locked_until = models.DateTimeField(
        _("look-up locked until"), null=True, blank=True, editable=False
    )
    # The outbox's messages about this booking (no column: Message.subject points here).
    messages = messages_about(related_query_name="booking")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        constraints = [
            models.UniqueConstraint(
                fields=["nik_hash", "service"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="one_active_booking_per_nik_and_service",
                violation_error_message=_(
                    "This NIK already has an active booking for this service."
                ),
            ),
            models.CheckConstraint(
                # Only staff book for a citizen with neither phone nor email; retention
                # and deletion requests erase both from a past booking.
                condition=Q(phone__gt="")
                | Q(email__gt="")
                | Q(source=Source.STAFF)
                | Q(anonymised_at__isnull=False),
                name="booking_has_a_contact",
            ),
            models.CheckConstraint(
                condition=~Q(status=BookingStatus.HELD) | Q(releases_at__isnull=False),
                name="hold_has_an_end",
            ),
        ]
        indexes = [
            models.Index(
                fields=["slot", "releases_at"],
                condition=Q(occupies_slot=True, releases_at__isnull=False),
                name="booking_releasable",
            )
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def masked_nik(self) -> str:
        return mask_nik(self.nik_last4)

    @property
    def usable(self) -> bool:
        """Whether the citizen can still take this booking to the office. Only a confirmed
        booking can: once cancelled, checked in or missed, its page, the API, its calendar
        file and its messages offer no QR code, kiosk, print or calendar event. This is the
        one place that decides it (docs/architecture.md, "A booking that has ended")."""
        return self.status == BookingStatus.CONFIRMED


class VerificationCode(models.Model):
    """A one-time code sent to confirm a hold. Only its keyed hash is stored."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    sent_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"{self.booking} · {self.sent_at:%Y-%m-%d %H:%M}"
