"""What a citizen is told about the next release of an office-service, the same on the
calendar page, in the API and in the chat: when which days open, whether a waiting room
opens before (and is open now), and whether places go first come or by ballot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.urls import reverse

from offices.models import OfficeService
from offices.models.catalog import Allocation
from offices.release_schedule import next_release
from releases.rooms import room_for


@dataclass(frozen=True)
class ReleaseOutlook:
    opens_at: datetime  # aware, in the office's zone
    first_day: date
    last_day: date
    pattern: str  # rolling | monthly
    allocation: str  # first_come | ballot
    waiting_room_opens_at: datetime | None  # None: no waiting room at releases
    waiting_room_open: bool  # a room is open now (a release's, or a rush's)
    waiting_room: str  # the room's page (path), when one is open
    ballot: str  # the ballot's page (path), when a ballot gives the places


def release_outlook(office_service: OfficeService, now: datetime) -> ReleaseOutlook:
    release = next_release(office_service, now)
    minutes = office_service.waiting_room_minutes
    open_now = room_for(office_service, now) is not None
    codes = {"office_code": office_service.office.code, "service_code": office_service.service.code}
    by_ballot = office_service.allocation == Allocation.BALLOT
    return ReleaseOutlook(
        opens_at=release.opens_at,
        first_day=release.first_day,
        last_day=release.last_day,
        pattern=office_service.release_pattern,
        allocation=office_service.allocation,
        waiting_room_opens_at=release.opens_at - timedelta(minutes=minutes)
        if minutes and not by_ballot
        else None,
        waiting_room_open=open_now,
        waiting_room=reverse(
            "releases:room",
            kwargs={"office": office_service.office.code, "service": office_service.service.code},
        )
        if open_now
        else "",
        # The ballot app is above this one: its page is named, never imported.
        ballot=reverse("ballot-round", kwargs=codes) if by_ballot else "",
    )
