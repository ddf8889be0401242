"""Planning an office-day and applying the plan: the solver's appointment quotas become
the slots' capacities, and a supervisor's adjustment is checked against the bookings it
would strand before anything changes.

The solver (scheduling/solver/) knows nothing of Django: `day_instance` turns rows into
its JSON instance, and this module writes its solution back. Every write here runs in one
transaction, locks the day's slot rows in ascending id order (the lock order of
booking.services.capacity), and changes a capacity only by a conditional UPDATE that
keeps it at or above what is taken (brief, invariant 4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booking.availability_cache import availability_changed
from booking.models import Booking, Slot
from booking.services.capacity import slots_lock
from booking.services.office_moves import bookings_move_elsewhere
from core.errors import ApplicationError
from offices.models import Office, OfficeService, Role
from offices.permissions import require_office_role
from queueing.services.issue import walk_in_capacities_set
from scheduling.explain import plan_brief
from scheduling.models import DayPlan, PlanChange, PlanStatus
from scheduling.selectors import DayFrame, day_frame, day_instance
from scheduling.solver import greedy_plan, load_instance, solve
from scheduling.solver.checks import InstanceError


def _slot_capacities(slots: list[Slot], frame: DayFrame, quotas: list[int]) -> dict[int, int]:
    """Spread each block's appointment quota over the service's slots in that block:
    first what each slot already holds, then the rest one by one in time order. A slot
    outside every block (hours changed since) keeps exactly what it holds."""
    by_block: dict[int | None, list[Slot]] = {}
    for slot in sorted(slots, key=lambda s: s.starts_at):
        by_block.setdefault(frame.index_of(slot.starts_at), []).append(slot)
    capacities = {slot.pk: slot.taken for slot in slots}
    for block, members in by_block.items():
        if block is None:
            continue
        left = quotas[block] - sum(slot.taken for slot in members)
        i = 0
        while left > 0:
            capacities[members[i % len(members)].pk] += 1
            left -= 1
            i += 1
    return capacities


def _apply(office: Office, day: date, frame: DayFrame, solution: dict[str, Any]) -> None:
    """Write the solution's quotas into the day's slots (call in a transaction)."""
    offered = {
        os.pk: os.service.code
        for os in OfficeService.objects.filter(office=office).select_related("service")
    }
    slots = list(Slot.objects.filter(office_service__office=office, local_date=day))
    slots_lock({slot.pk for slot in slots})
    for slot in slots:
        slot.refresh_from_db(fields=["taken", "capacity"])
    by_service: dict[int, list[Slot]] = {}
    for slot in slots:
        by_service.setdefault(slot.office_service_id, []).append(slot)
    for office_service_id, members in by_service.items():
        outcome = solution["services"].get(offered[office_service_id])
        quotas = outcome["appointment_quota"] if outcome else [0] * len(frame.labels)
        for slot_id, capacity in _slot_capacities(members, frame, quotas).items():
            Slot.objects.filter(pk=slot_id, taken__lte=capacity).update(capacity=capacity)
    availability_changed(by_service)


def _plan_write(plan: DayPlan, **fields: Any) -> None:
    """Change the plan row and hand its walk-in capacity per office-service down to the
    queue (queueing.WalkInCapacity) in the same transaction: the queue reads only that
    copy. Every write of a plan's status or solution goes through here. The UPDATE comes
    first, so its row lock puts two writers of the same day in order and the copy ends
    as the plan does. Refreshes `plan`."""
    with transaction.atomic():
        DayPlan.objects.filter(pk=plan.pk).update(**fields)
        plan.refresh_from_db()
        walk_in_capacities_set(
            office=plan.office, day=plan.local_date, capacities=_planned_walk_ins(plan)
        )


def _planned_walk_ins(plan: DayPlan) -> dict[int, int]:
    """Walk-ins the plan leaves per office-service of its office (id → walk-ins); none
    where the optimiser has not planned the day (see DayPlan.walk_in_capacity)."""
    offered = OfficeService.objects.filter(office_id=plan.office_id).select_related("service")
    planned = {os.pk: plan.walk_in_capacity(os.service.code) for os in offered}
    # Never below 0 (the solver leaves no less); the queue takes at least 1 anyway.
    return {pk: max(capacity, 0) for pk, capacity in planned.items() if capacity is not None}


def day_plan_solve(*, office: Office, day: date, now: datetime | None = None) -> DayPlan:
    """Plan the day with CP-SAT and make it the booking capacity. A solve that cannot
    cover the bookings leaves every slot at least at what it holds, and says why."""
    now = now or timezone.now()
    plan, _created = DayPlan.objects.get_or_create(office=office, local_date=day)
    frame = day_frame(office, day)
    instance_data = day_instance(office=office, day=day, plan=plan)
    if not frame.labels:
        _plan_write(
            plan,
            status=PlanStatus.PLANNED,
            solver_status="CLOSED",
            reason="",
            progress="",
            instance=instance_data,
            solution=None,
            planned_at=now,
        )
        return plan
    try:
        solution = solve(load_instance(instance_data)).to_dict()
    except InstanceError as problem:
        _plan_write(
            plan, status=PlanStatus.FAILED, reason=str(problem), progress="", instance=instance_data
        )
        return plan
    with transaction.atomic():
        _apply(office, day, frame, solution)
        _plan_write(
            plan,
            status=PlanStatus.PLANNED,
            solver_status=solution["status"],
            reason=solution.get("reason", ""),
            progress="",
            instance=instance_data,
            solution=solution,
            planned_at=now,
            previous=_brief_of(plan),
        )
    return plan


def _brief_of(plan: DayPlan) -> dict[str, Any] | None:
    """The plan about to be replaced, in brief, for the page's "what changed"; None when
    it had no solution (a closed day, or never planned)."""
    if not (plan.instance and plan.solution and plan.planned_at):
        return None
    return plan_brief(plan.instance, plan.solution, plan.planned_at.isoformat())


@dataclass(frozen=True)
class Adjustment:
    """What a supervisor may change about a day; None leaves a setting as it is."""

    staffed: dict[str, int] | None = None
    is_closed: bool | None = None
    quota_overrides: dict[str, int | None] | None = None  # None for a code: clear it
    walk_in_reserve_percent: int | None = None


@dataclass(frozen=True)
class StrandedBooking:
    code: str
    service: str
    starts_at: datetime


def _validate(adjustment: Adjustment, frame: DayFrame, counters: int, codes: set[str]) -> None:
    errors: dict[str, list[object]] = {}
    for label, count in (adjustment.staffed or {}).items():
        if label not in frame.labels or not 0 <= count <= counters:
            errors[f"staffed-{label}"] = [
                _("Enter a number of counters from 0 to %(most)d.") % {"most": counters}
            ]
    for code, quota in (adjustment.quota_overrides or {}).items():
        if code not in codes or (quota is not None and not 0 <= quota <= 10_000):
            errors[f"quota-{code}"] = [_("Enter a number of appointments from 0 to 10000.")]
    reserve = adjustment.walk_in_reserve_percent
    if reserve is not None and not 0 <= reserve <= 90:
        errors["walk_in_reserve_percent"] = [_("Enter a share from 0 to 90 %.")]
    if errors:
        raise ApplicationError(
            "invalid_adjustment",
            _("Please correct the values below."),
            fields=errors,  # type: ignore[arg-type]
        )


def _shortfalls(office: Office, day: date, plan: DayPlan) -> dict[tuple[str, str], int]:
    """Bookings per (service, block) the best whole-counter plan cannot cover, computed
    with the exact greedy (fast, no solver)."""
    instance = day_instance(office=office, day=day, plan=plan)
    if not any(instance["staffed"]):
        # A closed day, or no counter staffed: nothing to plan, every booking falls short.
        return {
            (service["id"], label): booked
            for service in instance["services"]
            for label, booked in zip(instance["blocks"], service["booked"], strict=True)
            if booked > 0
        }
    solution = greedy_plan(load_instance(instance))
    return {
        (short["service"], short["block"]): short["booked"] - short["capacity"]
        for short in solution.to_dict()["shortfalls"]
    }


def _stranded(office: Office, day: date, plan: DayPlan, changed: DayPlan) -> list[Booking]:
    """The bookings the change would leave without capacity that the day's current
    settings cover: in each block short by more than before, the ones booked last (the
    earliest keep their place). A shortfall the day already had (bookings made under
    the default plan's fractional counters) is the planner's to report, not this
    change's."""
    if not day_frame(office, day).labels:
        return []
    before = _shortfalls(office, day, plan)
    after = _shortfalls(office, day, changed)
    worse = [
        (service, block, short - before.get((service, block), 0))
        for (service, block), short in after.items()
        if short > before.get((service, block), 0)
    ]
    frame = day_frame(office, day)
    stranded: list[Booking] = []
    for service, label, extra in worse:
        block = frame.labels.index(label) if label in frame.labels else None
        newest_first = (
            Booking.objects.filter(
                slot__office_service__office=office,
                slot__local_date=day,
                slot__office_service__service__code=service,
                occupies_slot=True,
            )
            .select_related("slot", "service")
            .order_by("-created_at")
        )
        bookings = [
            booking
            for booking in newest_first
            if block is None or frame.index_of(booking.slot.starts_at) == block
        ]
        stranded.extend(bookings[:extra])
    return stranded


class StrandingRefused(ApplicationError):
    """A change that would leave booked citizens without a counter, with who they are."""

    def __init__(self, bookings: list[Booking]) -> None:
        super().__init__(
            "strands_bookings",
            _(
                "This change leaves %(count)d booked appointments without a counter. "
                "Nothing was changed. Change less, or choose to move these bookings: "
                "the citizens are offered the nearest free time and told by message."
            )
            % {"count": len(bookings)},
            status_code=409,
        )
        self.bookings = [
            StrandedBooking(b.code, b.service.name, b.slot.starts_at) for b in bookings
        ]


def _booked_today(office: Office, day: date) -> dict[str, int]:
    booked: dict[str, int] = {}
    for code, taken in Slot.objects.filter(
        office_service__office=office, local_date=day
    ).values_list("office_service__service__code", "taken"):
        booked[code] = booked.get(code, 0) + taken
    return booked


def _refuse_quota_below_booked(office: Office, day: date, overrides: dict[str, int | None]) -> None:
    booked = _booked_today(office, day)
    errors = {
        f"quota-{code}": [
            _("%(booked)d appointments are already booked: the quota cannot be lower.")
            % {"booked": booked.get(code, 0)}
        ]
        for code, quota in overrides.items()
        if quota is not None and quota < booked.get(code, 0)
    }
    if errors:
        raise ApplicationError(
            "quota_below_booked",
            _("Nothing was changed: a daily quota is below what is already booked."),
            fields=errors,
        )


def _adjusted(plan: DayPlan, adjustment: Adjustment) -> DayPlan:
    """An unsaved copy of the plan with the adjustment applied."""
    changed = DayPlan(
        office=plan.office,
        local_date=plan.local_date,
        is_closed=plan.is_closed,
        staffed=dict(plan.staffed or {}),
        quota_overrides=dict(plan.quota_overrides or {}),
        walk_in_reserve_percent=plan.walk_in_reserve_percent,
    )
    if adjustment.staffed is not None:
        changed.staffed.update(adjustment.staffed)
    if adjustment.is_closed is not None:
        changed.is_closed = adjustment.is_closed
    for code, quota in (adjustment.quota_overrides or {}).items():
        if quota is None:
            changed.quota_overrides.pop(code, None)
        else:
            changed.quota_overrides[code] = quota
    if adjustment.walk_in_reserve_percent is not None:
        changed.walk_in_reserve_percent = adjustment.walk_in_reserve_percent
    return changed


def day_plan_adjust(
    *,
    office: Office,
    day: date,
    by: User,
    why: str,
    adjustment: Adjustment,
    move_bookings: bool = False,
) -> DayPlan:
    """A supervisor's change to a day: staffed counters per block (someone is ill), the
    day closed, a service's daily quota, the walk-in reserve. Checked first with the
    exact greedy (fast, no solver): if some booked citizens would lose their counter, it
    is refused with who they are, unless `move_bookings`, which moves them to the nearest
    free time and tells them. Recorded in the audit log; a re-plan follows on a worker."""
    from scheduling.tasks import replan_day  # tasks imports this module

    require_office_role(by, office, at_least=Role.SUPERVISOR)
    if not why.strip():
        message = _("Say why: it goes into the plan's audit log.")
        raise ApplicationError("why_missing", message, fields={"why": [message]})
    if day < office.local_date():
        raise ApplicationError("past_day", _("A day that has passed cannot be changed."))
    frame = day_frame(office, day)
    offered = OfficeService.objects.filter(office=office, is_active=True)
    codes = set(offered.values_list("service__code", flat=True))
    _validate(adjustment, frame, office.counters.filter(is_active=True).count(), codes)
    _refuse_quota_below_booked(office, day, adjustment.quota_overrides or {})
    plan, _created = DayPlan.objects.get_or_create(office=office, local_date=day)
    changed = _adjusted(plan, adjustment)
    stranded = _stranded(office, day, plan, changed)
    if stranded and not move_bookings:
        raise StrandingRefused(stranded)
    with transaction.atomic():
        moved = bookings_move_elsewhere(bookings=stranded, away_from=day) if stranded else []
        _plan_write(
            plan,
            is_closed=changed.is_closed,
            staffed=changed.staffed,
            quota_overrides=changed.quota_overrides,
            walk_in_reserve_percent=changed.walk_in_reserve_percent,
            status=PlanStatus.PLANNING,
            progress=str(_("Waiting for a worker…")),
        )
        what = {key: value for key, value in vars(adjustment).items() if value is not None}
        PlanChange.objects.create(
            office=office,
            local_date=day,
            by=by,
            why=why.strip(),
            what={**what, "moved_bookings": [b.code for b in moved]},
        )
        transaction.on_commit(lambda: replan_day.delay(office.pk, day.isoformat()), robust=True)
    return plan


def day_plan_replan(*, office: Office, day: date, by: User) -> DayPlan:
    """Re-plan with one click: the solve runs on a worker; the page shows its progress."""
    from scheduling.tasks import replan_day  # tasks imports this module

    require_office_role(by, office, at_least=Role.SUPERVISOR)
    plan, _created = DayPlan.objects.get_or_create(office=office, local_date=day)
    with transaction.atomic():
        _plan_write(plan, status=PlanStatus.PLANNING, progress=str(_("Waiting for a worker…")))
        transaction.on_commit(lambda: replan_day.delay(office.pk, day.isoformat()), robust=True)
    return plan
