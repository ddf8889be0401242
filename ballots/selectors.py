"""Reads for the ballot's pages and API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count
from django.utils import timezone

from ballots.models import Ballot, BallotEntry, BallotStatus, EntryStatus
from booking.models import BookingStatus
from offices.models import OfficeService


def last_drawn(office_service: OfficeService) -> Ballot | None:
    return (
        Ballot.objects.filter(office_services=office_service, status=BallotStatus.DRAWN)
        .order_by("-release_at")
        .first()
    )


def waiting_position(entry: BallotEntry) -> int | None:
    """1 = next in line for a place that is not claimed in time."""
    if entry.status != EntryStatus.WAITING or entry.waiting_number is None:
        return None
    ahead = BallotEntry.objects.filter(
        ballot_id=entry.ballot_id,
        status=EntryStatus.WAITING,
        waiting_number__lt=entry.waiting_number,
    ).count()
    return ahead + 1


@dataclass(frozen=True)
class Outcome:
    status: str
    waiting_position: int | None
    hold_live: bool
    claim_deadline: datetime | None
    hold_starts_at: datetime | None
    office_name: str
    zone: str


def entry_outcome(entry: BallotEntry, now: datetime | None = None) -> Outcome:
    now = now or timezone.now()
    hold = entry.hold
    live = (
        entry.status == EntryStatus.WON
        and hold is not None
        and hold.status == BookingStatus.HELD
        and hold.releases_at is not None
        and hold.releases_at > now
    )
    status = entry.status
    if hold is not None and hold.status == BookingStatus.CONFIRMED:
        status = EntryStatus.CLAIMED
    elif entry.status == EntryStatus.WON and not live:
        status = EntryStatus.LAPSED
    office = hold.slot.office_service.office if hold is not None else None
    return Outcome(
        status=status,
        waiting_position=waiting_position(entry),
        hold_live=live,
        claim_deadline=hold.releases_at if hold is not None and live else None,
        hold_starts_at=hold.slot.starts_at if hold is not None else None,
        office_name=office.name if office else "",
        zone=office.timezone if office else "Asia/Jakarta",
    )


def ballot_counts(ballot: Ballot) -> dict[str, int]:
    """Entries by status, and the places the draw gave out (supervisors' view)."""
    counts = {status: 0 for status in EntryStatus.values}
    for row in BallotEntry.objects.filter(ballot=ballot).values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    counts["entries"] = sum(counts[s] for s in EntryStatus.values)
    counts["in_draw"] = counts["entries"] - counts[EntryStatus.PENDING]
    counts["priority"] = (
        BallotEntry.objects.filter(ballot=ballot).exclude(priority_group="").count()
    )
    published = ballot.published or {}
    counts["places"] = sum(p["places"] for p in published.get("pools", []))
    counts["granted"] = len(published.get("result", {}).get("granted", {}))
    return counts
