"""Ballot rounds: one per service and release moment, made ahead of its entry window.

A round covers every office-service of the service whose places go by ballot and which
release at the same instant (offices.release_schedule), so a citizen can rank days of
several offices in one entry. Its seed is drawn from `secrets` when the round is made;
only the seed's SHA-256 is shown until the draw (the commitment), so the draw order was
fixed before anyone could enter."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from ballots import draw
from ballots.models import Ballot, BallotStatus
from core import personal_data
from offices.models import OfficeService
from offices.models.catalog import Allocation
from offices.release_schedule import Release, next_release, release_of_day

# Rounds are made this long before their entries open (and on demand), so the seed's
# commitment is public before the first entry.
MADE_AHEAD = timedelta(days=1)


def ballot_office_services(service_id: int | None = None) -> list[OfficeService]:
    found = OfficeService.objects.filter(
        allocation=Allocation.BALLOT,
        is_active=True,
        office__is_active=True,
        service__is_active=True,
    ).select_related("office", "service")
    if service_id is not None:
        found = found.filter(service_id=service_id)
    return list(found.order_by("pk"))


@dataclass(frozen=True)
class RoundPlan:
    release: Release
    office_services: list[OfficeService]
    first_day: date
    last_day: date


def _plan(office_service: OfficeService, release: Release, now: datetime) -> RoundPlan:
    """The office-services of the service that release at the same instant."""
    members, first, last = [], release.first_day, release.last_day
    for other in ballot_office_services(office_service.service_id):
        theirs = next_release(other, now) if other.pk != office_service.pk else release
        if theirs.opens_at == release.opens_at:
            members.append(other)
            first, last = min(first, theirs.first_day), max(last, theirs.last_day)
    return RoundPlan(release, members or [office_service], first, last)


def ballot_for_release(
    *, office_service: OfficeService, release: Release, now: datetime | None = None
) -> Ballot:
    """The round of this release moment, made now if it does not exist yet. Two callers
    at once make one round: the unique (service, release) index decides."""
    now = now or timezone.now()
    existing = Ballot.objects.filter(
        service_id=office_service.service_id, release_at=release.opens_at
    ).first()
    if existing is not None:
        return existing
    plan = _plan(office_service, release, now)
    seed = secrets.token_bytes(32)
    hours = max(member.ballot_entry_hours for member in plan.office_services)
    try:
        with transaction.atomic():
            ballot = Ballot.objects.create(
                service_id=office_service.service_id,
                release_at=release.opens_at,
                entries_open_at=release.opens_at - timedelta(hours=hours),
                first_day=plan.first_day,
                last_day=plan.last_day,
                claim_hours=max(member.ballot_claim_hours for member in plan.office_services),
                seed_encrypted=personal_data.encrypt(seed.hex()),
                seed_sha256=draw.seed_commitment(seed),
            )
            ballot.office_services.set(plan.office_services)
    except IntegrityError:
        return Ballot.objects.get(service_id=office_service.service_id, release_at=release.opens_at)
    return ballot


def ballot_next(*, office_service: OfficeService, now: datetime | None = None) -> Ballot:
    """The round a citizen can enter now or next for this office-service."""
    now = now or timezone.now()
    return ballot_for_release(
        office_service=office_service, release=next_release(office_service, now), now=now
    )


def ballots_make_ahead(*, now: datetime | None = None) -> int:
    """The beat's part: every ballot office-service's next round exists by MADE_AHEAD
    before its entries open. Returns how many rounds it made."""
    now = now or timezone.now()
    made = 0
    for office_service in ballot_office_services():
        release = next_release(office_service, now)
        opens = release.opens_at - timedelta(hours=office_service.ballot_entry_hours)
        if now < opens - MADE_AHEAD:
            continue
        before = Ballot.objects.count()
        ballot_for_release(office_service=office_service, release=release, now=now)
        made += Ballot.objects.count() - before
    return made


def choice_allowed(ballot: Ballot, office_service: OfficeService, day: date) -> bool:
    """Whether (office, day) is one the round gives: its office-service is in the round
    and the day opens at the round's release."""
    return (
        ballot.office_services.filter(pk=office_service.pk).exists()
        and ballot.first_day <= day <= ballot.last_day
        and release_of_day(office_service, day).opens_at == ballot.release_at
    )


def ballot_choices(ballot: Ballot) -> list[tuple[OfficeService, date]]:
    """Every (office-service, day) an entry may rank, office by office, day by day."""
    options = []
    for office_service in ballot.office_services.select_related("office", "service").order_by(
        "office__name"
    ):
        day = ballot.first_day
        open_weekdays = set(office_service.office.opening_hours.values_list("weekday", flat=True))
        while day <= ballot.last_day:
            if day.weekday() in open_weekdays and choice_allowed(ballot, office_service, day):
                options.append((office_service, day))
            day += timedelta(days=1)
    return options


def ballot_is_open(ballot: Ballot, now: datetime) -> bool:
    return ballot.status == BallotStatus.OPEN and ballot.entries_open_at <= now < ballot.release_at
