"""The draw at the release moment, the winners' holds, and the waiting list.

`ballot_draw` runs once per round (Celery beat, or `manage.py ballot_draw`): under the
round's row lock it reads each (office, day)'s free places from its slots, hands the
entries, the pools and the seed to the pure allocation (ballots/draw.py), publishes
all three with the result and reveals the seed, then gives every winner an ordinary
hold (source BALLOT) on the earliest slot of their day with room, until now +
claim hours, and tells everyone. A second run finds the round drawn and does nothing.

`ballot_offer_unclaimed` (every minute, by the beat) settles the holds: confirmed ones
are claimed; those that ended free their place, which goes to the waiting list in draw
order (the next entries not yet given a place whose choices include that day)."""

from __future__ import annotations

from datetime import datetime, timedelta
from importlib.metadata import version

from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from ballots import draw
from ballots.messages import entry_not_drawn_send, entry_won_send
from ballots.models import Ballot, BallotEntry, BallotStatus, EntryStatus, pool_key
from booking.models import ACTIVE_STATUSES, BookingStatus, Slot, Source
from booking.services.assigned import Holder, booking_hold_assigned
from booking.services.capacity import bookings_release
from core import personal_data


def _pools(ballot: Ballot, now: datetime) -> tuple[list[draw.Pool], dict[str, tuple[int, str]]]:
    """Free places per (office, day) of the round, from its slots still ahead."""
    pools, where = [], {}
    for office_service in ballot.office_services.select_related("office").order_by("pk"):
        rows = (
            Slot.objects.filter(
                office_service=office_service,
                local_date__range=(ballot.first_day, ballot.last_day),
                starts_at__gt=now,
            )
            .values("local_date")
            .annotate(free=Sum(F("capacity") - F("taken")))
            .order_by("local_date")
        )
        for row in rows:
            key = pool_key(office_service.office.code, row["local_date"].isoformat())
            places = max(row["free"] or 0, 0)
            reserved = places * office_service.ballot_priority_percent // 100
            pools.append(draw.Pool(key, places, reserved))
            where[key] = (office_service.pk, row["local_date"].isoformat())
    return pools, where


def _entries(ballot: Ballot) -> list[tuple[BallotEntry, draw.Entry]]:
    found = (
        BallotEntry.objects.filter(ballot=ballot, status=EntryStatus.ENTERED)
        .prefetch_related("choices__office_service__office")
        .order_by("reference")
    )
    return [
        (
            entry,
            draw.Entry(
                entry.reference,
                tuple(choice.pool_key for choice in entry.choices.all()),
                bool(entry.priority_group),
            ),
        )
        for entry in found
    ]


def published_document(
    ballot: Ballot,
    seed: bytes,
    pools: list[draw.Pool],
    entries: list[draw.Entry],
    result: draw.Result,
) -> dict[str, object]:
    return {
        "format": draw.FORMAT,
        "ballot": ballot.pk,
        "service": ballot.service.code,
        "release_at": ballot.release_at.isoformat(),
        "seed_sha256": ballot.seed_sha256,
        "seed": seed.hex(),
        "ortools": version("ortools"),
        "pools": [{"pool": p.key, "places": p.places, "reserved": p.reserved} for p in pools],
        "entries": [
            {"ref": e.ref, "choices": list(e.choices), "priority": e.priority} for e in entries
        ],
        "result": result.as_json(),
    }


def ballot_draw(*, ballot_id: int, now: datetime | None = None) -> bool:
    """Draw the round if its entries have closed and it was not drawn yet. Locks the
    round's row for the whole draw (a second run waits, then finds it drawn); claims
    go through the slot locks like every hold. True if this call drew it."""
    now = now or timezone.now()
    with transaction.atomic():
        ballot = (
            Ballot.objects.select_for_update()
            .filter(pk=ballot_id, status=BallotStatus.OPEN, release_at__lte=now)
            .select_related("service")
            .first()
        )
        if ballot is None:
            return False
        seed = bytes.fromhex(personal_data.decrypt(ballot.seed_encrypted))
        pools, where = _pools(ballot, now)
        pairs = _entries(ballot)
        entries = [e for _row, e in pairs]
        result = draw.allocate(pools, entries, seed)
        document = published_document(ballot, seed, pools, entries, result)
        Ballot.objects.filter(pk=ballot.pk).update(
            status=BallotStatus.DRAWN, drawn_at=now, seed=seed.hex(), published=document
        )
        rows = {row.reference: row for row, _e in pairs}
        position = {ref: i + 1 for i, ref in enumerate(result.order)}
        waiting_number = {ref: i + 1 for i, ref in enumerate(result.waiting)}
        for row in rows.values():
            row.draw_position = position[row.reference]
            row.waiting_number = waiting_number.get(row.reference)
            row.status = EntryStatus.WAITING if row.waiting_number else EntryStatus.ENTERED
        BallotEntry.objects.bulk_update(
            list(rows.values()), ["draw_position", "waiting_number", "status"], batch_size=1000
        )
        ballot.refresh_from_db()
        for ref in result.order:
            if ref in result.granted:
                key, _rank = result.granted[ref]
                office_service_id, day = where[key]
                if not _give_place(rows[ref], ballot, office_service_id, day, now):
                    # No hold after all (the NIK booked the service meanwhile): the place
                    # goes to the waiting list below, the entry has none.
                    BallotEntry.objects.filter(pk=rows[ref].pk).update(status=EntryStatus.LAPSED)
        for ref in result.waiting:
            entry_not_drawn_send(entry=rows[ref])
        _offer_free_places(ballot, now)
    return True


def _give_place(
    entry: BallotEntry, ballot: Ballot, office_service_id: int, day: str, now: datetime
) -> bool:
    """Hold the earliest slot of the day with room for `entry` and tell them."""
    slots = list(
        Slot.objects.filter(
            office_service_id=office_service_id,
            local_date=day,
            starts_at__gt=now,
            taken__lt=F("capacity"),
        )
        .order_by("starts_at")
        .values_list("pk", "starts_at")
    )
    if not slots:
        return False
    deadline = min(now + timedelta(hours=ballot.claim_hours), slots[0][1])
    hold = booking_hold_assigned(
        slot_ids=[pk for pk, _start in slots],
        holder=Holder.of(entry),
        releases_at=deadline,
        source=Source.BALLOT,
        now=now,
    )
    if hold is None:
        return False
    BallotEntry.objects.filter(pk=entry.pk).update(status=EntryStatus.WON, hold=hold)
    entry.status, entry.hold = EntryStatus.WON, hold
    entry_won_send(entry=entry, hold=hold)
    return True


def _free_by_pool(ballot: Ballot, now: datetime) -> dict[tuple[int, str], int]:
    rows = (
        Slot.objects.filter(
            office_service__in=ballot.office_services.all(),
            local_date__range=(ballot.first_day, ballot.last_day),
            starts_at__gt=now,
        )
        .values("office_service_id", "local_date")
        .annotate(free=Sum(F("capacity") - F("taken")))
    )
    return {
        (row["office_service_id"], row["local_date"].isoformat()): row["free"]
        for row in rows
        if (row["free"] or 0) > 0
    }


def _offer_free_places(ballot: Ballot, now: datetime) -> int:
    """Free places of the round's days to waiting entries, in draw order, each on the
    best of its choices with room. Call holding the round's row lock."""
    free = _free_by_pool(ballot, now)
    if not free:
        return 0
    offered = 0
    waiting = (
        BallotEntry.objects.filter(ballot=ballot, status=EntryStatus.WAITING)
        .prefetch_related("choices")
        .order_by("draw_position")
    )
    for entry in waiting:
        for choice in entry.choices.all():
            key = (choice.office_service_id, choice.day.isoformat())
            if free.get(key, 0) > 0 and _give_place(entry, ballot, *key, now):
                free[key] -= 1
                offered += 1
                break
        if not any(free.values()):
            break
    return offered


def ballot_offer_unclaimed(*, ballot_id: int, now: datetime | None = None) -> int:
    """Settle the round's holds and pass the places of lapsed ones down the waiting
    list. Locks the round's row, so two sweeps take turns. Returns places offered."""
    now = now or timezone.now()
    with transaction.atomic():
        ballot = (
            Ballot.objects.select_for_update()
            .filter(pk=ballot_id, status=BallotStatus.DRAWN)
            .first()
        )
        if ballot is None:
            return 0
        won = BallotEntry.objects.filter(ballot=ballot, status=EntryStatus.WON)
        won.filter(hold__status__in=[BookingStatus.CONFIRMED, BookingStatus.ATTENDED]).update(
            status=EntryStatus.CLAIMED
        )
        ended = won.filter(
            Q(hold__isnull=True)
            | Q(hold__releases_at__lte=now, hold__status=BookingStatus.HELD)
            | ~Q(hold__status__in=ACTIVE_STATUSES)
        )
        bookings_release(Q(pk__in=ended.values("hold_id")), now=now)
        ended.update(status=EntryStatus.LAPSED)
        return _offer_free_places(ballot, now)


def ballots_due(*, now: datetime | None = None) -> tuple[list[int], list[int]]:
    """Rounds to draw now, and drawn rounds whose days are not all past."""
    now = now or timezone.now()
    to_draw = list(
        Ballot.objects.filter(status=BallotStatus.OPEN, release_at__lte=now).values_list(
            "pk", flat=True
        )
    )
    earliest_day = (now - timedelta(days=1)).date()
    to_sweep = list(
        Ballot.objects.filter(status=BallotStatus.DRAWN, last_day__gte=earliest_day).values_list(
            "pk", flat=True
        )
    )
    return to_draw, to_sweep
