"""Ballot entries lose the entrant's personal data once the round's days are long past."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from ballots.models import Ballot, BallotEntry
from ballots.privacy import anonymise_past_ballot_entries
from offices.models import OfficeService
from tests.ballots.conftest import NOW, entered

pytestmark = pytest.mark.django_db


def test_entries_are_erased_after_the_rounds_days_and_keep_their_reference(
    ballot: Ballot, jakarta_ballot: OfficeService, clock: Any
) -> None:
    first = entered(ballot, 1, jakarta_ballot)
    entered(ballot, 2, jakarta_ballot)
    soon = NOW + timedelta(days=30)  # the day (9 December) + 21 days: not yet
    assert anonymise_past_ballot_entries(now=soon, batch_size=10) == 0
    later = NOW + timedelta(days=40)  # 9 December + 30 days has passed in every zone
    assert anonymise_past_ballot_entries(now=later, batch_size=10) == 2
    erased = BallotEntry.objects.get(pk=first.pk)
    assert (erased.full_name, erased.nik_hash, erased.email, erased.nik_last4) == ("", "", "", "")
    assert erased.reference == first.reference and erased.token != first.token
    assert erased.anonymised_at == later
    assert anonymise_past_ballot_entries(now=later, batch_size=10) == 0
