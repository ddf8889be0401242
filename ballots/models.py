"""Ballot rounds, their entries and each entry's ranked choices (docs/ballots.md).

A round (`Ballot`) covers one service's office-services that give places by ballot and
release at the same moment. Its seed is stored encrypted and only its SHA-256 is shown
until the draw; the entries carry the NIK as bookings do (encrypted, keyed hash, last 4
digits), and the database allows one entry per NIK per round."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from booking.models import Booking, Channel, PriorityGroup
from core.personal_data import mask_nik
from offices.models import OfficeService, Service


class BallotStatus(models.TextChoices):
    OPEN = "open", _("Open for entries until the release")
    DRAWN = "drawn", _("Drawn")


class Ballot(models.Model):
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="+", verbose_name=_("service")
    )
    office_services = models.ManyToManyField(
        OfficeService, related_name="+", verbose_name=_("services offered")
    )
    release_at = models.DateTimeField(_("release (entries close)"))
    entries_open_at = models.DateTimeField(_("entries open"))
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    claim_hours = models.PositiveSmallIntegerField(_("winners confirm within (hours)"))
    seed_encrypted = models.TextField(editable=False)
    seed_sha256 = models.CharField(_("SHA-256 of the seed"), max_length=64)
    seed = models.CharField(_("revealed seed"), max_length=64, blank=True, default="")
    status = models.CharField(
        _("status"), max_length=8, choices=BallotStatus.choices, default=BallotStatus.OPEN
    )
    drawn_at = models.DateTimeField(_("drawn"), null=True, blank=True)
    # The published draw: pools, entries (reference, choices, priority), seed, result.
    published = models.JSONField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["release_at", "pk"]
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(
                fields=["service", "release_at"], name="one_ballot_per_release"
            ),
            models.CheckConstraint(
                condition=Q(entries_open_at__lt=models.F("release_at")),
                name="ballot_entries_open_before_release",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} · {self.release_at:%Y-%m-%d %H:%M}"


class EntryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the code that proves the contact")
    ENTERED = "entered", _("Entered in the draw")
    WON = "won", _("Drawn: a place is held to confirm")
    WAITING = "waiting", _("Not drawn: on the waiting list")
    CLAIMED = "claimed", _("Place confirmed")
    LAPSED = "lapsed", _("Place not confirmed in time")


class BallotEntry(models.Model):
    ballot = models.ForeignKey(
        Ballot, on_delete=models.CASCADE, related_name="entries", verbose_name=_("ballot")
    )
    # Public: in the published list of entries. Never derived from the NIK.
    reference = models.CharField(_("entry reference"), max_length=12, unique=True)
    # Secret: the entry's own page and API (sent to the proven contact).
    token = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=8, choices=EntryStatus.choices, default=EntryStatus.PENDING
    )
    full_name = models.CharField(_("full name"), max_length=120)
    nik_encrypted = models.TextField(editable=False)
    nik_hash = models.CharField(max_length=64, editable=False)
    nik_last4 = models.CharField(max_length=4, editable=False)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    channel = models.CharField(_("preferred channel"), max_length=10, choices=Channel.choices)
    language = models.CharField(_("language"), max_length=5, default="id")
    priority_group = models.CharField(
        _("priority group"), max_length=12, choices=PriorityGroup.choices, blank=True, default=""
    )
    # The contact's one-time code: only its keyed hash.
    code_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    code_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    code_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    code_sends = models.PositiveSmallIntegerField(default=0, editable=False)
    verified_at = models.DateTimeField(_("contact proven"), null=True, blank=True)
    draw_position = models.PositiveIntegerField(_("place in the draw order"), null=True, blank=True)
    waiting_number = models.PositiveIntegerField(_("waiting list number"), null=True, blank=True)
    hold = models.ForeignKey(
        Booking,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("held place"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Set when retention erased the personal fields (ballots/privacy.py); the rest is kept.
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["ballot", "pk"]
        verbose_name = _("ballot entry")
        verbose_name_plural = _("ballot entries")
        constraints = [
            models.UniqueConstraint(
                fields=["ballot", "nik_hash"],
                condition=Q(anonymised_at__isnull=True),
                name="one_ballot_entry_per_nik",
                violation_error_message=_("This NIK has already entered this ballot."),
            ),
            models.CheckConstraint(
                condition=Q(phone__gt="") | Q(email__gt="") | Q(anonymised_at__isnull=False),
                name="ballot_entry_has_a_contact",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def masked_nik(self) -> str:
        return mask_nik(self.nik_last4)


class BallotChoice(models.Model):
    entry = models.ForeignKey(BallotEntry, on_delete=models.CASCADE, related_name="choices")
    rank = models.PositiveSmallIntegerField(_("rank"))
    office_service = models.ForeignKey(OfficeService, on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("day"))

    class Meta:
        ordering = ["entry", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "rank"], name="ballot_choice_rank_once"),
            models.UniqueConstraint(
                fields=["entry", "office_service", "day"], name="ballot_choice_once"
            ),
            models.CheckConstraint(
                condition=Q(rank__gte=1, rank__lte=3), name="ballot_choice_rank_1_to_3"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry} #{self.rank}"

    @property
    def pool_key(self) -> str:
        return pool_key(self.office_service.office.code, self.day.isoformat())


def pool_key(office_code: str, day: str) -> str:
    return f"{office_code}/{day}"
