"""A client that makes many holds (one address took 30 in 2.1 s) must solve a challenge
for each further one: proof of work in the browser, or, without JavaScript, a short
wait. No third party, no puzzle. Pages and the API, both ways."""

from __future__ import annotations

import hashlib
import itertools
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django.utils import translation

from booking.models import Booking, BookingStatus, Slot
from core.challenge import leading_zero_bits
from offices.models import OfficeService
from tests.booking.conftest import FIRST_BOOKABLE
from tests.booking.test_capacity_race import citizen

pytestmark = pytest.mark.django_db

HOLDS_URL = "/api/v1/holds/"


@pytest.fixture(autouse=True)
def _limits(settings: Any) -> None:
    settings.GILIRAN_CHALLENGE_AFTER = "3/h"
    settings.GILIRAN_CHALLENGE_BITS = 8
    settings.GILIRAN_CHALLENGE_WAIT_SECONDS = 15
    caches["ratelimit"].clear()


@pytest.fixture
def slots(passport_here: OfficeService, clock: Any) -> list[Slot]:
    return list(
        Slot.objects.filter(
            office_service=passport_here, local_date__gte=FIRST_BOOKABLE, capacity__gt=0
        ).order_by("starts_at")[:10]
    )


def _solve(challenge: dict[str, Any]) -> str:
    for n in itertools.count():
        digest = hashlib.sha256(f"{challenge['prefix']}:{n}".encode()).digest()
        if leading_zero_bits(digest) >= challenge["difficulty_bits"]:
            return str(n)
    raise AssertionError("unreachable")


def _api_hold(client: Client, slot: Slot, n: int, **headers: str) -> Any:
    return client.post(
        HOLDS_URL,
        {"slot": slot.pk, **citizen(n)},
        content_type="application/json",
        headers={"Accept-Language": "en", **headers},
    )


def _use_up_allowance(client: Client, slots: list[Slot]) -> dict[str, Any]:
    for n in range(3):
        assert _api_hold(client, slots[n], n).status_code == 201
    refused = _api_hold(client, slots[3], 3)
    assert refused.status_code == 429
    body = refused.json()
    assert body["code"] == "challenge_required"
    assert "please confirm you are here" in body["message"]
    assert Booking.objects.filter(status=BookingStatus.HELD).count() == 3
    return dict(body["challenge"])


def test_api_client_over_the_allowance_gets_a_challenge_and_passes_with_its_proof(
    client: Client, slots: list[Slot]
) -> None:
    challenge = _use_up_allowance(client, slots)
    assert challenge["algorithm"] == "SHA-256" and challenge["difficulty_bits"] == 8
    solved = {
        "X-Giliran-Challenge": challenge["token"],
        "X-Giliran-Challenge-Solution": _solve(challenge),
    }
    assert _api_hold(client, slots[3], 3, **solved).status_code == 201
    # One solution, one request.
    again = _api_hold(client, slots[4], 4, **solved)
    assert again.status_code == 429 and again.json()["code"] == "challenge_required"


def test_api_client_without_computing_passes_after_the_wait(
    client: Client, slots: list[Slot], clock: Any
) -> None:
    challenge = _use_up_allowance(client, slots)
    waited = {"X-Giliran-Challenge": challenge["token"], "X-Giliran-Challenge-Solution": "wait"}
    early = _api_hold(client, slots[3], 3, **waited)
    assert early.status_code == 429
    assert early.json()["code"] == "challenge_wait"
    assert early.json()["challenge"]["wait_seconds"] == 15
    clock.shift(timedelta(seconds=15))
    assert _api_hold(client, slots[3], 3, **waited).status_code == 201


def test_a_wrong_proof_or_another_clients_challenge_is_refused(
    client: Client, slots: list[Slot]
) -> None:
    challenge = _use_up_allowance(client, slots)
    wrong = {"X-Giliran-Challenge": challenge["token"], "X-Giliran-Challenge-Solution": "x"}
    assert _api_hold(client, slots[3], 3, **wrong).json()["code"] == "challenge_required"
    forged = {
        "X-Giliran-Challenge": challenge["token"] + "x",
        "X-Giliran-Challenge-Solution": _solve(challenge),
    }
    assert _api_hold(client, slots[3], 3, **forged).json()["code"] == "challenge_required"
    elsewhere = client.post(
        HOLDS_URL,
        {"slot": slots[3].pk, **citizen(3)},
        content_type="application/json",
        REMOTE_ADDR="198.51.100.77",
        headers={
            "X-Giliran-Challenge": challenge["token"],
            "X-Giliran-Challenge-Solution": _solve(challenge),
        },
    )
    # That address is under its own allowance: no challenge needed, so it simply passes.
    assert elsewhere.status_code == 201
    for n in range(4, 6):
        client.post(
            HOLDS_URL,
            {"slot": slots[n].pk, **citizen(n)},
            content_type="application/json",
            REMOTE_ADDR="198.51.100.77",
        )
    stolen = client.post(
        HOLDS_URL,
        {"slot": slots[6].pk, **citizen(6)},
        content_type="application/json",
        REMOTE_ADDR="198.51.100.77",
        headers={
            "X-Giliran-Challenge": challenge["token"],
            "X-Giliran-Challenge-Solution": _solve(challenge),
        },
    )
    assert stolen.status_code == 429 and stolen.json()["code"] == "challenge_required"


def _page_hold(client: Client, slot: Slot, n: int, **extra: str) -> Any:
    with translation.override("en"):
        url = reverse("book-details", args=["kanim-jakarta", "paspor-baru", slot.pk])
    fields = {k: v for k, v in citizen(n).items() if k != "language"}
    return client.post(url, {**fields, **extra})


def test_page_without_javascript_shows_the_challenge_and_passes_after_the_wait(
    client: Client, slots: list[Slot], clock: Any
) -> None:
    for n in range(3):
        assert _page_hold(client, slots[n], n).status_code == 302
    page = _page_hold(client, slots[3], 3)
    html = page.content.decode()
    assert page.status_code == 200
    assert "please confirm you are here" in html
    assert "Please wait 15 seconds, then press the button below again" in html
    assert 'name="challenge_solution" value="wait"' in html
    assert "js/challenge.js" in html
    token = html.split('name="challenge" value="')[1].split('"')[0]
    early = _page_hold(client, slots[3], 3, challenge=token, challenge_solution="wait")
    assert "Please wait a few more seconds" in early.content.decode()
    clock.shift(timedelta(seconds=15))
    done = _page_hold(client, slots[3], 3, challenge=token, challenge_solution="wait")
    assert done.status_code == 302
    assert Booking.objects.filter(status=BookingStatus.HELD).count() == 4


def test_page_with_javascript_passes_at_once_with_the_proof(
    client: Client, slots: list[Slot]
) -> None:
    for n in range(3):
        _page_hold(client, slots[n], n)
    html = _page_hold(client, slots[3], 3).content.decode()
    token = html.split('name="challenge" value="')[1].split('"')[0]
    prefix = html.split('data-challenge-prefix="')[1].split('"')[0]
    proof = _solve({"prefix": prefix, "difficulty_bits": 8})
    done = _page_hold(client, slots[3], 3, challenge=token, challenge_solution=proof)
    assert done.status_code == 302
