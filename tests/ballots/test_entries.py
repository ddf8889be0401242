"""Entering a round: one entry per NIK, a contact proven by its code, choices the round
gives, the entry window."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ballots.models import Ballot, BallotEntry, EntryStatus
from ballots.services.entries import Choice, ballot_enter, entry_verify
from ballots.services.rounds import ballot_next
from core import personal_data
from core.errors import ApplicationError
from offices.models import OfficeService
from tests.ballots.conftest import DAY, RELEASE, citizen, entered, sent_code

pytestmark = pytest.mark.django_db


def test_a_round_covers_the_offices_that_release_at_the_same_moment(
    ballot: Ballot, jakarta_ballot: OfficeService, denpasar_ballot: OfficeService
) -> None:
    assert ballot.release_at == RELEASE
    assert set(ballot.office_services.all()) == {jakarta_ballot, denpasar_ballot}
    assert ballot.first_day == ballot.last_day == DAY
    assert len(ballot.seed_sha256) == 64 and ballot.seed == ""
    assert ballot_next(office_service=denpasar_ballot) == ballot  # made once


def test_entry_joins_the_draw_once_its_code_is_typed(
    ballot: Ballot, jakarta_ballot: OfficeService
) -> None:
    entry = ballot_enter(
        ballot=ballot, details=citizen(1), choices=[Choice(jakarta_ballot.pk, DAY)]
    )
    assert entry.status == EntryStatus.PENDING
    assert entry.nik_hash == personal_data.keyed_hash("3171014501900001")
    assert "3171014501900001" not in entry.nik_encrypted
    with pytest.raises(ApplicationError) as wrong:
        entry_verify(entry=entry, code="000000" if sent_code() != "000000" else "111111")
    assert wrong.value.code == "wrong_code"
    entry = entry_verify(entry=entry, code=sent_code())
    assert entry.status == EntryStatus.ENTERED and entry.verified_at is not None


def test_a_second_entry_for_the_same_nik_is_refused_and_changes_nothing(
    ballot: Ballot, jakarta_ballot: OfficeService, denpasar_ballot: OfficeService
) -> None:
    first = entered(ballot, 1, jakarta_ballot)
    with pytest.raises(ApplicationError) as refused:
        ballot_enter(
            ballot=ballot,
            details=citizen(1, email="other@example.id"),
            choices=[Choice(denpasar_ballot.pk, DAY)],
        )
    assert refused.value.code == "already_entered"
    assert refused.value.status_code == 409
    assert "nik" in refused.value.fields
    assert list(BallotEntry.objects.values_list("pk", "email")) == [(first.pk, "warga1@example.id")]
    assert [c.office_service_id for c in first.choices.all()] == [jakarta_ballot.pk]


def test_an_entry_never_proven_is_replaced_by_a_new_one(
    ballot: Ballot, jakarta_ballot: OfficeService
) -> None:
    ballot_enter(
        ballot=ballot,
        details=citizen(1, email="calo@example.id"),
        choices=[Choice(jakarta_ballot.pk, DAY)],
    )
    again = ballot_enter(
        ballot=ballot, details=citizen(1), choices=[Choice(jakarta_ballot.pk, DAY)]
    )
    assert list(BallotEntry.objects.values_list("pk", "email")) == [(again.pk, "warga1@example.id")]


@pytest.mark.parametrize(
    "choices",
    [
        [],
        [("j", DAY), ("j", DAY)],
        [("j", date(2026, 12, 10))],  # released at another moment
        [("j", DAY), ("d", DAY), ("j", date(2026, 12, 8)), ("d", date(2026, 12, 8))],
    ],
)
def test_choices_the_round_does_not_give_are_refused(
    ballot: Ballot,
    jakarta_ballot: OfficeService,
    denpasar_ballot: OfficeService,
    choices: list[tuple[str, date]],
) -> None:
    ids = {"j": jakarta_ballot.pk, "d": denpasar_ballot.pk}
    with pytest.raises(ApplicationError) as refused:
        ballot_enter(
            ballot=ballot, details=citizen(1), choices=[Choice(ids[o], d) for o, d in choices]
        )
    assert refused.value.code == "invalid_choices"
    assert not BallotEntry.objects.exists()


def test_entries_close_at_the_release(
    ballot: Ballot, jakarta_ballot: OfficeService, clock: Any
) -> None:
    clock.move_to(RELEASE)
    with pytest.raises(ApplicationError) as refused:
        ballot_enter(ballot=ballot, details=citizen(1), choices=[Choice(jakarta_ballot.pk, DAY)])
    assert refused.value.code == "ballot_closed"
    assert not BallotEntry.objects.exists()
