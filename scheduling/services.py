"""Turns the catalog into bookable slots. Booking reads capacity only through
booking.selectors.availability; this module (and later the optimiser) writes it."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from booking.availability_cache import availability_changed
from booking.models import Slot
from core.errors import ApplicationError
from offices.models import Office, OfficeService, Role
from offices.permissions import require_office_role
from offices.selectors import closed_days
from scheduling.default_plan import DayHours, ServiceRule, plan_day


def _office_inputs(
    office: Office,
) -> tuple[dict[int, DayHours], list[ServiceRule], list[frozenset[int]]]:
    hours = {
        h.weekday: DayHours(h.opens_at, h.closes_at, h.break_starts_at, h.break_ends_at)
        for h in office.opening_hours.all()
    }
    offered = list(
        OfficeService.objects.filter(
            office=office, is_active=True, service__is_active=True
        ).select_related("service")
    )
    rules = [
        ServiceRule(
            key=os.pk,
            duration_minutes=os.effective_minutes,
            slot_minutes=os.slot_minutes,
            reserve_percent=os.walk_in_reserve_percent,
            takes_appointments=os.service.accepts_appointments,
        )
        for os in offered
    ]
    by_service = {os.service_id: os.pk for os in offered}
    skills = [
        frozenset(by_service[s.pk] for s in counter.services.all() if s.pk in by_service)
        for counter in office.counters.filter(is_active=True).prefetch_related("services")
    ]
    return hours, rules, skills


def default_plan_extend(*, office: Office, first: date, last: date) -> int:
    """Create the default plan's slots for every open day in [first, last] that has none
    yet. Existing slots are left alone: they may hold bookings or a supervisor's change.
    Writes no DayPlan, so the queue's walk-in limits stay as they are (the fixed quota
    until the optimiser plans a day). Returns the number of slots created. Idempotent."""
    hours, rules, skills = _office_inputs(office)
    closed = {c.day for c in closed_days(office, first, last)}
    new_slots = []
    day = first
    while day <= last:
        if day not in closed:
            for planned in plan_day(
                day=day,
                zone_name=office.timezone,
                hours=hours.get(day.weekday()),
                services=rules,
                counter_skills=skills,
            ):
                new_slots.append(
                    Slot(
                        office_service_id=planned.key,
                        starts_at=planned.starts_at,
                        ends_at=planned.ends_at,
                        local_date=day,
                        capacity=planned.capacity,
                    )
                )
        day += timedelta(days=1)
    with transaction.atomic():
        before = Slot.objects.filter(
            office_service__office=office, local_date__range=(first, last)
        ).count()
        Slot.objects.bulk_create(new_slots, ignore_conflicts=True, batch_size=2000)
        after = Slot.objects.filter(
            office_service__office=office, local_date__range=(first, last)
        ).count()
        if after > before:
            availability_changed({slot.office_service_id for slot in new_slots})
    return after - before


def default_plan_extend_window(*, office: Office, now: datetime) -> int:
    """Slots for the office's longest booking window from today (its own time zone),
    plus a week so that each newly released day already has its slots."""
    longest = max(
        OfficeService.objects.filter(office=office, is_active=True).values_list(
            "booking_window_days", flat=True
        ),
        default=0,
    )
    today = office.local_date(now)
    return default_plan_extend(office=office, first=today, last=today + timedelta(days=longest + 7))


def slot_capacities_set(*, office: Office, changes: dict[int, int], by: User) -> int:
    """A supervisor sets the capacity of some of an office's slots: all or nothing.

    Each change is a conditional UPDATE (`WHERE taken <= new capacity`), so a claim that
    lands meanwhile cannot be cut off, and the slot's CHECK constraint backs it: capacity
    never drops below what is booked or held (brief, invariant 4). Returns slots changed."""
    require_office_role(by, office, at_least=Role.SUPERVISOR)
    errors: dict[str, list[str]] = {}
    with transaction.atomic():
        for slot_id, capacity in sorted(changes.items()):
            if capacity < 0 or capacity > 1000:
                errors[f"slot-{slot_id}"] = [_("Enter a number from 0 to 1000.")]
                continue
            slot = Slot.objects.filter(pk=slot_id, office_service__office=office)
            if not slot.filter(taken__lte=capacity).update(capacity=capacity):
                taken = slot.values_list("taken", flat=True).first()
                if taken is None:
                    errors[f"slot-{slot_id}"] = [_("This slot is not part of this office.")]
                else:
                    errors[f"slot-{slot_id}"] = [
                        _(
                            "%(taken)d already booked or held here: "
                            "the capacity cannot go below that."
                        )
                        % {"taken": taken}
                    ]
        availability_changed(
            Slot.objects.filter(pk__in=changes, office_service__office=office)
            .values_list("office_service_id", flat=True)
            .distinct()
        )
        if errors:
            transaction.set_rollback(True)
            raise ApplicationError(
                "below_booked",
                _("Nothing was saved: some capacities are below what is already booked."),
                fields=errors,
            )
    return len(changes)
