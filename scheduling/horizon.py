"""Which days have a plan, and when they get it: every day a citizen may book, from the
office's today to the end of its longest booking window. The night job re-plans the
next GILIRAN_PLAN_DAYS days (where bookings change the plan most) and plans every later
day of the window that has no plan yet; a day a supervisor opens before any plan is
planned on that first view (docs/scheduling.md, "When")."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils.translation import gettext as _

from offices.models import Office, OfficeService
from scheduling.models import DayPlan, PlanStatus
from scheduling.planning import day_plan_solve


def planning_days(*, office: Office, now: datetime | None = None) -> tuple[date, date]:
    """The office's today and the last day any of its services can be booked for (the
    longest booking window; today alone when it offers nothing)."""
    longest = max(
        OfficeService.objects.filter(
            office=office, is_active=True, service__is_active=True
        ).values_list("booking_window_days", flat=True),
        default=0,
    )
    today = office.local_date(now)
    return today, today + timedelta(days=longest)


def day_plan_ensure(*, office: Office, day: date, now: datetime | None = None) -> bool:
    """Plan a day of the booking window that has never been planned, here and now (the
    solve is bounded by GILIRAN_PLAN_TIME_LIMIT_SECONDS; the greedy plan answers if
    CP-SAT has not finished). Returns whether this call planned it.

    Concurrency: the day's one row (unique office and day) is claimed with a conditional
    UPDATE from "default" to "planning", so of two first views, or a view and the night
    job, exactly one solves; the other finds "planning" and shows the day being planned
    (the page polls until the plan is there). A day already planned, being planned or
    whose planning failed is left as it is: "Re-plan now" is the way to plan it again."""
    first, last = planning_days(office=office, now=now)
    if not first <= day <= last:
        return False
    plan, _created = DayPlan.objects.get_or_create(office=office, local_date=day)
    # default → planning: neither has planned walk-ins, so the queue's copy stays right.
    claimed = DayPlan.objects.filter(pk=plan.pk, status=PlanStatus.DEFAULT).update(
        status=PlanStatus.PLANNING, progress=_("Planning this day for the first time…")
    )
    if not claimed:
        return False
    try:
        day_plan_solve(office=office, day=day, now=now)
    except Exception:
        # Give the day back, so that the next view or night tries again.
        DayPlan.objects.filter(pk=plan.pk, status=PlanStatus.PLANNING).update(
            status=PlanStatus.DEFAULT, progress=""
        )
        raise
    return True


def office_days_plan(*, office: Office, now: datetime) -> int:
    """The night's work for one office: re-plan the next GILIRAN_PLAN_DAYS days, and plan
    the rest of the booking window where no plan exists yet (today included: a same-day
    service books it). Returns the days planned."""
    first, last = planning_days(office=office, now=now)
    planned = 0
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        if 1 <= offset <= settings.GILIRAN_PLAN_DAYS:
            day_plan_solve(office=office, day=day, now=now)
            planned += 1
        else:
            planned += day_plan_ensure(office=office, day=day, now=now)
    return planned
