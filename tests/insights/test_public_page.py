"""The public performance page and its open data, read from hand-made facts whose
figures are known (the facts' own definitions are proven in test_facts.py)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from insights.models import ComplaintDay, FactsDay, ServiceHour
from insights.selectors import office_performance
from offices.models import OfficeService

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 3)  # Thursday; the periods end on Wednesday 2 December
NOON = datetime(2026, 12, 3, 5, 0, tzinfo=UTC)  # 12:00 WIB


@pytest.fixture(autouse=True)
def clock() -> Any:
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


def csv_rows(client: Any) -> list[dict[str, str]]:
    response = client.get("/kantor/kanim-jakarta/kinerja.csv")
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def measure_of(rows: list[dict[str, str]], days: str, measure: str) -> dict[str, str]:
    return next(r for r in rows if r["period_days"] == days and r["measure"] == measure)


def hour_row(office_service: OfficeService, day: date, hour: int, **figures: Any) -> ServiceHour:
    figures.setdefault("target_wait_minutes", 15)
    return ServiceHour.objects.create(
        office=office_service.office,
        office_service=office_service,
        local_date=day,
        hour=hour,
        **figures,
    )


@pytest.fixture
def passport(jakarta_office: Any) -> OfficeService:
    return OfficeService.objects.get(office=jakarta_office)


@pytest.fixture
def busy_month(passport: OfficeService) -> None:
    """Wednesday 2 December at 10:00: twelve waits of 5, 10 and 30 minutes, ten within
    the 15-minute target, two who left and one never called; 20 appointments booked of
    25 places, 3 missed; twelve ratings (eight 4s, four 5s). Complaints: twelve received
    (and five pungli reports), ten answered, nine by their due date. Forty days back, an
    hour that only the 90 days count."""
    wednesday = TODAY - timedelta(days=1)
    hour_row(
        passport,
        wednesday,
        10,
        walk_ins=15,
        waits={"5": 6, "10": 4, "30": 2},
        called_within_target=10,
        abandoned=2,
        not_served=1,
        appointment_places=25,
        appointments_booked=20,
        appointment_no_shows=3,
        ratings={"4": 8, "5": 4},
    )
    FactsDay.objects.create(office=passport.office, local_date=wednesday, built_at=NOON)
    ComplaintDay.objects.create(
        office=passport.office,
        local_date=wednesday,
        category="service_delay",
        received=12,
        answered=10,
        answered_in_time=9,
    )
    ComplaintDay.objects.create(
        office=passport.office, local_date=wednesday, category="pungli", pungli=True, received=5
    )
    hour_row(passport, TODAY - timedelta(days=40), 13, waits={"45": 10}, appointment_places=5)


@pytest.mark.usefixtures("busy_month")
def test_the_figures_of_thirty_days(jakarta_office: Any) -> None:
    month = office_performance(office=jakarta_office, days=30, today=TODAY)

    assert (month.first, month.last, month.days_built) == (
        date(2026, 11, 3),
        date(2026, 12, 2),
        1,
    )
    # Waits 5×6, 10×4, 30×2: the 6th of 12 is 5, the 11th is 30.
    assert (month.wait_median.value, month.wait_p90.value, month.wait_median.people) == (5, 30, 12)
    # Ten called within the target, of the fifteen who joined (two left, one never called).
    assert month.called_within_target.value == round(10 / 15, 3)
    assert (month.places_released, month.places_booked.value) == (25, 20)
    assert month.no_show_rate.value == 0.15
    assert (month.satisfaction.value, month.satisfaction.people) == (4.33, 12)
    # Pungli reports are not in the office's public figures.
    assert month.complaints_received.value == 12
    assert month.complaints_answered_in_time.value == 0.9


@pytest.mark.usefixtures("busy_month")
def test_ninety_days_reach_further_back(jakarta_office: Any) -> None:
    quarter = office_performance(office=jakarta_office, days=90, today=TODAY)

    assert quarter.first == date(2026, 9, 4)
    assert quarter.wait_median.people == 22
    assert quarter.wait_median.value == 30  # the 11th of 22: 5×6, 10×4, 30×2, then 45×10
    assert quarter.places_released == 30


@pytest.mark.usefixtures("busy_month")
def test_quietest_and_busiest_hours_need_ten_people(
    jakarta_office: Any, passport: OfficeService
) -> None:
    # Nine people on Tuesdays at 08:00: too few to name the hour.
    hour_row(passport, TODAY - timedelta(days=2), 8, waits={"1": 9})

    quarter = office_performance(office=jakarta_office, days=90, today=TODAY)

    saturday = (TODAY - timedelta(days=40)).weekday()
    assert saturday == 5
    # Two hours qualify: one is named as the quietest, the other as the busiest.
    named = [(a.weekday, a.hour, a.median_wait, a.people) for a in quarter.quietest]
    assert named == [(2, 10, 5, 12)]
    assert [(a.weekday, a.hour, a.median_wait) for a in quarter.busiest] == [(saturday, 13, 45)]


def test_figures_resting_on_fewer_than_ten_people_are_hidden(
    passport: OfficeService, jakarta_office: Any
) -> None:
    hour_row(
        passport,
        TODAY - timedelta(days=1),
        9,
        waits={"3": 9},
        called_within_target=9,
        appointments_booked=9,
        appointment_no_shows=1,
        ratings={"5": 9},
    )

    month = office_performance(office=jakarta_office, days=30, today=TODAY)

    for figure in (
        month.wait_median,
        month.wait_p90,
        month.called_within_target,
        month.places_booked,
        month.no_show_rate,
        month.satisfaction,
        month.complaints_received,
    ):
        assert figure.value is None
    assert month.quietest == []


@pytest.mark.parametrize(
    ("prefix", "words"),
    [
        ("", ["Kinerja", "Median waktu tunggu", "12", "4,33"]),
        ("/en", ["How Kantor Imigrasi Jakarta Pusat performs", "Median wait", "4.33"]),
    ],
)
@pytest.mark.usefixtures("busy_month")
def test_the_page_in_both_languages(client: Any, prefix: str, words: list[str]) -> None:
    response = client.get(f"{prefix}/kantor/kanim-jakarta/kinerja/")

    page = response.content.decode()
    assert response.status_code == 200
    for word in words:
        assert word in page
    # The page carries the visitor's own CSRF token: no shared cache may keep it.
    assert "public" not in response.get("Cache-Control", "")


@pytest.mark.usefixtures("busy_month")
def test_the_office_page_links_to_its_performance(client: Any) -> None:
    page = client.get("/kantor/kanim-jakarta/").content.decode()

    assert reverse("office-performance", args=["kanim-jakarta"]) in page


def test_an_unknown_office_is_not_found(client: Any, jakarta_office: Any) -> None:
    for path in ("/kantor/nowhere/kinerja/", "/kantor/nowhere/kinerja.json"):
        assert client.get(path).status_code == 404
    assert client.get("/api/v1/offices/nowhere/performance/").status_code == 404


@pytest.mark.usefixtures("busy_month")
def test_open_data_json_csv_and_api_say_the_same(client: Any) -> None:
    answer = client.get("/kantor/kanim-jakarta/kinerja.json")
    assert answer["Cache-Control"] == "public, max-age=3600"
    as_json = json.loads(answer.content)
    from_api = client.get("/api/v1/offices/kanim-jakarta/performance/").json()
    rows = csv_rows(client)

    month = as_json["periods"][0]
    assert month["wait_minutes_median"] == {"value": 5, "people": 12, "suppressed": False}
    assert month["complaints_received"]["value"] == 12
    assert from_api["periods"][0]["wait_minutes_median"]["value"] == 5
    assert from_api["periods"][0]["wait_minutes_p90"]["people"] == 12
    median = measure_of(rows, "30", "wait_minutes_median")
    assert (median["value"], median["people"]) == ("5", "12")


def test_open_data_marks_what_it_hides(passport: OfficeService, client: Any) -> None:
    hour_row(passport, TODAY - timedelta(days=1), 9, waits={"3": 4})

    month = json.loads(client.get("/kantor/kanim-jakarta/kinerja.json").content)["periods"][0]
    rows = csv_rows(client)

    assert month["wait_minutes_median"] == {"value": None, "people": None, "suppressed": True}
    # Nobody rated: nothing is hidden, there is nothing to show.
    assert month["satisfaction_mean_1_to_5"] == {"value": None, "people": None, "suppressed": False}
    median = measure_of(rows, "30", "wait_minutes_median")
    assert (median["value"], median["people"]) == ("", "")
    assert median["note"].startswith("suppressed")


def test_a_ticket_called_then_closed_counts_once_for_the_promise(
    passport: OfficeService, jakarta_office: Any
) -> None:
    # Ten joined and all were called in time; one was still at the counter at closing
    # and was closed not served: it was called within the promise all the same.
    hour_row(
        passport,
        TODAY - timedelta(days=1),
        15,
        walk_ins=10,
        waits={"4": 10},
        called_within_target=10,
        served=9,
        not_served=1,
    )

    month = office_performance(office=jakarta_office, days=30, today=TODAY)

    assert month.called_within_target.value == 1.0


def test_the_ikm_is_published_with_its_sample_only_from_ten_respondents(
    passport: OfficeService, client: Any
) -> None:
    wednesday = TODAY - timedelta(days=1)
    # Nine respondents, every element answered 3 by all of them: 75.00, band C, hidden.
    hour_row(passport, wednesday, 9, ikm={"time": [27, 9], "cost": [27, 9]}, ikm_respondents=9)
    hidden = office_performance(office=passport.office, days=30, today=TODAY)
    assert (hidden.ikm.value, hidden.ikm.people, hidden.ikm_band) == (None, 9, None)

    # A tenth answers time 4 and cost 2: means 3.1 and 2.9 → 3.0 × 25 = 75.00, band C.
    hour_row(passport, wednesday, 10, ikm={"time": [4, 1], "cost": [2, 1]}, ikm_respondents=1)
    shown = office_performance(office=passport.office, days=30, today=TODAY)
    assert (shown.ikm.value, shown.ikm.people, shown.ikm_band) == (75.0, 10, "C")

    period = client.get("/kantor/kanim-jakarta/kinerja.json").json()["periods"][0]
    assert period["ikm_25_to_100"] == {"value": 75.0, "people": 10, "suppressed": False}
    assert period["ikm_band"] == "C"
    assert "75,00 (C, kurang baik)" in client.get("/kantor/kanim-jakarta/kinerja/").content.decode()
