"""Supervisor pages: a day's capacity per service and time, editable; the optimised plan
of the next days, a day's counter grid, adjustments and one-click re-planning."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import groupby
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from booking.models import Office, OfficeService, Role, Slot
from booking.permissions import require_office_role
from core.dates import parse_day
from core.errors import ApplicationError
from core.params import whole_number
from scheduling.models import DayPlan, PlanChange, PlanStatus
from scheduling.planning import Adjustment, StrandingRefused, day_plan_adjust, day_plan_replan
from scheduling.selectors import DayPlanView, PlanStatusView, day_plan_view, plan_overview
from scheduling.services import slot_capacities_set

STAFF_DAYS = 366  # how far back and ahead staff pages may look, so dates never overflow


def _staff_day(office: Office, raw: str, *, field: str) -> date:
    """A day typed into a staff page (a path part or ?tanggal=): within a year of the
    office's today, or an ApplicationError naming the field, before any arithmetic."""
    today = office.local_date()
    reach = timedelta(days=STAFF_DAYS)
    return parse_day(raw, field=field, first=today - reach, last=today + reach)


@login_required
def capacity_day(request: HttpRequest, office_code: str) -> HttpResponse:
    office = get_object_or_404(Office, code=office_code, is_active=True)
    require_office_role(request.user, office, at_least=Role.SUPERVISOR)
    raw_day = request.POST.get("tanggal") or request.GET.get("tanggal", "")
    if raw_day:
        day = _staff_day(office, raw_day, field="tanggal")
    else:
        day = office.local_date() + timedelta(days=1)
    slots = list(
        Slot.objects.filter(office_service__office=office, local_date=day)
        .select_related("office_service__service")
        .order_by("office_service__ticket_letter", "starts_at")
    )
    errors: dict[str, list[str]] = {}
    message = ""
    if request.method == "POST":
        changes = {}
        for slot in slots:
            raw = request.POST.get(f"slot-{slot.pk}", "").strip()
            capacity = whole_number(raw)
            if capacity is not None and capacity != slot.capacity:
                changes[slot.pk] = capacity
            elif raw and capacity is None:
                errors[f"slot-{slot.pk}"] = [_("Enter a number from 0 to 1000.")]
        if not errors:
            try:
                slot_capacities_set(office=office, changes=changes, by=request.user)  # type: ignore[arg-type]
            except ApplicationError as refused:
                errors, message = refused.fields, str(refused.message)
            else:
                return redirect(f"{request.path}?tanggal={day.isoformat()}&disimpan=1")
    submitted = request.POST if request.method == "POST" else {}
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

SERVICE_COLOURS = 12  # plan.css has this many service colours; more services reuse them


def _plan_office(request: HttpRequest, office_code: str) -> Office:
    office = get_object_or_404(Office, code=office_code, is_active=True)
    require_office_role(request.user, office, at_least=Role.SUPERVISOR)
    return office


@login_required
def plan_days(request: HttpRequest, office_code: str) -> HttpResponse:
    office = _plan_office(request, office_code)
    today = office.local_date()
    return render(
        request, "staff/plan_days.html",
        {"office": office, "days": plan_overview(office=office, first=today + timedelta(days=1),
                                                  days=settings.GILIRAN_PLAN_DAYS)},
    )  # fmt: skip


def _adjustment_from(post: Any, view: DayPlanView) -> tuple[Adjustment, dict[str, list[str]]]:
    """Parse the day form. A blank field, or one still showing what the day has, leaves
    that setting as it is: the audit log records what was changed, not the whole form."""
    errors: dict[str, list[str]] = {}

    def number(name: str) -> int | None:
        raw = post.get(name, "").strip()
        if not raw:
            return None
        value = whole_number(raw)
        if value is None:
            errors[name] = [_("Enter a whole number.")]
        return value

    staffed = {
        label: n
        for label, now in view.staffed_by_label
        if (n := number(f"staffed-{label}")) is not None and n != now
    }
    quotas: dict[str, int | None] = {}
    for service in view.services:
        value = number(f"quota-{service.code}")
        if value != service.override and f"quota-{service.code}" not in errors:
            quotas[service.code] = value  # None: the override is cleared, as planned again
    is_closed = post.get("is_closed") == "on"
    reserve = number("walk_in_reserve_percent")
    adjustment = Adjustment(
        staffed=staffed or None,
        is_closed=is_closed if is_closed != view.plan.is_closed else None,
        quota_overrides=quotas or None,
        walk_in_reserve_percent=reserve if reserve != view.plan.walk_in_reserve_percent else None,
    )
    return adjustment, errors


def _day_context(office: Office, day: date, post: Any = None) -> dict[str, Any]:
    """What the day page shows. After a refused or invalid change (`post`), the form
    shows what was submitted, so that ticking "move these bookings" resends the same."""
    view = day_plan_view(office=office, day=day)
    letters = dict(
        OfficeService.objects.filter(office=office).values_list("service__code", "ticket_letter")
    )
    sent = post if post is not None and post.get("action") != "replan" else None

    def shown(name: str, current: object) -> object:
        return sent.get(name, current) if sent is not None else current

    reserve = view.plan.walk_in_reserve_percent
    return {
        "office": office, "view": view,
        "grid": [
            (counter, [(cell, letters.get(cell.code, "")) if cell else (None, "") for cell in cells])
            for counter, cells in view.grid
        ],
        "legend": [(service, letters.get(service.code, "")) for service in view.services],
        "staffed_fields": [(label, shown(f"staffed-{label}", n)) for label, n in view.staffed_by_label],
        "quota_fields": [
            (s, shown(f"quota-{s.code}", "" if s.override is None else s.override))
            for s in view.services
        ],
        "reserve_field": shown("walk_in_reserve_percent", "" if reserve is None else reserve),
        "closed_field": sent.get("is_closed") == "on" if sent is not None else view.plan.is_closed,
        "changes": PlanChange.objects.filter(office=office, local_date=day).select_related("by")[:20],
        "errors": {}, "message": "", "stranded": [], "submitted": post or {},
    }  # fmt: skip


@login_required
def plan_day(request: HttpRequest, office_code: str, day: str) -> HttpResponse:
    office = _plan_office(request, office_code)
    chosen = _staff_day(office, day, field="day")
    errors: dict[str, list[str]] = {}
    message, stranded = "", []
    if request.method == "POST":
        view = day_plan_view(office=office, day=chosen)
        try:
            if request.POST.get("action") == "replan":
                day_plan_replan(office=office, day=chosen, by=request.user)  # type: ignore[arg-type]
            else:
                adjustment, errors = _adjustment_from(request.POST, view)
                if not errors:
                    day_plan_adjust(
                        office=office, day=chosen, by=request.user,  # type: ignore[arg-type]
                        why=request.POST.get("why", ""), adjustment=adjustment,
                        move_bookings=request.POST.get("move_bookings") == "on",
                    )  # fmt: skip
        except StrandingRefused as refused:
            message, stranded = str(refused.message), refused.bookings
        except ApplicationError as refused:
            message, errors = str(refused.message), {**errors, **refused.fields}
        else:
            if not errors:
                return redirect("staff:plan-day", office_code=office.code, day=chosen.isoformat())
    context = _day_context(office, chosen, request.POST if request.method == "POST" else None)
    context |= {"errors": errors, "message": message, "stranded": stranded}
    status = 409 if stranded else 400 if errors or message else 200
    return render(request, "staff/plan_day.html", context, status=status)


@login_required
def plan_day_status(request: HttpRequest, office_code: str, day: str) -> HttpResponse:
    """What htmx polls while a re-plan runs: the progress fragment, then, once done, the
    whole page, whose #plan-status replaces the fragment and whose #plan-grid (the new
    grid and charts) replaces the old one out of band."""
    office = _plan_office(request, office_code)
    chosen = _staff_day(office, day, field="day")
    plan = DayPlan.objects.filter(office=office, local_date=chosen).first()
    if plan is not None and plan.status == PlanStatus.PLANNING:
        # Polled every second: only the plan row, not the whole day's view.
        status = PlanStatusView(day=chosen, plan=plan)
        return render(request, "staff/plan_day.html#status", {"office": office, "view": status})
    return render(request, "staff/plan_day.html", _day_context(office, chosen))
