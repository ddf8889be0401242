"""Races on capacity through the HTTP API, on real PostgreSQL with real threads.

Each thread is one citizen with its own test Client, NIK, phone and email, doing what the
API offers: POST /api/v1/holds/, read the one-time code from the outbox, POST
…/confirm/ (or switch a hold, or reschedule). All threads start together behind a
barrier. The clock is frozen for every thread (time_machine patches the process, not a
thread), so no hold expires during a race.

The shared PostgreSQL server allows 100 connections, fewer than 200 threads, so each
request first takes one of DB_SESSIONS places and its thread closes its database
connection before giving the place back: up to DB_SESSIONS transactions run at once,
plenty to race for 20 slots (the GIL serialises the Python in between anyway), as a
server with a pool of DB_SESSIONS connections would.
"""

from __future__ import annotations

import re
import threading
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.db.models import Count, Q, Sum
from django.test import Client

from booking.messages import BookingMessageKind
from booking.models import ACTIVE_STATUSES, Booking, BookingStatus, Slot
from core import personal_data
from notifications.models import Message, MessageStatus
from offices.models import OfficeService
from tests.booking.conftest import FIRST_BOOKABLE

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

HOLDS_URL = "/api/v1/holds/"
DB_SESSIONS = 32
JOIN_SECONDS = 120
# The code message's subject: "Kode Giliran: 123456" or "Giliran code: 123456".
CODE_SUBJECT = re.compile(r"\b(\d{6})\s*$")


@pytest.fixture(autouse=True)
def _no_rate_limits(settings: Any) -> None:
    # Every thread comes from the same client address; limits are not under test here.
    for name in (
        "GILIRAN_RATE_HOLD_PER_IP",
        "GILIRAN_RATE_HOLD_PER_NIK",
        "GILIRAN_RATE_CODE_PER_CONTACT",
        "GILIRAN_RATE_CODE_PER_IP",
        "GILIRAN_RATE_LOOKUP_PER_IP",
        "GILIRAN_CHALLENGE_AFTER",
    ):
        setattr(settings, name, "1000000/h")


@pytest.fixture
def empty_outbox() -> Iterator[None]:
    mail.outbox = []
    yield
    mail.outbox = []


@pytest.fixture
def open_slots(passport_here: OfficeService) -> Callable[[int, int], list[int]]:
    """`count` bookable slots from 2 December on, each set to `capacity`, none taken."""

    def make(count: int, capacity: int) -> list[int]:
        ids = list(
            Slot.objects.filter(
                office_service=passport_here, local_date__gte=FIRST_BOOKABLE, capacity__gt=0
            )
            .order_by("starts_at")
            .values_list("pk", flat=True)[:count]
        )
        assert len(ids) == count, "the December plan has too few slots"
        Slot.objects.filter(pk__in=ids).update(capacity=capacity, taken=0)
        return ids

    return make


# --- Citizens and what they do --------------------------------------------------------


def nik(n: int) -> str:
    """A distinct valid NIK for each n below 28 × 12 × 9999: Jakarta, born in 1990."""
    day, month, seq = n % 28 + 1, n // 28 % 12 + 1, n // (28 * 12) + 1
    return f"317101{day:02d}{month:02d}90{seq:04d}"


def citizen(n: int, *, nik_of: int | None = None) -> dict[str, str]:
    """Citizen n's hold request fields; `nik_of` borrows another citizen's NIK."""
    return {
        "full_name": f"Warga Uji {n}",
        "nik": nik(n if nik_of is None else nik_of),
        "phone": f"0812{n:08d}",
        "email": f"warga{n}@example.id",
        "channel": "email",
        "priority_group": "",
        "language": "id",
    }


Post = Callable[..., Any]


@dataclass
class Attempt:
    """One citizen's part in a race, and what each of its requests answered."""

    details: dict[str, str]
    slot_id: int
    answers: dict[str, tuple[int, str]] = field(default_factory=dict)  # step → (status, code)
    booking: dict[str, Any] = field(default_factory=dict)  # the confirm answer
    crash: str = ""

    def status(self, step: str) -> int | None:
        return self.answers[step][0] if step in self.answers else None

    def error(self, step: str) -> str:
        return self.answers[step][1] if step in self.answers else ""


def poster(attempt: Attempt, client: Client, places: threading.Semaphore | None) -> Post:
    """POST JSON as `step`, recording the status and the error code of the answer."""

    def post(step: str, path: str, body: dict[str, Any], **headers: str) -> Any:
        if places is None:
            response = client.post(path, body, content_type="application/json", headers=headers)
        else:
            with places:
                try:
                    response = client.post(
                        path, body, content_type="application/json", headers=headers
                    )
                finally:
                    connection.close()
        error = "" if response.status_code < 300 else response.json().get("code", "")
        attempt.answers[step] = (response.status_code, error)
        return response

    return post


def code_for(email: str, hold_token: str) -> str:
    """The code in the newest code message to this address. Messages leave on commit,
    before the hold's answer, so it is already in the outbox, unless the hold had
    already been replaced by the same citizen's newer one: a code for a hold that is
    gone is not sent (its outbox row is skipped), and confirming it would be refused
    anyway, so any code will do to see that refusal."""
    for message in reversed(list(mail.outbox)):
        found = CODE_SUBJECT.search(str(message.subject))
        if message.to == [email] and found:
            return found.group(1)
    replaced = Booking.objects.filter(hold_token=hold_token).exclude(status=BookingStatus.HELD)
    skipped = Message.objects.filter(
        booking__hold_token=hold_token, kind=BookingMessageKind.CODE, status=MessageStatus.SKIPPED
    )
    if replaced.exists() or skipped.exists():
        return "000000"
    raise AssertionError(f"no code message to {email}")


def hold(attempt: Attempt, post: Post) -> Any:
    return post("hold", HOLDS_URL, {"slot": attempt.slot_id, **attempt.details})


def book(attempt: Attempt, post: Post) -> None:
    """Hold, read the code, confirm: the whole API booking of one citizen."""
    held = hold(attempt, post)
    if held.status_code != 201:
        return
    token = held.json()["hold_token"]
    code = code_for(attempt.details["email"], token)
    confirmed = post("confirm", f"{HOLDS_URL}{token}/confirm/", {"code": code})
    if confirmed.status_code == 200:
        attempt.booking = confirmed.json()


def reschedule(attempt: Attempt, post: Post) -> None:
    code = attempt.booking["booking"]["code"]
    post(
        "reschedule",
        f"/api/v1/bookings/{code}/reschedule/",
        {"slot": attempt.slot_id},
        authorization=f"Bearer {attempt.booking['manage_token']}",
    )


def one_by_one(attempts: list[Attempt], job: Callable[[Attempt, Post], None]) -> None:
    """Set-up: the same job, in this thread, one citizen after the other."""
    for attempt in attempts:
        job(attempt, poster(attempt, Client(), None))


def run_together(attempts: list[Attempt], job: Callable[[Attempt, Post], None]) -> None:
    barrier = threading.Barrier(len(attempts), timeout=JOIN_SECONDS)
    places = threading.Semaphore(DB_SESSIONS)

    def run(attempt: Attempt) -> None:
        try:
            post = poster(attempt, Client(), places)
            barrier.wait()
            job(attempt, post)
        except Exception:
            # A view that raised is a server error: the test client re-raises it here
            # instead of answering 500.
            attempt.crash = traceback.format_exc()
        finally:
            connection.close()

    connection.close()  # the test's own connection must not hold anything meanwhile
    threads = [threading.Thread(target=run, args=(a,), daemon=True) for a in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_SECONDS)
    assert not any(t.is_alive() for t in threads), "attempts still running"


def server_errors(attempts: list[Attempt]) -> list[str]:
    # The last lines of each exception say what went wrong (all of it is in a.crash).
    crashes = [" | ".join(a.crash.strip().splitlines()[-4:]) for a in attempts if a.crash]
    answers = [
        f"{step}: HTTP {status}"
        for a in attempts
        for step, (status, _code) in a.answers.items()
        if status >= 500
    ]
    return crashes + answers


def statuses(attempts: list[Attempt], step: str) -> Counter[int | None]:
    return Counter(a.status(step) for a in attempts)


# --- Invariants -----------------------------------------------------------------------


def assert_capacity_consistent(slot_ids: list[int]) -> None:
    """Never oversold, and `taken` counts exactly the bookings occupying each slot."""
    occupying = Count("bookings", filter=Q(bookings__occupies_slot=True))
    confirmed = Count("bookings", filter=Q(bookings__status=BookingStatus.CONFIRMED))
    slots = Slot.objects.filter(pk__in=slot_ids).annotate(occupying=occupying, confirmed=confirmed)
    for slot in slots:
        assert slot.taken <= slot.capacity, slot
        assert slot.confirmed <= slot.capacity, slot
        assert slot.taken == slot.occupying, (slot, slot.taken, slot.occupying)


# --- The races ------------------------------------------------------------------------


@pytest.mark.parametrize("round_", [1, 2, 3])
def test_200_citizens_race_for_20_slots_of_3(
    round_: int, open_slots: Callable[[int, int], list[int]], empty_outbox: None
) -> None:
    """60 places, 200 citizens at once: exactly 60 bookings, none over capacity, and the
    others a clean 409. Each round starts from a fresh database."""
    slot_ids = open_slots(20, 3)
    attempts = [Attempt(citizen(n), slot_ids[n % 20]) for n in range(200)]

    run_together(attempts, book)

    assert server_errors(attempts) == []
    assert statuses(attempts, "hold") == {201: 60, 409: 140}
    assert {a.error("hold") for a in attempts if a.status("hold") == 409} == {"slot_full"}
    assert statuses([a for a in attempts if a.status("hold") == 201], "confirm") == {200: 60}

    bookings = Booking.objects.filter(slot_id__in=slot_ids)
    confirmed = bookings.filter(status=BookingStatus.CONFIRMED).count()
    live_holds = bookings.filter(status=BookingStatus.HELD, occupies_slot=True).count()
    assert (confirmed, live_holds) == (60, 0)
    slots = Slot.objects.filter(pk__in=slot_ids)
    assert slots.aggregate(total=Sum("taken"))["total"] == confirmed + live_holds
    assert not slots.filter(taken__lt=3).exists()  # every place went
    assert_capacity_consistent(slot_ids)


@pytest.mark.parametrize("spread", [10, 1], ids=["ten-slots", "one-slot"])
def test_50_parallel_attempts_with_one_nik_end_in_one_booking(
    spread: int, open_slots: Callable[[int, int], list[int]], empty_outbox: None
) -> None:
    """One citizen on 50 devices at once (each with its own contact, so that each finds
    its own code): one active booking for the service whatever the interleaving, and
    once every device has tried its code, exactly one confirmed."""
    slot_ids = open_slots(spread, 3)
    attempts = [Attempt(citizen(n, nik_of=7), slot_ids[n % spread]) for n in range(50)]

    run_together(attempts, book)

    assert server_errors(attempts) == []
    refusals = {a.error("hold") for a in attempts if a.status("hold") != 201}
    assert refusals <= {"already_booked", "slot_full"}, refusals
    confirms = statuses([a for a in attempts if a.status("hold") == 201], "confirm")
    assert confirms[200] == 1, confirms
    # The other holds were replaced by a newer hold of the same citizen (410), or their
    # token was spent meanwhile (404).
    assert set(confirms) <= {200, 404, 409, 410}, confirms

    mine = Booking.objects.filter(nik_hash=personal_data.keyed_hash(nik(7)))
    assert mine.filter(status__in=ACTIVE_STATUSES).count() == 1
    assert mine.filter(status=BookingStatus.CONFIRMED).count() == 1
    assert mine.filter(occupies_slot=True).count() == 1
    assert_capacity_consistent(slot_ids)


def test_citizens_switching_holds_into_each_others_slots(
    open_slots: Callable[[int, int], list[int]], empty_outbox: None
) -> None:
    """12 pairs of citizens each hold a slot, then at once each picks the other's slot
    (holding again replaces one's own hold): every switch succeeds, no server error."""
    slot_ids = open_slots(24, 2)
    one_by_one([Attempt(citizen(n), slot_ids[n]) for n in range(24)], hold)
    switches = [Attempt(citizen(n), slot_ids[n ^ 1]) for n in range(24)]

    run_together(switches, hold)

    assert server_errors(switches) == []
    assert statuses(switches, "hold") == {201: 24}
    assert Slot.objects.filter(pk__in=slot_ids, taken=1).count() == 24
    assert_capacity_consistent(slot_ids)


def test_bookings_rescheduled_into_each_others_slots(
    open_slots: Callable[[int, int], list[int]], empty_outbox: None
) -> None:
    """12 pairs of confirmed bookings move into each other's slot at once (room for
    both): every move succeeds, no server error."""
    slot_ids = open_slots(24, 2)
    booked = [Attempt(citizen(n), slot_ids[n]) for n in range(24)]
    one_by_one(booked, book)
    assert all(a.booking for a in booked)
    moves = [Attempt(a.details, slot_ids[n ^ 1], booking=a.booking) for n, a in enumerate(booked)]

    run_together(moves, reschedule)

    assert server_errors(moves) == []
    assert statuses(moves, "reschedule") == {200: 24}
    assert Slot.objects.filter(pk__in=slot_ids, taken=1).count() == 24
    assert_capacity_consistent(slot_ids)
