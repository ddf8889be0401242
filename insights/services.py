"""Building the facts: one office day at a time, from the records of that day
(docs/insights.md says what each figure means).

`facts_build` replaces one office day's rows in one transaction under the office's row
lock, so building a day again gives the same rows and two builds never interleave.
`facts_build_due` builds the days an office has ended since its last built day (the
nightly job), and a rebuild of any past range is the same call per day
(`manage.py insights_build`). Only ended days are built: a day is done once the office's
midnight has passed, because its tickets and appointments still change until then.

Every figure is counted on the day and hour of the moment it describes, in the office's
zone: a ticket in the hour it joined the queue, a rating when it was given, a complaint
when it was filed and again when it was answered. Those moments never change, so a built
day stays true and the nightly job never has to build a day twice."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from assistant.models import Author, Turn
from booking.models import Booking, BookingStatus, Slot
from complaints.models import Complaint
from core.errors import ApplicationError
from core.versioned_cache import version_bump_on_commit
from insights.histogram import histogram_of
from insights.models import AssistantDay, ComplaintDay, CounterDay, FactsDay, ServiceHour
from insights.selectors import NATIONAL_FACTS_VERSION, facts_version
from offices.models import Office, OfficeService
from queueing.ikm import ELEMENT_KEYS as IKM_ELEMENT_KEYS
from queueing.models import (
    OPEN_STATUSES,
    ServiceRating,
    Ticket,
    TicketEvent,
    TicketEventKind,
    TicketSource,
    TicketStatus,
)
from scheduling.models import DayPlan

# A booking whose day has ended still `confirmed` missed it: the no-show sweep only has
# not run yet (it releases the place a few minutes after the slot starts).
_BOOKED = [BookingStatus.CONFIRMED, BookingStatus.ATTENDED, BookingStatus.NO_SHOW]
_MISSED = [BookingStatus.CONFIRMED, BookingStatus.NO_SHOW]


@dataclass
class _Hour:
    """One office-service hour being counted."""

    walk_ins: int = 0
    appointment_arrivals: int = 0
    served: int = 0
    abandoned: int = 0
    called_no_shows: int = 0
    not_served: int = 0
    waits: list[float] = field(default_factory=list)
    called_within_target: int = 0
    service_times: list[float] = field(default_factory=list)
    counters: set[int] = field(default_factory=set)
    counters_planned: float | None = None
    counters_needed: float | None = None
    walk_ins_forecast: float | None = None
    appointment_places: int = 0
    appointments_booked: int = 0
    appointments_attended: int = 0
    appointment_no_shows: int = 0
    ratings: Counter[int] = field(default_factory=Counter)
    ikm: dict[str, list[int]] = field(default_factory=dict)
    ikm_respondents: int = 0


def _day_span(office: Office, day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=office.zone)
    return start, datetime.combine(day + timedelta(days=1), time(0), tzinfo=office.zone)


def _minutes(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds() / 60


def _count_tickets(
    office: Office, day: date, targets: dict[int, int], hours: dict[tuple[int, int], _Hour]
) -> None:
    # The first call, not Ticket.called_at: a recall moves that, a transfer clears it.
    first_call = (
        TicketEvent.objects.filter(ticket=OuterRef("pk"), kind=TicketEventKind.CALLED)
        .order_by("at")
        .values("at")[:1]
    )
    tickets = (
        Ticket.objects.filter(office=office, local_date=day)
        .annotate(first_called_at=Subquery(first_call))
        .values_list(
            "office_service_id",
            "source",
            "status",
            "queued_at",
            "appointment_at",
            "serving_at",
            "finished_at",
            "first_called_at",
        )
    )
    zone = office.zone
    for service_id, source, status, queued, appointment, serving, finished, called in tickets:
        # An appointment checked in early queues from its appointment time (the queue
        # policy), so its wait counts from then.
        joined = max(queued, appointment) if appointment else queued
        hour = hours[(service_id, joined.astimezone(zone).hour)]
        if source == TicketSource.APPOINTMENT:
            hour.appointment_arrivals += 1
        else:
            hour.walk_ins += 1
        if called is not None:
            wait = _minutes(called, joined)
            hour.waits.append(wait)
            hour.called_within_target += wait <= targets[service_id]
        if status == TicketStatus.FINISHED:
            hour.served += 1
            if serving is not None and finished is not None:
                hour.service_times.append(_minutes(finished, serving))
        elif status == TicketStatus.LEFT:
            hour.abandoned += 1
        elif status == TicketStatus.NO_SHOW:
            hour.called_no_shows += 1
        elif status == TicketStatus.NOT_SERVED or status in OPEN_STATUSES:
            # Still open: the day's close has not run yet; it will end them not served.
            hour.not_served += 1

    counter_events = TicketEvent.objects.filter(
        ticket__office=office, ticket__local_date=day, counter__isnull=False
    ).values_list("ticket__office_service_id", "counter_id", "at")
    for service_id, counter_id, at in counter_events:
        hours[(service_id, at.astimezone(zone).hour)].counters.add(counter_id)

    start, end = _day_span(office, day)
    ratings = ServiceRating.objects.filter(
        ticket__office=office, created_at__gte=start, created_at__lt=end
    ).values_list("ticket__office_service_id", "created_at", "score")
    for service_id, given, score in ratings:
        hours[(service_id, given.astimezone(zone).hour)].ratings[score] += 1
    # The IKM questions count when they were answered, which may be after the rating.
    ikm_fields = [f"ikm_{key}" for key in IKM_ELEMENT_KEYS]
    answered = ServiceRating.objects.filter(
        ticket__office=office, ikm_answered_at__gte=start, ikm_answered_at__lt=end
    ).values_list("ticket__office_service_id", "ikm_answered_at", *ikm_fields)
    for service_id, at, *answers in answered:
        hour = hours[(service_id, at.astimezone(zone).hour)]
        hour.ikm_respondents += 1
        for key, answer in zip(IKM_ELEMENT_KEYS, answers, strict=True):
            if answer is not None:
                total = hour.ikm.setdefault(key, [0, 0])
                total[0] += answer
                total[1] += 1


def _count_appointments(office: Office, day: date, hours: dict[tuple[int, int], _Hour]) -> None:
    zone = office.zone
    slots = Slot.objects.filter(office_service__office=office, local_date=day).values_list(
        "office_service_id", "starts_at", "capacity"
    )
    for service_id, starts, capacity in slots:
        hours[(service_id, starts.astimezone(zone).hour)].appointment_places += capacity
    bookings = Booking.objects.filter(
        slot__office_service__office=office, slot__local_date=day, status__in=_BOOKED
    ).values_list("slot__office_service_id", "slot__starts_at", "status")
    for service_id, starts, status in bookings:
        hour = hours[(service_id, starts.astimezone(zone).hour)]
        hour.appointments_booked += 1
        if status == BookingStatus.ATTENDED:
            hour.appointments_attended += 1
        elif status in _MISSED:
            hour.appointment_no_shows += 1


def _mean(values: list[float]) -> float:
    return round(sum(values) / len(values), 3)


def _count_plan(office: Office, day: date, hours: dict[tuple[int, int], _Hour]) -> None:
    """The day's plan as last solved: counters planned and needed (mean of the hour's
    half-hour blocks) and walk-ins forecast (their sum), per office-service."""
    plan = DayPlan.objects.filter(office=office, local_date=day).first()
    instance: dict[str, Any] = (plan.instance if plan else None) or {}
    solution: dict[str, Any] = (plan.solution if plan else None) or {}
    labels: list[str] = instance.get("blocks", [])
    if not labels:
        return
    block_hours = [int(label[:2]) for label in labels]
    by_code = dict(OfficeService.objects.filter(office=office).values_list("service__code", "pk"))

    def per_hour(values: list[float]) -> Iterator[tuple[int, list[float]]]:
        grouped: dict[int, list[float]] = defaultdict(list)
        for block_hour, value in zip(block_hours, values, strict=False):
            grouped[block_hour].append(value)
        yield from grouped.items()

    for planned in instance.get("services", []):
        service_id = by_code.get(planned["id"])
        if service_id is None:
            continue
        for at, values in per_hour(planned.get("walk_in_forecast", [])):
            hours[(service_id, at)].walk_ins_forecast = round(sum(values), 3)
        solved = solution.get("services", {}).get(planned["id"])
        if not solved:
            continue
        for at, values in per_hour(solved["counters"]):
            hours[(service_id, at)].counters_planned = _mean(values)
        for at, values in per_hour(solved["need"]):
            hours[(service_id, at)].counters_needed = _mean(values)


def _service_hours(office: Office, day: date) -> list[ServiceHour]:
    # The target in force when the day is built: a past day's own is not kept anywhere.
    targets = dict(
        OfficeService.objects.filter(office=office).values_list("pk", "target_wait_minutes")
    )
    hours: dict[tuple[int, int], _Hour] = defaultdict(_Hour)
    _count_tickets(office, day, targets, hours)
    _count_appointments(office, day, hours)
    _count_plan(office, day, hours)
    return [
        ServiceHour(
            office=office,
            office_service_id=service_id,
            local_date=day,
            hour=at,
            walk_ins=hour.walk_ins,
            appointment_arrivals=hour.appointment_arrivals,
            served=hour.served,
            abandoned=hour.abandoned,
            called_no_shows=hour.called_no_shows,
            not_served=hour.not_served,
            waits=histogram_of(hour.waits),
            target_wait_minutes=targets[service_id],
            called_within_target=hour.called_within_target,
            service_times=histogram_of(hour.service_times),
            counters_active=len(hour.counters),
            counters_planned=hour.counters_planned,
            counters_needed=hour.counters_needed,
            walk_ins_forecast=hour.walk_ins_forecast,
            appointment_places=hour.appointment_places,
            appointments_booked=hour.appointments_booked,
            appointments_attended=hour.appointments_attended,
            appointment_no_shows=hour.appointment_no_shows,
            ratings={str(score): hour.ratings[score] for score in sorted(hour.ratings)},
            ikm={key: hour.ikm[key] for key in IKM_ELEMENT_KEYS if key in hour.ikm},
            ikm_respondents=hour.ikm_respondents,
        )
        for (service_id, at), hour in sorted(hours.items())
    ]


def _counter_days(office: Office, day: date) -> list[CounterDay]:
    """Service times per counter: each ticket served, at the counter that finished it."""
    times: dict[tuple[int, int], list[float]] = defaultdict(list)
    served = Ticket.objects.filter(
        office=office,
        local_date=day,
        status=TicketStatus.FINISHED,
    ).values_list("counter_id", "office_service_id", "serving_at", "finished_at")
    for counter_id, service_id, serving, finished in served:
        if counter_id is not None and serving is not None and finished is not None:
            times[(counter_id, service_id)].append(_minutes(finished, serving))
    return [
        CounterDay(
            office=office,
            counter_id=counter_id,
            office_service_id=service_id,
            local_date=day,
            served=len(durations),
            service_times=histogram_of(durations),
        )
        for (counter_id, service_id), durations in sorted(times.items())
    ]


def _complaint_days(office: Office, day: date) -> list[ComplaintDay]:
    start, end = _day_span(office, day)
    rows: dict[tuple[str, bool], ComplaintDay] = {}

    def row(category: str, pungli: bool) -> ComplaintDay:
        key = (category, pungli)
        if key not in rows:
            rows[key] = ComplaintDay(
                office=office, local_date=day, category=category, pungli=pungli
            )
        return rows[key]

    received = Complaint.objects.filter(
        office=office, filed_at__gte=start, filed_at__lt=end
    ).values_list("category", "pungli")
    for category, pungli in received:
        row(category, pungli).received += 1
    # Answered on this day: within time when the office's day of the answer is no later
    # than the due date (both in office days), so an answer at 16:00 on the due day is.
    answered = Complaint.objects.filter(
        office=office, answered_at__gte=start, answered_at__lt=end
    ).values_list("category", "pungli", "due_on")
    for category, pungli, due_on in answered:
        counted = row(category, pungli)
        counted.answered += 1
        counted.answered_in_time += day <= due_on
    return [rows[key] for key in sorted(rows)]


def _assistant_days(office: Office, day: date) -> list[AssistantDay]:
    start, end = _day_span(office, day)
    unsure_below = settings.GILIRAN_ASSISTANT_MIN_CONFIDENCE
    rows: dict[tuple[str, str], AssistantDay] = {}
    turns = Turn.objects.filter(
        author=Author.CITIZEN,
        conversation__office=office,
        created_at__gte=start,
        created_at__lt=end,
    ).values_list("conversation__channel", "intent", "confidence")
    for channel, intent, confidence in turns:
        key = (channel, intent)
        if key not in rows:
            rows[key] = AssistantDay(office=office, local_date=day, channel=channel, intent=intent)
        rows[key].messages += 1
        rows[key].unsure += confidence is not None and confidence < unsure_below
    return [rows[key] for key in sorted(rows)]


def facts_build(*, office: Office, day: date, now: datetime | None = None) -> None:
    """Build one ended office day's facts, replacing any built before."""
    now = now or timezone.now()
    if day >= office.local_date(now):
        raise ApplicationError(
            "day_not_ended",
            _("Facts are built only for days that have ended in the office's time."),
        )
    with transaction.atomic():
        Office.objects.select_for_update().filter(pk=office.pk).first()
        ServiceHour.objects.filter(office=office, local_date=day).delete()
        CounterDay.objects.filter(office=office, local_date=day).delete()
        ComplaintDay.objects.filter(office=office, local_date=day).delete()
        AssistantDay.objects.filter(office=office, local_date=day).delete()
        ServiceHour.objects.bulk_create(_service_hours(office, day))
        CounterDay.objects.bulk_create(_counter_days(office, day))
        ComplaintDay.objects.bulk_create(_complaint_days(office, day))
        AssistantDay.objects.bulk_create(_assistant_days(office, day))
        FactsDay.objects.update_or_create(office=office, local_date=day, defaults={"built_at": now})
        version_bump_on_commit(facts_version(office.pk), NATIONAL_FACTS_VERSION)


def facts_days_due(*, office: Office, now: datetime | None = None) -> list[date]:
    """The ended days after the office's last built day; on the first run, the last
    GILIRAN_INSIGHTS_FIRST_DAYS of them."""
    now = now or timezone.now()
    yesterday = office.local_date(now) - timedelta(days=1)
    last = FactsDay.objects.filter(office=office).aggregate(last=Max("local_date"))["last"]
    first = (
        last + timedelta(days=1)
        if last
        else yesterday - timedelta(days=settings.GILIRAN_INSIGHTS_FIRST_DAYS - 1)
    )
    return [first + timedelta(days=n) for n in range((yesterday - first).days + 1)]


def facts_build_due(*, office: Office, now: datetime | None = None) -> int:
    """The nightly step for one office: build every day it has ended since the last."""
    now = now or timezone.now()
    days = facts_days_due(office=office, now=now)
    for day in days:
        facts_build(office=office, day=day, now=now)
    return len(days)
