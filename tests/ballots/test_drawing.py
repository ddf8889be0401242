"""The draw at the release, the winners' holds, and unclaimed places passing down the
waiting list in draw order."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command

from ballots import draw
from ballots.models import Ballot, BallotEntry, BallotStatus, EntryStatus
from ballots.services.drawing import ballot_draw, ballot_offer_unclaimed
from ballots.tasks import ballots_tick
from booking.models import Booking, BookingStatus, Source
from booking.services.booking import code_send, code_verify
from notifications.models import Message
from offices.models import OfficeService
from tests.ballots.conftest import RELEASE, entered, sent_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def six_entries(
    ballot: Ballot, jakarta_ballot: OfficeService, denpasar_ballot: OfficeService
) -> list[BallotEntry]:
    """Six citizens for four places; number 6 is elderly (priority)."""
    entries = [entered(ballot, n, jakarta_ballot, denpasar_ballot) for n in range(1, 6)]
    entries.append(entered(ballot, 6, jakarta_ballot, priority_group="elderly"))
    return entries


def _drawn(ballot: Ballot, clock: Any) -> Ballot:
    clock.move_to(RELEASE)
    assert ballot_draw(ballot_id=ballot.pk)
    ballot.refresh_from_db()
    return ballot


def test_the_draw_waits_for_the_release(ballot: Ballot, six_entries: list[BallotEntry]) -> None:
    assert not ballot_draw(ballot_id=ballot.pk)
    ballot.refresh_from_db()
    assert ballot.status == BallotStatus.OPEN and ballot.seed == ""


def test_winners_hold_a_place_and_losers_are_numbered_in_draw_order(
    ballot: Ballot, six_entries: list[BallotEntry], clock: Any
) -> None:
    ballot = _drawn(ballot, clock)
    assert draw.seed_commitment(bytes.fromhex(ballot.seed)) == ballot.seed_sha256
    won = BallotEntry.objects.filter(status=EntryStatus.WON)
    assert won.count() == 4
    assert six_entries[5].pk in set(won.values_list("pk", flat=True))  # the reserved share
    holds = Booking.objects.filter(source=Source.BALLOT, status=BookingStatus.HELD)
    assert holds.count() == 4
    assert set(holds.values_list("releases_at", flat=True)) == {RELEASE + timedelta(hours=24)}
    for entry in won:
        assert entry.hold is not None and entry.hold.nik_hash == entry.nik_hash
    waiting = list(BallotEntry.objects.filter(status=EntryStatus.WAITING).order_by("draw_position"))
    assert [e.waiting_number for e in waiting] == [1, 2]
    assert Message.objects.filter(kind="ballot_won").count() == 4
    told = Message.objects.filter(kind="ballot_not_drawn").order_by("pk")
    assert [m.context["number"] for m in told] == [1, 2]


def test_the_published_draw_recomputes_to_the_same_allocation(
    ballot: Ballot, six_entries: list[BallotEntry], clock: Any
) -> None:
    ballot = _drawn(ballot, clock)
    document = ballot.published
    assert document is not None
    assert draw.recompute(document) == []
    text = str(document)
    for entry in six_entries:
        assert entry.nik_last4 not in text.replace(entry.reference, "")
        assert entry.full_name not in text
    winners = {e.reference for e in BallotEntry.objects.filter(status=EntryStatus.WON)}
    assert winners == set(document["result"]["granted"])


def test_drawing_twice_changes_nothing(
    ballot: Ballot, six_entries: list[BallotEntry], clock: Any
) -> None:
    ballot = _drawn(ballot, clock)
    before = (ballot.seed, ballot.published, Booking.objects.count(), Message.objects.count())
    assert not ballot_draw(ballot_id=ballot.pk)
    call_command("ballot_draw", str(ballot.pk))
    ballot.refresh_from_db()
    assert (
        ballot.seed,
        ballot.published,
        Booking.objects.count(),
        Message.objects.count(),
    ) == before


def test_the_beat_draws_a_closed_round(
    ballot: Ballot, six_entries: list[BallotEntry], clock: Any
) -> None:
    clock.move_to(RELEASE + timedelta(minutes=1))
    assert ballots_tick()["drawn"] == 1
    ballot.refresh_from_db()
    assert ballot.status == BallotStatus.DRAWN


def test_a_winner_confirms_with_the_usual_code(
    ballot: Ballot, six_entries: list[BallotEntry], clock: Any
) -> None:
    _drawn(ballot, clock)
    entry = BallotEntry.objects.filter(status=EntryStatus.WON).select_related("hold").first()
    assert entry is not None and entry.hold is not None
    code_send(booking=entry.hold)
    booking = code_verify(booking=entry.hold, code=sent_code("code"))
    assert booking.status == BookingStatus.CONFIRMED
    ballot_offer_unclaimed(ballot_id=ballot.pk)
    entry.refresh_from_db()
    assert entry.status == EntryStatus.CLAIMED


def test_unclaimed_places_go_down_the_waiting_list_in_draw_order(
    ballot: Ballot, six_entries: list[BallotEntry], clock: Any
) -> None:
    _drawn(ballot, clock)
    keeper = BallotEntry.objects.filter(status=EntryStatus.WON).select_related("hold").first()
    assert keeper is not None and keeper.hold is not None
    code_send(booking=keeper.hold)
    code_verify(booking=keeper.hold, code=sent_code("code"))
    first, second = BallotEntry.objects.filter(status=EntryStatus.WAITING).order_by("draw_position")
    clock.move_to(RELEASE + timedelta(hours=24, minutes=1))  # the other three lapse
    assert ballot_offer_unclaimed(ballot_id=ballot.pk) == 2  # two waiting, three places
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == second.status == EntryStatus.WON
    assert first.hold.releases_at == RELEASE + timedelta(hours=48, minutes=1)  # type: ignore[union-attr]
    assert BallotEntry.objects.filter(status=EntryStatus.LAPSED).count() == 3
    keeper.refresh_from_db()
    assert keeper.status == EntryStatus.CLAIMED
    assert Booking.objects.filter(source=Source.BALLOT, status=BookingStatus.EXPIRED).count() == 3
    assert ballot_offer_unclaimed(ballot_id=ballot.pk) == 0  # nothing offered twice
