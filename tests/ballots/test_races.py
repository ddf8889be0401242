"""On real PostgreSQL with real threads: parallel entries for one NIK leave one entry;
two draws of a round at once draw it once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from ballots.models import Ballot, BallotEntry, BallotStatus
from ballots.services.drawing import ballot_draw
from ballots.services.entries import Choice, ballot_enter
from booking.models import Booking, Source
from core.errors import ApplicationError
from offices.models import OfficeService
from tests.ballots.conftest import DAY, RELEASE, citizen, entered

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8


def _in_parallel(work: Callable[[int], object]) -> tuple[list[object], list[BaseException]]:
    barrier = threading.Barrier(THREADS)
    results: list[object] = []
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            results.append(work(n))
        except BaseException as error:  # counted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def test_parallel_entries_for_one_nik_leave_one_proven_entry(
    ballot: Ballot, jakarta_ballot: OfficeService
) -> None:
    entered(ballot, 1, jakarta_ballot)
    _results, errors = _in_parallel(
        lambda n: ballot_enter(
            ballot=ballot,
            details=citizen(1, email=f"calo{n}@example.id"),
            choices=[Choice(jakarta_ballot.pk, DAY)],
        )
    )
    assert len(errors) == THREADS
    assert {e.code for e in errors if isinstance(e, ApplicationError)} == {"already_entered"}
    assert list(BallotEntry.objects.values_list("email", flat=True)) == ["warga1@example.id"]


def test_parallel_first_entries_for_one_nik_leave_one(
    ballot: Ballot, jakarta_ballot: OfficeService
) -> None:
    _results, errors = _in_parallel(
        lambda n: ballot_enter(
            ballot=ballot,
            details=citizen(1, email=f"warga{n}@example.id"),
            choices=[Choice(jakarta_ballot.pk, DAY)],
        )
    )
    assert errors == []  # unproven entries replace each other, one after another
    assert BallotEntry.objects.count() == 1


def test_two_draws_at_once_draw_the_round_once(
    ballot: Ballot, jakarta_ballot: OfficeService, denpasar_ballot: OfficeService, clock: Any
) -> None:
    for n in range(1, 7):
        entered(ballot, n, jakarta_ballot, denpasar_ballot)
    clock.move_to(RELEASE)
    results, errors = _in_parallel(lambda n: ballot_draw(ballot_id=ballot.pk))
    assert errors == []
    assert sorted(bool(r) for r in results) == [False] * (THREADS - 1) + [True]
    ballot.refresh_from_db()
    assert ballot.status == BallotStatus.DRAWN
    assert Booking.objects.filter(source=Source.BALLOT).count() == 4
