"""The ballot's pages and API, in both languages: the round with its commitment, entering
and proving the contact, the outcome, the published draw, bad tokens."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ballots.models import Ballot, BallotEntry, EntryStatus
from ballots.services.drawing import ballot_draw
from booking.models import BookingStatus
from offices.models import OfficeService
from tests.ballots.conftest import DAY, RELEASE, entered, sent_code

pytestmark = pytest.mark.django_db

ROUND = "kantor/kanim-jakarta/layanan/paspor-baru/undian/"


@pytest.mark.parametrize(("prefix", "words"), [("/", "Undian"), ("/en/", "Ballot")])
def test_the_round_page_shows_the_commitment_and_the_form(
    client: Client, ballot: Ballot, prefix: str, words: str
) -> None:
    page = client.get(prefix + ROUND).content.decode()
    assert words in page
    assert ballot.seed_sha256 in page
    assert 'name="choice_1"' in page
    assert "Mal Pelayanan Publik Denpasar" in page  # a choice of the other office


def test_entering_through_the_page_then_proving_the_contact(
    client: Client, ballot: Ballot, jakarta_ballot: OfficeService
) -> None:
    answer = client.post(
        "/en/" + ROUND,
        {
            "full_name": "Siti Rahmawati",
            "nik": "3171014501900001",
            "email": "siti@example.id",
            "channel": "email",
            "choice_1": f"{jakarta_ballot.pk}:{DAY.isoformat()}",
        },
    )
    assert answer.status_code == 302
    entry = BallotEntry.objects.get()
    assert answer["Location"] == f"/en/undian/entri/{entry.token}/"
    page = client.post(answer["Location"], {"action": "verify", "code": sent_code()})
    assert "You are in the draw" in page.content.decode()
    entry.refresh_from_db()
    assert entry.status == EntryStatus.ENTERED


def test_a_second_entry_on_the_page_says_so_and_changes_nothing(
    client: Client, ballot: Ballot, jakarta_ballot: OfficeService
) -> None:
    entered(ballot, 1, jakarta_ballot)
    answer = client.post(
        "/en/" + ROUND,
        {
            "full_name": "Warga Satu",
            "nik": "3171014501900001",
            "email": "lain@example.id",
            "channel": "email",
            "choice_1": f"{jakarta_ballot.pk}:{DAY.isoformat()}",
        },
    )
    assert answer.status_code == 409
    assert "This NIK has already entered this ballot." in answer.content.decode()
    assert BallotEntry.objects.count() == 1


def test_the_api_enters_verifies_and_follows_an_entry_to_its_hold(
    client: Client, ballot: Ballot, clock: Any
) -> None:
    found = client.get("/api/v1/offices/kanim-jakarta/services/paspor-baru/ballot/").json()
    assert found["id"] == ballot.pk and found["seed"] == "" and found["is_open"]
    assert {"office": "mpp-denpasar", "date": "2026-12-09"} in found["choices"]
    made = client.post(
        f"/api/v1/ballots/{ballot.pk}/entries/",
        {
            "full_name": "Siti Rahmawati",
            "nik": "3171014501900001",
            "email": "siti@example.id",
            "channel": "email",
            "choices": [{"office": "kanim-jakarta", "date": "2026-12-09"}],
        },
        content_type="application/json",
    )
    assert made.status_code == 201, made.json()
    token = made.json()["token"]
    verified = client.post(
        f"/api/v1/ballot-entries/{token}/verify/",
        {"code": sent_code()},
        content_type="application/json",
    )
    assert verified.json()["status"] == "entered"
    assert client.get(f"/api/v1/ballots/{ballot.pk}/published/").status_code == 404
    clock.move_to(RELEASE)
    ballot_draw(ballot_id=ballot.pk)
    mine = client.get(f"/api/v1/ballot-entries/{token}/").json()
    assert mine["status"] == "won" and mine["hold_token"]
    client.post(f"/api/v1/holds/{mine['hold_token']}/code/")
    confirmed = client.post(
        f"/api/v1/holds/{mine['hold_token']}/confirm/",
        {"code": sent_code("code")},
        content_type="application/json",
    )
    assert confirmed.status_code == 200
    assert BallotEntry.objects.get().hold.status == BookingStatus.CONFIRMED  # type: ignore[union-attr]
    published = client.get(f"/api/v1/ballots/{ballot.pk}/published/").json()
    assert published["seed"] and "3171014501900001" not in str(published)


def test_forged_tokens_are_refused_in_the_house_shape(client: Client, ballot: Ballot) -> None:
    for path in ("/api/v1/ballot-entries/forged/", "/api/v1/ballot-entries/forged/verify/"):
        answer = (
            client.get(path)
            if path.endswith("forged/")
            else client.post(path, {"code": "123456"}, content_type="application/json")
        )
        assert answer.status_code == 404
        assert set(answer.json()) >= {"code", "message"}
    assert client.get("/en/undian/entri/forged/").status_code == 404


def test_someone_elses_code_does_not_prove_an_entry(
    client: Client, ballot: Ballot, jakarta_ballot: OfficeService
) -> None:
    entered(ballot, 1, jakarta_ballot)
    own_code = sent_code()  # the first entrant's code, already used
    other = client.post(
        f"/api/v1/ballots/{ballot.pk}/entries/",
        {
            "full_name": "Warga Dua",
            "nik": "3171014501900002",
            "email": "warga2@example.id",
            "channel": "email",
            "choices": [{"office": "kanim-jakarta", "date": "2026-12-09"}],
        },
        content_type="application/json",
    ).json()
    if own_code == sent_code():
        pytest.skip("the two random codes happen to be equal")  # one in a million
    answer = client.post(
        f"/api/v1/ballot-entries/{other['token']}/verify/",
        {"code": own_code},
        content_type="application/json",
    )
    assert answer.status_code == 400 and answer.json()["code"] == "wrong_code"
    assert BallotEntry.objects.get(reference=other["reference"]).status == EntryStatus.PENDING


def test_supervisors_see_a_rounds_counts_only_for_their_offices(
    client: Client,
    ballot: Ballot,
    jakarta_ballot: OfficeService,
    supervisor: Any,
    counter_clerk: Any,
) -> None:
    entered(ballot, 1, jakarta_ballot)
    client.force_login(supervisor)
    page = client.get(f"/en/staf/undian/{ballot.pk}/")
    assert page.status_code == 200
    assert "In the draw" in page.content.decode()
    client.force_login(counter_clerk)
    assert client.get(f"/en/staf/undian/{ballot.pk}/").status_code == 404
