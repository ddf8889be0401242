"""The catalog: offices, the services they offer, counters, opening hours and closures.

Database constraints back every rule that a form also checks, so a script or a future
API cannot store an office-day that opens after it closes or two services sharing a
ticket letter in one office.
"""

from __future__ import annotations

import string
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from core.timezones import IndonesianZone, local_date, zone_abbreviation, zone_info

TICKET_LETTERS = list(string.ascii_uppercase)


def in_current_language(english: str, indonesian: str) -> str:
    """Bilingual fields are stored side by side; English only when the request asks."""
    language = (get_language() or "id").split("-")[0]
    return english if language == "en" and english else indonesian


def split_lines(text: str) -> list[str]:
    return [line.strip(" -•\t") for line in text.splitlines() if line.strip(" -•\t")]


def format_rupiah(amount: int, language: str | None = None) -> str:
    """Rp with no space and whole rupiah, grouped as the reader's language groups digits:
    Rp350.000 in Indonesian, Rp350,000 in English (the symbol citizens see on every
    receipt; only the separator changes)."""
    language = (language or get_language() or "id").split("-")[0]
    grouped = f"{amount:,}"
    return "Rp" + (grouped if language == "en" else grouped.replace(",", "."))


class StandardUnit(models.TextChoices):
    """How a service standard (the promised completion time) is counted."""

    SAME_DAY = "same_day", _("same day")
    HOURS = "hours", _("hours")
    WORKING_DAYS = "working_days", _("working days")


class ReleasePattern(models.TextChoices):
    """How an office-service's days open for booking (offices.release_schedule)."""

    ROLLING = "rolling", _("Day by day: each day opens a fixed number of days before")
    MONTHLY = "monthly", _("Month by month: a whole month opens on one day of the month before")


class Allocation(models.TextChoices):
    """Who gets the places of a release: the first to ask, or a ballot drawn at release."""

    FIRST_COME = "first_come", _("First come, first served (through the waiting room)")
    BALLOT = "ballot", _("Ballot: entries over a window, drawn at the release")


def service_standard_text(amount: int | None, unit: str) -> str:
    """The promised completion time in the current language ("3 hari kerja")."""
    if unit == StandardUnit.SAME_DAY:
        return str(_("Same day"))
    if unit == StandardUnit.HOURS and amount:
        return ngettext("%(count)s hour", "%(count)s hours", amount) % {"count": amount}
    if unit == StandardUnit.WORKING_DAYS and amount:
        return ngettext("%(count)s working day", "%(count)s working days", amount) % {
            "count": amount
        }
    return ""


def _standard_is_whole() -> Q:
    """No unit and no number, same day with no number, or hours/working days with one."""
    return (
        Q(standard_unit="", standard_amount__isnull=True)
        | Q(standard_unit=StandardUnit.SAME_DAY, standard_amount__isnull=True)
        | Q(
            standard_unit__in=[StandardUnit.HOURS, StandardUnit.WORKING_DAYS],
            # Spelled out: a NULL number would make the whole check NULL, which passes.
            standard_amount__isnull=False,
            standard_amount__gte=1,
            standard_amount__lte=365,
        )
    )


def _standard_errors(amount: int | None, unit: str) -> dict[str, object]:
    if unit in (StandardUnit.HOURS, StandardUnit.WORKING_DAYS) and not amount:
        return {"standard_amount": _("Give the number of hours or working days.")}
    if unit in ("", StandardUnit.SAME_DAY) and amount is not None:
        return {"standard_amount": _("Leave the number empty for this unit.")}
    return {}


class OfficeKind(models.TextChoices):
    IMMIGRATION = "immigration", _("Immigration office (passports)")
    CIVIL_REGISTRY = "civil_registry", _("Civil registry (Dukcapil)")
    HEALTH_INSURANCE = "health_insurance", _("Health insurance (BPJS Kesehatan)")
    SERVICE_MALL = "service_mall", _("Public service mall (MPP)")
    OTHER = "other", _("Other public service")


class Office(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=OfficeKind.choices)
    address = models.TextField(_("address"))
    province = models.CharField(_("province"), max_length=100, db_index=True)
    regency = models.CharField(_("regency or city"), max_length=100, db_index=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    timezone = models.CharField(_("time zone"), max_length=32, choices=IndonesianZone.choices)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    queue_max_recalls = models.PositiveSmallIntegerField(
        _("recalls before a no-show"),
        default=2,
        help_text=_("After this many recalls the ticket becomes a no-show."),
    )
    queue_starvation_minutes = models.PositiveSmallIntegerField(
        _("longest wait before anyone else (minutes)"),
        default=45,
        validators=[MinValueValidator(5)],
        help_text=_(
            "A ticket waiting this long is called before appointments and priority groups."
        ),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90)
                & Q(longitude__gte=-180, longitude__lte=180),
                name="office_coordinates_in_range",
            ),
            models.CheckConstraint(
                condition=Q(timezone__in=IndonesianZone.values), name="office_indonesian_zone"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> ZoneInfo:
        """The office's time zone (cached by name in core.timezones)."""
        return zone_info(self.timezone)

    def local_date(self, now: datetime | None = None) -> date:
        """The office's today at `now` (default: the current moment)."""
        return local_date(self.timezone, now)

    @property
    def zone_abbreviation(self) -> str:
        return zone_abbreviation(self.timezone)

    @property
    def map_url(self) -> str:
        return f"https://www.openstreetmap.org/?mlat={self.latitude}&mlon={self.longitude}#map=17/{self.latitude}/{self.longitude}"


class Service(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_id = models.CharField(_("name (Indonesian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    description_id = models.TextField(_("description (Indonesian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    requirements_id = models.TextField(
        _("documents to bring (Indonesian)"), blank=True, help_text=_("One document per line.")
    )
    requirements_en = models.TextField(
        _("documents to bring (English)"), blank=True, help_text=_("One document per line.")
    )
    average_minutes = models.PositiveSmallIntegerField(
        _("average service minutes"), validators=[MinValueValidator(1), MaxValueValidator(480)]
    )
    ticket_letter = models.CharField(
        _("default ticket letter"),
        max_length=1,
        choices=[(letter, letter) for letter in TICKET_LETTERS],
        help_text=_("Offices may give the service another letter when two would collide."),
    )
    accepts_appointments = models.BooleanField(_("takes appointments"), default=True)
    accepts_walk_ins = models.BooleanField(_("takes walk-ins"), default=True)
    fee_rupiah = models.PositiveIntegerField(
        _("fee in rupiah"),
        null=True,
        blank=True,
        help_text=_("0 when the service is free. Leave empty when the fee depends on the case."),
    )
    fee_note_id = models.CharField(
        _("fee note (Indonesian)"),
        max_length=300,
        blank=True,
        help_text=_("What the fee is for, or what it depends on."),
    )
    fee_note_en = models.CharField(_("fee note (English)"), max_length=300, blank=True)
    standard_amount = models.PositiveSmallIntegerField(
        _("promised completion: number"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    standard_unit = models.CharField(
        _("promised completion: unit"),
        max_length=20,
        blank=True,
        choices=StandardUnit.choices,
        help_text=_("The national service standard. Leave empty when none is published."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        constraints = [
            models.CheckConstraint(
                condition=Q(accepts_appointments=True) | Q(accepts_walk_ins=True),
                name="service_takes_someone",
                violation_error_message=_("A service must take appointments, walk-ins, or both."),
            ),
            models.CheckConstraint(
                condition=Q(average_minutes__gte=1, average_minutes__lte=480),
                name="service_minutes_in_range",
            ),
            models.CheckConstraint(
                condition=Q(ticket_letter__in=TICKET_LETTERS), name="service_ticket_letter"
            ),
            models.CheckConstraint(
                condition=Q(fee_rupiah__isnull=True) | Q(fee_rupiah__gte=0),
                name="service_fee_not_negative",
            ),
            models.CheckConstraint(condition=_standard_is_whole(), name="service_standard_whole"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return in_current_language(self.name_en, self.name_id)

    @property
    def description(self) -> str:
        return in_current_language(self.description_en, self.description_id)

    @property
    def requirements(self) -> list[str]:
        return split_lines(in_current_language(self.requirements_en, self.requirements_id))

    def clean(self) -> None:
        super().clean()
        if errors := _standard_errors(self.standard_amount, self.standard_unit):
            raise ValidationError(errors)

    @property
    def fee(self) -> str:
        """Free ("Gratis"), an amount ("Rp350.000"), or "" when it depends on the case."""
        if self.fee_rupiah is None:
            return ""
        return str(_("Free")) if self.fee_rupiah == 0 else format_rupiah(self.fee_rupiah)

    @property
    def fee_note(self) -> str:
        return in_current_language(self.fee_note_en, self.fee_note_id)

    @property
    def service_standard(self) -> str:
        return service_standard_text(self.standard_amount, self.standard_unit)


class OfficeService(models.Model):
    """A service as one office offers it, with that office's own settings."""

    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="office_services", verbose_name=_("office")
    )
    service = models.ForeignKey(
        Service,
        on_delete=models.PROTECT,
        related_name="office_services",
        verbose_name=_("service"),
    )
    ticket_letter = models.CharField(
        _("ticket letter"),
        max_length=1,
        blank=True,
        choices=[(letter, letter) for letter in TICKET_LETTERS],
        help_text=_("Leave empty to use the service's default letter."),
    )
    duration_minutes = models.PositiveSmallIntegerField(
        _("service minutes here"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(480)],
        help_text=_("Leave empty to use the service's average."),
    )
    booking_opens_days_ahead = models.PositiveSmallIntegerField(
        _("earliest booking (days ahead)"),
        default=1,
        help_text=_("1 means citizens can book from tomorrow."),
    )
    booking_window_days = models.PositiveSmallIntegerField(
        _("latest booking (days ahead)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(366)],
    )
    slot_minutes = models.PositiveSmallIntegerField(
        _("slot length (minutes)"),
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
        help_text=_("Citizens choose a time in steps of this length."),
    )
    release_time = models.TimeField(
        _("quota release time"),
        default=time(0),
        help_text=_(
            "A new day opens for booking at this local time, e.g. 08:00 for a daily quota release."
        ),
    )
    release_pattern = models.CharField(
        _("quota released"),
        max_length=8,
        choices=ReleasePattern.choices,
        default=ReleasePattern.ROLLING,
    )
    release_day = models.PositiveSmallIntegerField(
        _("release day of the month"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_(
            "Month by month only: on this day, at the release time, the whole next month opens."
        ),
    )
    waiting_room_minutes = models.PositiveSmallIntegerField(
        _("waiting room opens (minutes before a release)"),
        default=0,
        validators=[MaxValueValidator(240)],
        help_text=_(
            "Citizens who arrive in this window wait in a virtual room and are let in in a "
            "random order at the release, so arriving first gives no advantage. "
            "0 turns the waiting room off."
        ),
    )
    allocation = models.CharField(
        _("places given"),
        max_length=10,
        choices=Allocation.choices,
        default=Allocation.FIRST_COME,
    )
    ballot_entry_hours = models.PositiveSmallIntegerField(
        _("ballot entries open (hours before the release)"),
        default=48,
        validators=[MinValueValidator(1), MaxValueValidator(720)],
    )
    ballot_claim_hours = models.PositiveSmallIntegerField(
        _("winners confirm within (hours)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(168)],
    )
    ballot_priority_percent = models.PositiveSmallIntegerField(
        _("ballot places reserved for priority groups (%)"),
        default=10,
        validators=[MaxValueValidator(100)],
        help_text=_("Elderly, disabled and pregnant citizens and parents with an infant."),
    )
    min_notice_minutes = models.PositiveIntegerField(
        _("minimum notice (minutes)"),
        default=60,
        help_text=_("No booking for a slot starting sooner."),
    )
    walk_in_reserve_percent = models.PositiveSmallIntegerField(
        _("capacity kept for walk-ins (%)"),
        default=20,
        validators=[MaxValueValidator(100)],
        help_text=_(
            "Share of counter time not offered for appointments: walk-ins and priority groups."
        ),
    )
    # The planner's service level for walk-ins: this share called within this wait.
    target_share_percent = models.PositiveSmallIntegerField(
        _("walk-ins called in time (%)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text=_("The planner staffs walk-ins so that this share is called in time."),
    )
    target_wait_minutes = models.PositiveSmallIntegerField(
        _("in time means within (minutes)"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
    )
    change_until_days_before = models.PositiveSmallIntegerField(
        _("changes allowed until (days before)"),
        default=1,
        help_text=_("1 = cancel or reschedule until the day before (H-1)."),
    )
    max_reschedules = models.PositiveSmallIntegerField(_("reschedules allowed"), default=1)
    checkin_opens_minutes = models.PositiveSmallIntegerField(
        _("check-in opens (minutes before)"), default=30
    )
    checkin_closes_minutes = models.PositiveSmallIntegerField(
        _("check-in closes (minutes after the start)"), default=15
    )
    late_arrival = models.CharField(
        _("late arrival"),
        max_length=8,
        choices=[("walk_in", _("becomes a walk-in")), ("refuse", _("is refused"))],
        default="walk_in",
    )
    remote_walk_in = models.BooleanField(
        _("same-day numbers from a phone"),
        default=True,
        help_text=_("Citizens may take a number before arriving."),
    )
    walk_in_daily_quota = models.PositiveIntegerField(
        _("walk-in numbers per day"), default=0, help_text=_("0 means no limit.")
    )
    walk_in_until = models.TimeField(
        _("last walk-in number at"),
        null=True,
        blank=True,
        help_text=_("Office time. Leave empty to give walk-in numbers until closing."),
    )
    cancel_release_minutes = models.PositiveIntegerField(
        _("release a cancelled slot after (minutes)"),
        default=0,
        help_text=_("A short delay makes trading slots through cancellations harder."),
    )
    standard_amount = models.PositiveSmallIntegerField(
        _("faster promise here: number"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    standard_unit = models.CharField(
        _("faster promise here: unit"),
        max_length=20,
        blank=True,
        choices=StandardUnit.choices,
        help_text=_("Only when this office promises better than the national standard."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["office__name", "ticket_letter"]
        verbose_name = _("service offered")
        verbose_name_plural = _("services offered")
        constraints = [
            models.UniqueConstraint(fields=["office", "service"], name="office_service_once"),
            models.UniqueConstraint(
                fields=["office", "ticket_letter"],
                name="office_ticket_letter_once",
                violation_error_message=_("Another service in this office has this letter."),
            ),
            models.CheckConstraint(
                condition=Q(ticket_letter__in=TICKET_LETTERS), name="office_service_letter"
            ),
            models.CheckConstraint(
                condition=Q(walk_in_reserve_percent__lte=100), name="office_service_reserve_percent"
            ),
            models.CheckConstraint(
                condition=Q(booking_window_days__gte=F("booking_opens_days_ahead")),
                name="office_service_window_after_opening",
                violation_error_message=_(
                    "The latest booking day must not come before the earliest."
                ),
            ),
            models.CheckConstraint(
                condition=_standard_is_whole(), name="office_service_standard_whole"
            ),
            models.CheckConstraint(
                condition=Q(release_day__gte=1, release_day__lte=28),
                name="office_service_release_day",
                violation_error_message=_("The release day must be between 1 and 28."),
            ),
            models.CheckConstraint(
                condition=Q(ballot_priority_percent__lte=100),
                name="office_service_ballot_priority_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.office} · {self.service}"

    @property
    def effective_minutes(self) -> int:
        return self.duration_minutes or self.service.average_minutes

    def clean(self) -> None:
        super().clean()
        if errors := _standard_errors(self.standard_amount, self.standard_unit):
            raise ValidationError(errors)

    @property
    def effective_standard(self) -> tuple[int | None, str]:
        """This office's own promise when it has one, else the national standard."""
        if self.standard_unit:
            return self.standard_amount, self.standard_unit
        return self.service.standard_amount, self.service.standard_unit

    @property
    def service_standard(self) -> str:
        return service_standard_text(*self.effective_standard)


class Counter(models.Model):
    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="counters", verbose_name=_("office")
    )
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1)])
    name = models.CharField(_("name"), max_length=60, blank=True)
    services = models.ManyToManyField(
        Service, related_name="counters", verbose_name=_("services it can serve"), blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["office__name", "number"]
        verbose_name = _("counter")
        verbose_name_plural = _("counters")
        constraints = [
            models.UniqueConstraint(fields=["office", "number"], name="counter_number_once"),
            models.CheckConstraint(condition=Q(number__gte=1), name="counter_number_positive"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or _("Counter %(number)s") % {"number": self.number}


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningHours(models.Model):
    """One weekday's hours in the office's own zone, with at most one break.

    A weekday without a row is closed. Friday usually has the longer break for Friday
    prayer (for example 11:30-13:30)."""

    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="opening_hours", verbose_name=_("office")
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens_at = models.TimeField(_("opens at"))
    closes_at = models.TimeField(_("closes at"))
    break_starts_at = models.TimeField(_("break starts"), null=True, blank=True)
    break_ends_at = models.TimeField(_("break ends"), null=True, blank=True)

    class Meta:
        ordering = ["office__name", "weekday"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.UniqueConstraint(fields=["office", "weekday"], name="opening_hours_once"),
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6), name="opening_hours_weekday"
            ),
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")),
                name="opening_hours_close_after_open",
                violation_error_message=_("The office must close after it opens."),
            ),
            models.CheckConstraint(
                condition=Q(break_starts_at__isnull=True, break_ends_at__isnull=True)
                | Q(
                    # Explicit IS NOT NULL: a comparison with NULL is unknown, and a
                    # CHECK that evaluates to unknown lets the row in.
                    break_starts_at__isnull=False,
                    break_ends_at__isnull=False,
                    break_starts_at__gt=F("opens_at"),
                    break_ends_at__gt=F("break_starts_at"),
                    break_ends_at__lt=F("closes_at"),
                ),
                name="opening_hours_break_inside",
                violation_error_message=_(
                    "A break needs both a start and an end, inside the opening hours."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.office} · {self.get_weekday_display()}"


class Closure(models.Model):
    """Days an office is closed besides national holidays and cuti bersama (which come
    from the holidays library): renovation, a local holiday, a system outage."""

    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="closures", verbose_name=_("office")
    )
    starts_on = models.DateField(_("first closed day"))
    ends_on = models.DateField(_("last closed day"))
    reason_id = models.CharField(_("reason (Indonesian)"), max_length=200)
    reason_en = models.CharField(_("reason (English)"), max_length=200)

    class Meta:
        ordering = ["starts_on"]
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="closure_ends_after_start",
                violation_error_message=_("The last closed day must not come before the first."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.office} · {self.starts_on}–{self.ends_on}"

    @property
    def reason(self) -> str:
        return in_current_language(self.reason_en, self.reason_id)
