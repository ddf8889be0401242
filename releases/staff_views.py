"""The supervisors' view of their offices' release moments: each office-service's next
release, and, while a waiting room is open, its line as the store holds it (how many
wait, how many were let in, how many are booking now). Read-only: settings are changed
in the admin (services offered)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from core.http import AuthenticatedHttpRequest
from offices.models import OfficeService
from offices.models.staff import Role
from offices.permissions import offices_for, require_supervises
from releases.outlook import ReleaseOutlook, release_outlook
from releases.rooms import Room, room_for
from releases.store import room_store


@dataclass(frozen=True)
class ReleaseRow:
    office_service: OfficeService
    outlook: ReleaseOutlook
    room: Room | None
    line: int
    admitted: int


@never_cache
@login_required
def release_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_supervises(request.user)
    now = timezone.now()
    store = room_store()
    rows = []
    offered = (
        OfficeService.objects.filter(
            office__in=offices_for(request.user, at_least=Role.SUPERVISOR), is_active=True
        )
        .select_related("office", "service")
        .order_by("office__name", "service__code")
    )
    for office_service in offered:
        room = room_for(office_service, now, store)
        rows.append(
            ReleaseRow(
                office_service=office_service,
                outlook=release_outlook(office_service, now),
                room=room,
                line=store.size(room.id) if room else 0,
                admitted=store.admitted_total(room.id) if room else 0,
            )
        )
    template = "releases/staff_list.html"
    if request.htmx:
        template += "#rows"
    return render(request, template, {"rows": rows})
