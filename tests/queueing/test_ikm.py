"""The IKM of PermenPANRB 14/2017 (queueing/ikm.py) and the survey's second step: the
index from element sums, its bands at their edges, and the nine questions answered once,
skippable, with bad answers refused and nothing stored."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from offices.models import Counter, OfficeService
from queueing.ikm import ELEMENT_KEYS, band_of, index_of
from queueing.models import ServiceRating, Ticket, TicketSource
from queueing.services.calling import call_next, ticket_finish, ticket_start
from queueing.services.issue import ticket_issue

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "band"),
    [
        (100, "A"),
        (88.31, "A"),
        (88.30, "B"),
        (76.61, "B"),
        (76.60, "C"),
        (65.0, "C"),
        (64.99, "D"),
        (25, "D"),
    ],
)
def test_bands_at_their_edges(value: float, band: str) -> None:
    assert band_of(value)[0] == band


def test_the_index_is_the_mean_of_element_means_times_25() -> None:
    # Nine elements, every one answered 3 by two citizens and 4 by two: mean 3.5 → 87.5.
    sums = {key: (14, 4) for key in ELEMENT_KEYS}
    index = index_of(sums, 4)
    assert index is not None
    assert (index.value, index.band, index.respondents) == (87.5, "B", 4)
    # An element nobody answered is left out, not counted as zero.
    assert index_of({"time": (4, 1), "cost": (0, 0)}, 1).value == 100  # type: ignore[union-attr]
    assert index_of({}, 0) is None


@pytest.fixture
def served(passport: OfficeService, counter_one: Counter, counter_clerk: Any, clock: Any) -> Ticket:
    ticket = ticket_issue(office_service=passport, source=TicketSource.KIOSK)
    call_next(counter=counter_one, staff=counter_clerk)
    ticket_start(counter=counter_one, staff=counter_clerk)
    ticket_finish(counter=counter_one, staff=counter_clerk)
    return ticket


def test_one_tap_then_nine_skippable_questions_answered_once(client: Any, served: Ticket) -> None:
    survey = reverse("ticket-survey", kwargs={"token": served.public_token})
    # Before the one-tap score the questions are refused, and nothing is stored.
    early = client.post(survey, {"step": "ikm", "time": "4"})
    assert ServiceRating.objects.count() == 0

    page = client.post(survey, {"score": "5"})
    assert page.status_code == 200
    assert "Sembilan pertanyaan singkat" in page.content.decode()
    assert early.status_code == 400

    # A bad answer: refused with the reason, nothing stored, the good answers kept.
    bad = client.post(survey, {"step": "ikm", "time": "5", "cost": "4"})
    assert bad.status_code == 400
    assert "1 sampai 4" in bad.content.decode()
    assert 'value="4" checked' in bad.content.decode()
    assert ServiceRating.objects.get().ikm_answered_at is None

    # Nothing answered: refused as well.
    assert client.post(survey, {"step": "ikm"}).status_code == 400

    assert client.post(survey, {"step": "ikm", "time": "4", "cost": "2"}).status_code == 200
    rating = ServiceRating.objects.get()
    assert (rating.score, rating.ikm_time, rating.ikm_cost, rating.ikm_conduct) == (5, 4, 2, None)

    again = client.post("/en" + survey, {"step": "ikm", "time": "1"})
    assert again.status_code == 409
    assert "already been answered" in again.content.decode()
    assert ServiceRating.objects.get().ikm_time == 4
