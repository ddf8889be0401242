"""Supervisor pages: a day's capacity per service and time, editable; the optimised plan
of the next days, a day's counter grid, adjustments and one-click re-planning."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import groupby
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from core.dates import parse_day
from core.errors import ApplicationError
from core.http import AuthenticatedHttpRequest
from offices.models import Office, Role
from offices.permissions import require_office_role
from scheduling.forms import CapacityDayForm, DayPlanForm, PlanActionForm
from scheduling.horizon import day_plan_ensure, planning_days
from scheduling.models import PlanStatus
from scheduling.planning import StrandingRefused, day_plan_adjust, day_plan_replan
from scheduling.selectors import (
    PlannedService,
    PlanStatusView,
    capacity_day_slots,
    day_plan_row,
    day_plan_view,
    plan_changes,
    plan_overview,
    ticket_letters,
)
from scheduling.services import slot_capacities_set

STAFF_DAYS = 366  # how far back and ahead staff pages may look, so dates never overflow


def _staff_day(office: Office, raw: str, *, field: str) -> date:
    """A day typed into a staff page (a path part or ?tanggal=): within a year of the
    office's today, or an ApplicationError naming the field, before any arithmetic."""
    today = office.local_date()
    reach = timedelta(days=STAFF_DAYS)
    return parse_day(raw, field=field, first=today - reach, last=today + reach)


@login_required
def capacity_day(request: AuthenticatedHttpRequest, office_code: str) -> HttpResponse:
    office = get_object_or_404(Office, code=office_code, is_active=True)
    require_office_role(request.user, office, at_least=Role.SUPERVISOR)
    raw_day = request.POST.get("tanggal") or request.GET.get("tanggal", "")
    if raw_day:
        day = _staff_day(office, raw_day, field="tanggal")
    else:
        day = office.local_date() + timedelta(days=1)
    slots = capacity_day_slots(office=office, day=day)
    posted = request.method == "POST"
    form = CapacityDayForm(request.POST if posted else None, slots=slots)
    errors: dict[str, list[str]] = {}
    message = ""
    if posted:
        if form.is_valid():
            try:
                slot_capacities_set(office=office, changes=form.changes(), by=request.user)
            except ApplicationError as refused:
                errors, message = refused.fields, str(refused.message)
            else:
                return redirect(f"{request.path}?tanggal={day.isoformat()}&disimpan=1")
        else:
            errors = {name: [str(e) for e in problems] for name, problems in form.errors.items()}
    submitted = request.POST if posted else {}
    groups = [
        {
            "office_service": office_service,
            "rows": [
                {
                    "slot": slot,
                    "value": submitted.get(f"slot-{slot.pk}", slot.capacity),
                    "errors": errors.get(f"slot-{slot.pk}", []),
                }
                for slot in group
            ],
        }
        for office_service, group in groupby(slots, key=lambda s: s.office_service)
    ]
    return render(
        request,
        "staff/capacity.html",
        {
            "office": office,
            "day": day,
            "previous_day": day - timedelta(days=1),
            "next_day": day + timedelta(days=1),
            "groups": groups,
            "error_message": message,
            "saved": request.GET.get("disimpan") == "1",
        },
    )


# --- the optimised plan: 14 days, a day's grid, adjustments and re-planning -----------


def _plan_office(request: AuthenticatedHttpRequest, office_code: str) -> Office:
    office = get_object_or_404(Office, code=office_code, is_active=True)
    require_office_role(request.user, office, at_least=Role.SUPERVISOR)
    return office


@login_required
def plan_days(request: AuthenticatedHttpRequest, office_code: str) -> HttpResponse:
    office = _plan_office(request, office_code)
    today, last = planning_days(office=office)
    days = plan_overview(office=office, first=today, days=(last - today).days + 1)
    return render(request, "staff/plan_days.html", {"office": office, "days": days})


def _day_context(office: Office, day: date, sent: DayPlanForm | None = None) -> dict[str, Any]:
    """What the day page shows. After a refused or invalid change (`sent`), the form
    shows what was submitted, so that ticking "move these bookings" resends the same."""
    view = day_plan_view(office=office, day=day)
    letters = ticket_letters(office=office)

    def shown(name: str, current: object) -> object:
        return sent.data.get(name, current) if sent is not None else current

    def lettered(cell: PlannedService | None) -> tuple[PlannedService | None, str]:
        return (cell, letters.get(cell.code, "")) if cell else (None, "")

    reserve = view.plan.walk_in_reserve_percent
    return {
        "office": office,
        "view": view,
        "grid": [(counter, [lettered(cell) for cell in cells]) for counter, cells in view.grid],
        "legend": [(service, letters.get(service.code, "")) for service in view.services],
        "staffed_fields": [
            (label, shown(f"staffed-{label}", n)) for label, n in view.staffed_by_label
        ],
        "quota_fields": [
            (s, shown(f"quota-{s.code}", "" if s.override is None else s.override))
            for s in view.services
        ],
        "reserve_field": shown("walk_in_reserve_percent", "" if reserve is None else reserve),
        "closed_field": sent["is_closed"].value() if sent is not None else view.plan.is_closed,
        "changes": plan_changes(office=office, day=day),
        "errors": {},
        "message": "",
        "stranded": [],
        "submitted": sent.data if sent else {},
    }


@login_required
def plan_day(request: AuthenticatedHttpRequest, office_code: str, day: str) -> HttpResponse:
    office = _plan_office(request, office_code)
    chosen = _staff_day(office, day, field="day")
    errors: dict[str, list[str]] = {}
    message, stranded = "", []
    form: DayPlanForm | None = None
    if request.method != "POST":
        # A bookable day nobody has planned yet is planned now, within the solver's
        # time limit; a second viewer meanwhile sees it being planned.
        day_plan_ensure(office=office, day=chosen)
    if request.method == "POST":
        try:
            if PlanActionForm(request.POST).is_replan:
                day_plan_replan(office=office, day=chosen, by=request.user)
            else:
                form = DayPlanForm(request.POST, view=day_plan_view(office=office, day=chosen))
                if form.is_valid():
                    day_plan_adjust(
                        office=office,
                        day=chosen,
                        by=request.user,
                        why=form.cleaned_data["why"],
                        adjustment=form.adjustment(),
                        move_bookings=form.cleaned_data["move_bookings"],
                    )
                else:
                    errors = form.field_errors()
        except StrandingRefused as refused:
            message, stranded = str(refused.message), refused.bookings
        except ApplicationError as refused:
            message, errors = str(refused.message), {**errors, **refused.fields}
        else:
            if not errors:
                return redirect("staff:plan-day", office_code=office.code, day=chosen.isoformat())
    context = _day_context(office, chosen, form)
    context |= {"errors": errors, "message": message, "stranded": stranded}
    status = 409 if stranded else 400 if errors or message else 200
    return render(request, "staff/plan_day.html", context, status=status)


@login_required
def plan_day_status(request: AuthenticatedHttpRequest, office_code: str, day: str) -> HttpResponse:
    """What htmx polls while a re-plan runs: the progress fragment, then, once done, the
    whole page, whose #plan-status replaces the fragment and whose #plan-grid (the new
    grid and charts) replaces the old one out of band."""
    office = _plan_office(request, office_code)
    chosen = _staff_day(office, day, field="day")
    plan = day_plan_row(office=office, day=chosen)
    if plan is not None and plan.status == PlanStatus.PLANNING:
        # Polled every second: only the plan row, not the whole day's view.
        status = PlanStatusView(day=chosen, plan=plan)
        return render(request, "staff/plan_day.html#status", {"office": office, "view": status})
    return render(request, "staff/plan_day.html", _day_context(office, chosen))
