"""Tickets, their append-only history, and each counter's state.

A ticket is called by exactly one counter at a time (brief, invariant 3): calling is a
conditional UPDATE from `waiting`, and a partial unique index allows each counter at
most one ticket that is called or being served."""

from __future__ import annotations

from itertools import combinations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from booking.models import Booking, PriorityGroup
from notifications.relations import messages_about
from offices.models import Counter, Office, OfficeService
from queueing.ikm import ELEMENT_KEYS as IKM_ELEMENT_KEYS


class TicketSource(models.TextChoices):
    APPOINTMENT = "appointment", _("Checked-in appointment")
    KIOSK = "kiosk", _("Walk-in at the kiosk")
    REMOTE = "remote", _("Walk-in from a phone")
    STAFF = "staff", _("Issued by staff")


class TicketStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    CALLED = "called", _("Called")
    SERVING = "serving", _("Being served")
    PARKED = "parked", _("Parked")
    FINISHED = "finished", _("Finished")
    NO_SHOW = "no_show", _("Did not come")
    LEFT = "left", _("Left the queue")
    NOT_SERVED = "not_served", _("Not served (office closed)")


OPEN_STATUSES = [
    TicketStatus.WAITING,
    TicketStatus.CALLED,
    TicketStatus.SERVING,
    TicketStatus.PARKED,
]
CURRENT_STATUSES = [TicketStatus.CALLED, TicketStatus.SERVING]
# Numbers taken on the day (not a booking's check-in): they count against the walk-in
# quota and make the walk-in history the forecast learns from.
WALK_IN_SOURCES = [TicketSource.KIOSK, TicketSource.REMOTE, TicketSource.STAFF]


class Ticket(models.Model):
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("office")
    )
    office_service = models.ForeignKey(
        OfficeService, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("service")
    )
    local_date = models.DateField(_("day (office time)"))
    letter = models.CharField(_("letter"), max_length=1)
    number = models.PositiveIntegerField(_("number"))
    source = models.CharField(_("source"), max_length=12, choices=TicketSource.choices)
    booking = models.OneToOneField(
        Booking,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ticket",
        verbose_name=_("booking"),
    )
    priority_group = models.CharField(
        _("priority group"), max_length=12, choices=PriorityGroup.choices, blank=True, default=""
    )
    status = models.CharField(
        _("status"), max_length=12, choices=TicketStatus.choices, default=TicketStatus.WAITING
    )
    # Place in the queue: the issue time, kept through transfers and parking.
    queued_at = models.DateTimeField(_("in the queue since"))
    appointment_at = models.DateTimeField(_("appointment time"), null=True, blank=True)
    counter = models.ForeignKey(
        Counter,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("counter"),
    )
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)
    serving_at = models.DateTimeField(_("service started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    recalls = models.PositiveSmallIntegerField(_("recalls"), default=0)
    public_token = models.CharField(max_length=32, unique=True, editable=False)
    # The wait we showed when the ticket was issued, kept to measure our honesty.
    estimate_low_minutes = models.PositiveIntegerField(null=True, blank=True)
    estimate_high_minutes = models.PositiveIntegerField(null=True, blank=True)
    contact_phone = models.CharField(max_length=20, blank=True)
    contact_email = models.EmailField(blank=True)
    language = models.CharField(max_length=5, default="id")
    # Set when retention erased the contact and the survey comment (core.retention).
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, editable=False)
    # The outbox's messages about this ticket (no column: Message.subject points here).
    messages = messages_about(related_query_name="ticket")

    class Meta:
        ordering = ["queued_at"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        constraints = [
            models.UniqueConstraint(
                fields=["office", "local_date", "letter", "number"], name="ticket_number_once"
            ),
            models.UniqueConstraint(
                fields=["counter"],
                condition=Q(status__in=CURRENT_STATUSES),
                name="one_current_ticket_per_counter",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=CURRENT_STATUSES) | Q(counter__isnull=False),
                name="called_ticket_has_a_counter",
            ),
        ]
        indexes = [
            models.Index(
                fields=["office", "local_date", "office_service", "queued_at"],
                condition=Q(status="waiting"),
                name="ticket_waiting",
            )
        ]

    def __str__(self) -> str:
        return self.display_number

    @property
    def display_number(self) -> str:
        return f"{self.letter}-{self.number:03d}"


class TicketSequence(models.Model):
    """The last number given per office, day and letter; numbering takes a row lock here."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="+")
    local_date = models.DateField()
    letter = models.CharField(max_length=1)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["office", "local_date", "letter"], name="ticket_sequence_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.office_id} {self.local_date} {self.letter}{self.last_number}"


class WalkInCapacity(models.Model):
    """The walk-in numbers the capacity plan leaves for an office-service on a day. The
    planner pushes it here whenever it writes a day's plan (scheduling/planning.py); the
    queue reads nothing of the plan. No row: the optimiser has not planned the day, and
    the office-service's fixed daily quota applies."""

    office_service = models.ForeignKey(
        OfficeService, on_delete=models.CASCADE, related_name="+", verbose_name=_("service")
    )
    local_date = models.DateField(_("day (office time)"))
    capacity = models.PositiveIntegerField(_("walk-ins planned"))

    class Meta:
        verbose_name = _("planned walk-in capacity")
        verbose_name_plural = _("planned walk-in capacities")
        constraints = [
            models.UniqueConstraint(
                fields=["office_service", "local_date"], name="walk_in_capacity_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.office_service_id} {self.local_date} {self.capacity}"


class TicketEventKind(models.TextChoices):
    ISSUED = "issued", _("Issued")
    CALLED = "called", _("Called")
    RECALLED = "recalled", _("Called again")
    SERVING = "serving", _("Service started")
    FINISHED = "finished", _("Finished")
    NO_SHOW = "no_show", _("Did not come")
    TRANSFERRED = "transferred", _("Transferred")
    PARKED = "parked", _("Parked")
    UNPARKED = "unparked", _("Back in the queue")
    LEFT = "left", _("Left the queue")
    NOT_SERVED = "not_served", _("Not served")


class TicketEvent(models.Model):
    """Append-only: the queue services only ever insert here (reports and forecasts read it)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=12, choices=TicketEventKind.choices)
    at = models.DateTimeField()
    counter = models.ForeignKey(
        Counter, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        indexes = [models.Index(fields=["ticket", "at"], name="ticket_event_by_ticket")]

    def __str__(self) -> str:
        return f"{self.ticket} {self.kind} {self.at:%H:%M:%S}"


class CounterStatus(models.TextChoices):
    CLOSED = "closed", _("Closed")
    OPEN = "open", _("Open")
    PAUSED = "paused", _("Paused")


class CounterState(models.Model):
    counter = models.OneToOneField(Counter, on_delete=models.CASCADE, related_name="state")
    status = models.CharField(
        max_length=8, choices=CounterStatus.choices, default=CounterStatus.CLOSED
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("counter state")
        verbose_name_plural = _("counter states")

    def __str__(self) -> str:
        return f"{self.counter} {self.status}"


class ServiceRating(models.Model):
    """The survey after service: one tap (1–5) and an optional comment, then, if the
    citizen goes on, the nine IKM elements of PermenPANRB 14/2017 (queueing/ikm.py),
    each 1–4 or skipped, answered once."""

    ticket = models.OneToOneField(
        Ticket, on_delete=models.CASCADE, related_name="rating", verbose_name=_("ticket")
    )
    score = models.PositiveSmallIntegerField(_("score (1–5)"))
    comment = models.TextField(_("comment"), blank=True, max_length=1000)
    created_at = models.DateTimeField(_("answered"), auto_now_add=True)
    ikm_requirements = models.PositiveSmallIntegerField(
        _("IKM: requirements"), null=True, blank=True
    )
    ikm_procedure = models.PositiveSmallIntegerField(_("IKM: procedure"), null=True, blank=True)
    ikm_time = models.PositiveSmallIntegerField(_("IKM: time"), null=True, blank=True)
    ikm_cost = models.PositiveSmallIntegerField(_("IKM: cost"), null=True, blank=True)
    ikm_product = models.PositiveSmallIntegerField(_("IKM: product"), null=True, blank=True)
    ikm_competence = models.PositiveSmallIntegerField(_("IKM: competence"), null=True, blank=True)
    ikm_conduct = models.PositiveSmallIntegerField(_("IKM: conduct"), null=True, blank=True)
    ikm_complaints = models.PositiveSmallIntegerField(
        _("IKM: complaint handling"), null=True, blank=True
    )
    ikm_facilities = models.PositiveSmallIntegerField(_("IKM: facilities"), null=True, blank=True)
    ikm_answered_at = models.DateTimeField(_("IKM answered"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("service rating")
        verbose_name_plural = _("service ratings")
        # The nightly facts read one day's ratings and IKM answers (insights/services.py).
        indexes = [
            models.Index(fields=["created_at"], name="rating_by_day"),
            models.Index(
                fields=["ikm_answered_at"],
                condition=Q(ikm_answered_at__isnull=False),
                name="rating_ikm_by_day",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="rating_score_1_to_5"
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"ikm_{key}__isnull": True})
                    | Q(**{f"ikm_{key}__gte": 1, f"ikm_{key}__lte": 4}),
                    name=f"rating_ikm_{key}_1_to_4",
                )
                for key in IKM_ELEMENT_KEYS
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket} · {self.score}"


class KioskDevice(models.Model):
    """A tablet an office administrator registered as this office's kiosk. Its token is
    shown once at creation and stored only as a keyed hash (HMAC); the kiosk page and the
    check-in API serve only a device that presents it, until it is revoked."""

    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="kiosk_devices", verbose_name=_("office")
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("Where it stands, e.g. “Entrance, left”.")
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
        editable=False,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("kiosk device")
        verbose_name_plural = _("kiosk devices")
        ordering = ["office", "name"]

    def __str__(self) -> str:
        return f"{self.office.code}: {self.name}"


# The counter console's single-key shortcuts: the console buttons that have one (by the
# action's name, `_` for `-`) and their default keys, in the order the console lists them.
SHORTCUT_DEFAULTS: dict[str, str] = {
    "next": "n",
    "recall": "r",
    "start": "s",
    "finish": "f",
    "no_show": "x",
    "park": "p",
    "transfer": "t",
    "open": "o",
    "pause": "z",
}
# What a key may be: one lower-case letter or digit (typed upper case, it is lowered).
SHORTCUT_KEYS = "abcdefghijklmnopqrstuvwxyz0123456789"


def _shortcut_keys_valid() -> Q:
    """Each key one letter or digit, and no two buttons on the same key."""
    fields = [f"key_{name}" for name in SHORTCUT_DEFAULTS]
    condition = Q()
    for field in fields:
        condition &= Q(**{f"{field}__in": list(SHORTCUT_KEYS)})
    for one, other in combinations(fields, 2):
        condition &= ~Q(**{one: F(other)})
    return condition


class ConsoleShortcuts(models.Model):
    """One staff member's single-key shortcuts on the counter console (WCAG 2.1.4: they
    can be turned off, and each remapped). Without a row they are on, with the default
    keys (SHORTCUT_DEFAULTS); the choice follows the person to any counter and browser."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    enabled = models.BooleanField(_("single-key shortcuts on"), default=True)
    key_next = models.CharField(max_length=1, default=SHORTCUT_DEFAULTS["next"])
    key_recall = models.CharField(max_length=1, default=SHORTCUT_DEFAULTS["recall"])
    key_start = models.CharField(max_length=1, default=SHORTCUT_DEFAULTS["start"])
    key_finish = models.CharField(max_length=1, default=SHORTCUT_DEFAULTS["finish"])
    key_no_show = models.CharField(max_length=1, default=SHORTCUT_DEFAULTS["no_show"])
    key_park = models.CharField(max_length=1, default=SHORTCUT_DEFAULTS["park"])
    key_transfer = models.CharField(max_length=1, default=SHORTCUT_DEFAULTS["transfer"])
    key_open = models.CharField(max_length=1, default=SHORTCUT_DEFAULTS["open"])
    key_pause = models.CharField(max_length=1, default=SHORTCUT_DEFAULTS["pause"])

    class Meta:
        verbose_name = _("console shortcuts")
        verbose_name_plural = _("console shortcuts")
        constraints = [
            models.CheckConstraint(
                condition=_shortcut_keys_valid(), name="console_shortcut_keys_distinct"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {'on' if self.enabled else 'off'}"

    def keys(self) -> dict[str, str]:
        return {name: getattr(self, f"key_{name}") for name in SHORTCUT_DEFAULTS}
