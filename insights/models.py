"""The facts insights keeps: one row per office-service and hour of a day, one per
office, day and complaint category, one per office, day, channel and intent of the
assistant, and one per office and day saying when its facts were built (docs/insights.md).

Rows hold counts and minute histograms only: no ticket, booking, complaint or turn is
named, so they outlive the retention that erases the records they were built from.
Every row belongs to an office day in the office's own time; an aggregation replaces
all of one office day's rows at once."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from offices.models import Counter, Office, OfficeService


class FactsDay(models.Model):
    """An office day whose facts are built: the nightly job builds the days after the
    last one here; a rebuild of a range replaces them."""

    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="+", verbose_name=_("office")
    )
    local_date = models.DateField(_("day (office time)"))
    built_at = models.DateTimeField(_("built"))

    class Meta:
        verbose_name = _("office day of facts")
        verbose_name_plural = _("office days of facts")
        constraints = [
            models.UniqueConstraint(fields=["office", "local_date"], name="facts_day_once")
        ]

    def __str__(self) -> str:
        return f"{self.office_id} {self.local_date}"


class ServiceHour(models.Model):
    """What the queue and the appointments of one office-service did in one hour of the
    office's day. Tickets count in the hour they joined the queue (an appointment
    checked in early: its appointment's hour); ratings in the hour they were given."""

    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="+", verbose_name=_("office")
    )
    office_service = models.ForeignKey(
        OfficeService, on_delete=models.CASCADE, related_name="+", verbose_name=_("service")
    )
    local_date = models.DateField(_("day (office time)"))
    hour = models.PositiveSmallIntegerField(_("hour (office time)"))

    walk_ins = models.PositiveIntegerField(_("walk-in arrivals"), default=0)
    appointment_arrivals = models.PositiveIntegerField(_("appointments checked in"), default=0)
    served = models.PositiveIntegerField(_("served"), default=0)
    abandoned = models.PositiveIntegerField(_("left before being called"), default=0)
    called_no_shows = models.PositiveIntegerField(_("called but did not come"), default=0)
    not_served = models.PositiveIntegerField(_("not served by closing time"), default=0)
    # Minutes from joining the queue to the first call, of every ticket called.
    waits = models.JSONField(_("waits (minute histogram)"), default=dict)
    target_wait_minutes = models.PositiveSmallIntegerField(_("wait target (minutes)"))
    called_within_target = models.PositiveIntegerField(_("called within the target"), default=0)
    # Minutes from the start of service to its end, of every ticket served.
    service_times = models.JSONField(_("service times (minute histogram)"), default=dict)
    counters_active = models.PositiveSmallIntegerField(_("counters that called"), default=0)
    counters_planned = models.FloatField(_("counters planned"), null=True)
    counters_needed = models.FloatField(_("counters needed by the plan"), null=True)
    walk_ins_forecast = models.FloatField(_("walk-ins forecast"), null=True)

    appointment_places = models.PositiveIntegerField(_("appointment places"), default=0)
    appointments_booked = models.PositiveIntegerField(_("appointments booked"), default=0)
    appointments_attended = models.PositiveIntegerField(_("appointments attended"), default=0)
    appointment_no_shows = models.PositiveIntegerField(_("appointments missed"), default=0)

    # Scores of the survey after service: {"1": n, …, "5": n}.
    ratings = models.JSONField(_("ratings (count per score)"), default=dict)
    # The IKM questions answered in the hour: {element: [sum of answers, answers]}, and
    # how many citizens answered at least one (queueing/ikm.py).
    ikm = models.JSONField(_("IKM answers (sum and count per element)"), default=dict)
    ikm_respondents = models.PositiveIntegerField(_("IKM respondents"), default=0)

    class Meta:
        verbose_name = _("service hour")
        verbose_name_plural = _("service hours")
        constraints = [
            models.UniqueConstraint(
                fields=["office_service", "local_date", "hour"], name="service_hour_once"
            ),
            models.CheckConstraint(condition=Q(hour__lte=23), name="service_hour_in_day"),
        ]
        indexes = [models.Index(fields=["office", "local_date"], name="service_hour_by_office_day")]

    def __str__(self) -> str:
        return f"{self.office_service_id} {self.local_date} {self.hour:02d}"


class CounterDay(models.Model):
    """What one counter finished for one office-service on an office day: for the
    supervisors' service times per counter. A counter, never a clerk, and never public."""

    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="+", verbose_name=_("office")
    )
    counter = models.ForeignKey(
        Counter, on_delete=models.CASCADE, related_name="+", verbose_name=_("counter")
    )
    office_service = models.ForeignKey(
        OfficeService, on_delete=models.CASCADE, related_name="+", verbose_name=_("service")
    )
    local_date = models.DateField(_("day (office time)"))
    served = models.PositiveIntegerField(_("served"), default=0)
    service_times = models.JSONField(_("service times (minute histogram)"), default=dict)

    class Meta:
        verbose_name = _("counter day")
        verbose_name_plural = _("counter days")
        constraints = [
            models.UniqueConstraint(
                fields=["counter", "office_service", "local_date"], name="counter_day_once"
            )
        ]
        indexes = [models.Index(fields=["office", "local_date"], name="counter_day_by_office_day")]

    def __str__(self) -> str:
        return f"{self.counter_id} {self.office_service_id} {self.local_date}"


class ComplaintDay(models.Model):
    """Complaints to an office on one of its days, per category: received that day, and
    answered that day (within their due date or late). Pungli reports are their own
    rows, read only where integrity officers may read them."""

    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="+", verbose_name=_("office")
    )
    local_date = models.DateField(_("day (office time)"))
    category = models.CharField(_("category"), max_length=20)
    pungli = models.BooleanField(_("illegal levy (pungli)"), default=False)
    received = models.PositiveIntegerField(_("received"), default=0)
    answered = models.PositiveIntegerField(_("answered"), default=0)
    answered_in_time = models.PositiveIntegerField(_("answered by the due date"), default=0)

    class Meta:
        verbose_name = _("complaint day")
        verbose_name_plural = _("complaint days")
        constraints = [
            models.UniqueConstraint(
                fields=["office", "local_date", "category", "pungli"], name="complaint_day_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.office_id} {self.local_date} {self.category}"


class AssistantDay(models.Model):
    """Citizens' messages to the assistant about an office on one of its days, per
    channel and intent; `unsure` counts those understood below the confidence the
    assistant acts on (GILIRAN_ASSISTANT_MIN_CONFIDENCE)."""

    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="+", verbose_name=_("office")
    )
    local_date = models.DateField(_("day (office time)"))
    channel = models.CharField(_("channel"), max_length=10)
    intent = models.CharField(_("intent"), max_length=20)
    messages = models.PositiveIntegerField(_("messages"), default=0)
    unsure = models.PositiveIntegerField(_("messages not understood"), default=0)

    class Meta:
        verbose_name = _("assistant day")
        verbose_name_plural = _("assistant days")
        constraints = [
            models.UniqueConstraint(
                fields=["office", "local_date", "channel", "intent"], name="assistant_day_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.office_id} {self.local_date} {self.channel} {self.intent}"
