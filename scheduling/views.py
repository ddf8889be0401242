"""Supervisor pages: a day's capacity per service and time, editable."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import groupby
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from booking.models import Office, Role, Slot
from booking.permissions import require_office_role
from core.errors import ApplicationError
from scheduling.services import slot_capacities_set


def _day(raw: str, default: date) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return default


@login_required
def capacity_day(request: HttpRequest, office_code: str) -> HttpResponse:
    office = get_object_or_404(Office, code=office_code, is_active=True)
    require_office_role(request.user, office, at_least=Role.SUPERVISOR)
    tomorrow = timezone.now().astimezone(ZoneInfo(office.timezone)).date() + timedelta(days=1)
    day = _day(request.POST.get("tanggal") or request.GET.get("tanggal", ""), tomorrow)
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
            if raw.isdigit() and int(raw) != slot.capacity:
                changes[slot.pk] = int(raw)
            elif raw and not raw.isdigit():
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
