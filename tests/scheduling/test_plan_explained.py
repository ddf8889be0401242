"""The day plan in a supervisor's words, in both languages: the expected wait of a
walk-in per service, the counters per service per hour, what changed since the plan
before and why; none of the optimiser's objective, lower bound or gap."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import translation

from scheduling.explain import plan_brief, plan_explain
from scheduling.planning import Adjustment, day_plan_adjust, day_plan_solve
from scheduling.services import default_plan_extend

# Tuesday 1 December 2026, 10:00 WIB; the day planned is Wednesday 2 December.
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
DAY = date(2026, 12, 2)

JARGON = {
    "id": ("Tujuan", "batas bawah", "selisih", "optimal", "serakah"),
    "en": ("Objective", "lower bound", "gap", "optimal", "greedy"),
}


@pytest.fixture
def office(jakarta_office: Any) -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False):
        default_plan_extend(office=jakarta_office, first=DAY, last=DAY)
        yield jakarta_office


def _page(client: Client, office: Any, prefix: str = "") -> str:
    url = reverse("staff:plan-day", args=[office.code, DAY.isoformat()])
    return client.get(prefix + url).content.decode()


@pytest.mark.django_db
def test_the_plan_speaks_of_waits_and_counters_in_both_languages(
    office: Any, supervisor: Any, client: Client
) -> None:
    day_plan_solve(office=office, day=DAY)
    client.force_login(supervisor)
    indonesian, english = _page(client, office), _page(client, office, "/en")
    for words in (
        "Perkiraan waktu tunggu dan loket per layanan",
        "Perkiraan warga datang langsung: sekitar",
        "Target: 80 % dipanggil dalam 15 menit.",
        "Loket yang melayani setiap layanan, per jam",
        "Mengapa loket dibagi seperti ini",
        "Paspor baru mendapat loket yang sama sepanjang hari (1).",
    ):
        assert words in indonesian
    for words in (
        "Expected wait and counters per service",
        "Walk-ins expected: about",
        "Target: 80 % called within 15 minutes.",
        "Counters serving each service, per hour",
        "Why the counters are where they are",
    ):
        assert words in english
    for language, page in (("id", indonesian), ("en", english)):
        assert not [word for word in JARGON[language] if word in page]


@pytest.mark.django_db
def test_after_a_change_the_page_says_what_changed_and_why(
    office: Any, supervisor: Any, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    day_plan_solve(office=office, day=DAY)
    with django_capture_on_commit_callbacks(execute=True):  # the re-plan runs on commit
        day_plan_adjust(
            office=office,
            day=DAY,
            by=supervisor,
            why="Dewi sakit",
            adjustment=Adjustment(staffed={"08:00": 0, "08:30": 0}),
        )
    client.force_login(supervisor)
    indonesian, english = _page(client, office), _page(client, office, "/en")
    assert "Yang berubah sejak rencana Selasa, 1 Desember 2026, 10:00 WIB" in indonesian
    assert "Paspor baru pukul 08:00: loket 1 → 0 — loket yang dijaga: 0, sebelumnya 1." in (
        indonesian
    )
    assert "What changed since the plan of Tuesday, 1 December 2026, 10:00 WIB" in english
    assert "counters staffed: 0, was 1" in english


@pytest.mark.django_db
def test_a_re_plan_with_the_same_inputs_says_nothing_changed(
    office: Any, supervisor: Any, client: Client
) -> None:
    day_plan_solve(office=office, day=DAY)
    day_plan_solve(office=office, day=DAY)
    client.force_login(supervisor)
    assert "Nothing changed." in _page(client, office, "/en")


def _instance(booked: list[int], forecast: list[float], staffed: list[int]) -> dict[str, Any]:
    blocks = ["10:00", "10:30", "11:00", "11:30"]
    return {
        "blocks": blocks,
        "staffed": staffed,
        "services": [
            {
                "id": "ktp",
                "booked": booked,
                "walk_in_forecast": forecast,
                "target_share": 0.8,
                "target_wait_minutes": 15,
            },
            {
                "id": "kk",
                "booked": [0] * 4,
                "walk_in_forecast": [1.0] * 4,
                "target_share": 0.8,
                "target_wait_minutes": 15,
            },
        ],
    }


def _solution(ktp: list[int], waits: list[float], unmet: float = 0.0) -> dict[str, Any]:
    kk = [2 - n for n in ktp]
    return {
        "services": {
            "ktp": {"counters": ktp, "expected_wait_minutes": waits, "unmet_need": [unmet] * 4},
            "kk": {"counters": kk, "expected_wait_minutes": [3.0] * 4, "unmet_need": [0.0] * 4},
        },
        "shortfalls": [],
    }


NAMES = {"ktp": "KTP-el", "kk": "Kartu Keluarga"}


def test_more_bookings_at_ten_give_the_service_a_counter_and_say_so() -> None:
    before_instance = _instance([1, 1, 1, 1], [2.0, 2.0, 2.0, 2.0], [2, 2, 2, 2])
    before = plan_brief(before_instance, _solution([1, 1, 1, 1], [5.0] * 4), "")
    instance = _instance([4, 3, 1, 1], [2.0, 2.0, 2.0, 2.0], [2, 2, 2, 2])
    solution = _solution([2, 1, 1, 1], [30.0, 10.0, 6.0, 5.0])
    with translation.override("en"):
        explained = plan_explain(
            instance=instance, solution=solution, previous=before, previous_at="x", names=NAMES
        )
    assert explained.hours == ["10:00", "11:00"]
    assert explained.services[0].counters == ["1–2", "1"]
    assert explained.changes == [
        "KTP-el at 10:00: counters 1 → 1–2 — more bookings (7, was 2).",
        "Kartu Keluarga at 10:00: counters 1 → 0–1 — given to a service that needs it more "
        "at this hour.",
    ]
    assert explained.services[0].wait == (
        "Walk-ins expected: about 8; each waits about 13 minutes on average, longest "
        "around 10:00 (about 30 minutes). Target: 80 % called within 15 minutes."
    )


def test_a_need_above_the_counters_staffed_is_a_warning() -> None:
    instance = _instance([0] * 4, [0.0] * 4, [2, 2, 2, 2])
    with translation.override("en"):
        explained = plan_explain(
            instance=instance,
            solution=_solution([1, 1, 1, 1], [0.0] * 4, unmet=0.6),
            previous=None,
            previous_at="",
            names=NAMES,
        )
    assert explained.services[0].wait == (
        "No walk-ins expected: booked citizens are served at their time."
    )
    assert explained.warnings == [
        "All day KTP-el needs more counters than the plan can give it: "
        "walk-ins will wait longer than the target."
    ]
