"""The dashboards' figures, each from hand-made facts whose answers are known, their
filters and refusals, the CSV export and the recommendations to the plan.

The facts (Jakarta, WIB; the 15-minute target):

    Mon 23 Nov  paspor 09:00  10 walk-ins, waits 5×4 10×4 30×2, 8 in time, 9 served,
                              service times 10×9; planned 2 counters (needed 1.5),
                              2 worked, forecast 6 walk-ins + 4 booked; 1 left
                ganti  09:00   2 walk-ins, waits 20×2, 0 in time, service 30×2, 1 counter
    Mon 30 Nov  paspor 09:00  10 walk-ins, waits 40×10, 0 in time; planned 1, needed 1,
                              1 worked, forecast 4 walk-ins; ratings 4×3
                paspor 10:00   5 walk-ins, waits 1×5, 5 in time; no plan
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client

from insights.dashboard import Scope, dashboard_of
from insights.models import AssistantDay, ComplaintDay, CounterDay, FactsDay, ServiceHour
from insights.recommendations import recommendations_for
from offices.models import Counter, OfficeService
from scheduling.models import DayPlan, PlanChange
from tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db

MONDAY, NEXT_MONDAY = date(2026, 11, 23), date(2026, 11, 30)
NOW = datetime(2026, 12, 3, 5, 0, tzinfo=UTC)  # Thursday 3 December, 12:00 WIB
PAGE = "/staf/kinerja/"
PERIOD = {"kantor": "kanim-jakarta", "dari": "2026-11-23", "sampai": "2026-11-30"}


@pytest.fixture(autouse=True)
def clock() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def services(jakarta_office: Any) -> tuple[OfficeService, OfficeService]:
    passport = OfficeService.objects.get(office=jakarta_office)
    renewal = OfficeService.objects.create(
        office=jakarta_office,
        service=ServiceFactory.create(code="paspor-ganti", name_id="Ganti paspor"),
        ticket_letter="B",
    )
    return passport, renewal


def fact(office_service: OfficeService, day: date, hour: int, **figures: Any) -> None:
    figures.setdefault("target_wait_minutes", 15)
    ServiceHour.objects.create(
        office=office_service.office,
        office_service=office_service,
        local_date=day,
        hour=hour,
        **figures,
    )


@pytest.fixture
def facts(services: tuple[OfficeService, OfficeService]) -> None:
    passport, renewal = services
    office = passport.office
    fact(
        passport,
        MONDAY,
        9,
        walk_ins=10,
        waits={"5": 4, "10": 4, "30": 2},
        called_within_target=8,
        served=9,
        abandoned=1,
        service_times={"10": 9},
        counters_planned=2,
        counters_needed=1.5,
        counters_active=2,
        walk_ins_forecast=6,
        appointments_booked=4,
        appointment_no_shows=1,
    )
    fact(
        renewal,
        MONDAY,
        9,
        walk_ins=2,
        waits={"20": 2},
        served=2,
        service_times={"30": 2},
        counters_active=1,
    )
    fact(
        passport,
        NEXT_MONDAY,
        9,
        walk_ins=10,
        waits={"40": 10},
        counters_planned=1,
        counters_needed=1,
        counters_active=1,
        walk_ins_forecast=4,
        ratings={"4": 3},
    )
    fact(passport, NEXT_MONDAY, 10, walk_ins=5, waits={"1": 5}, called_within_target=5)
    for day in (MONDAY, NEXT_MONDAY):
        FactsDay.objects.create(office=office, local_date=day, built_at=NOW)
    one = Counter.objects.get(office=office, number=1)
    two = Counter.objects.create(office=office, number=2)
    two.services.add(renewal.service)
    CounterDay.objects.create(
        office=office,
        counter=one,
        office_service=passport,
        local_date=MONDAY,
        served=9,
        service_times={"10": 9},
    )
    CounterDay.objects.create(
        office=office,
        counter=two,
        office_service=renewal,
        local_date=MONDAY,
        served=2,
        service_times={"30": 2},
    )
    ComplaintDay.objects.create(
        office=office,
        local_date=MONDAY,
        category="service_delay",
        received=3,
        answered=2,
        answered_in_time=1,
    )
    ComplaintDay.objects.create(
        office=office, local_date=MONDAY, category="pungli", pungli=True, received=1
    )
    AssistantDay.objects.create(
        office=office, local_date=MONDAY, channel="whatsapp", intent="fees", messages=7, unsure=2
    )
    AssistantDay.objects.create(
        office=office, local_date=MONDAY, channel="web", intent="hours", messages=3, unsure=0
    )


@pytest.mark.usefixtures("facts")
def test_each_figure_of_the_office_dashboard(jakarta_office: Any) -> None:
    board = dashboard_of(Scope(MONDAY, NEXT_MONDAY, office=jakarta_office))

    total = board.total
    assert (total.arrivals, total.served, board.days_with_facts) == (27, 11, 2)
    # 27 waits: 1×5, 5×4, 10×4, 20×2, 30×2, 40×10 → the 14th is 20, the 25th is 40.
    assert (total.p50, total.p90) == (20, 40)
    assert total.within_target_share == 13 / 27
    assert total.abandoned_share == 1 / 27
    assert total.missed_share == 1 / 4
    assert (total.satisfaction, total.rated) == (4, 3)

    nine, ten = board.by_hour
    assert (nine.hour, nine.arrivals, nine.p50, nine.p90, nine.days) == (9, 22, 30, 40, 2)
    # Counters are summed over the services of a day-hour, then averaged over days.
    assert (nine.planned, nine.needed, nine.active) == (1.5, 1.25, 2)
    assert (ten.hour, ten.arrivals, ten.p50, ten.planned) == (10, 5, 1, None)

    first, second = board.by_day
    assert (first.day, first.arrivals, first.served, first.p50) == (MONDAY, 12, 11, 10)
    assert (second.day, second.arrivals, second.within_target_share) == (NEXT_MONDAY, 15, 5 / 15)

    # Two Mondays with facts: arrivals per Monday; the forecast is walk-ins forecast plus
    # appointments booked, per day it was made (both Mondays at 09:00).
    monday_nine = board.heatmap[(0, 9)]
    assert (monday_nine.arrivals, monday_nine.forecast) == (11, 7)
    assert board.heatmap[(0, 10)].forecast is None
    assert board.heat_hours == [9, 10]

    passport, renewal = sorted(board.services, key=lambda s: s.name, reverse=True)
    assert (passport.arrivals, passport.service_p50, passport.service_p90) == (25, 10, 10)
    assert (renewal.name, renewal.arrivals, renewal.p50, renewal.service_p50) == (
        "Ganti paspor",
        2,
        20,
        30,
    )

    assert [(c.served, c.p50) for c in board.counters] == [(9, 10), (2, 30)]
    assert board.offices == []


@pytest.mark.usefixtures("facts")
def test_complaints_and_questions(jakarta_office: Any) -> None:
    board = dashboard_of(Scope(MONDAY, NEXT_MONDAY, office=jakarta_office))
    # Pungli reports are kept apart, for the page to show only to those who read them.
    delay, pungli = board.complaints
    assert (pungli.category, pungli.pungli, pungli.received) == ("pungli", True, 1)
    assert (delay.category, delay.received, delay.answered, delay.in_time_share) == (
        "service_delay",
        3,
        2,
        0.5,
    )

    assert [(q.intent, q.messages, q.unsure) for q in board.questions] == [
        ("fees", 7, 2),
        ("hours", 3, 0),
    ]
    assert [messages for _channel, messages in board.channels] == [7, 3]


@pytest.mark.usefixtures("facts")
def test_a_service_filter_narrows_every_figure(jakarta_office: Any, services: Any) -> None:
    renewal = services[1].service
    board = dashboard_of(Scope(MONDAY, NEXT_MONDAY, office=jakarta_office, service=renewal))
    assert (board.total.arrivals, board.total.p50) == (2, 20)
    assert [row.name for row in board.services] == ["Ganti paspor"]
    assert [c.served for c in board.counters] == [2]


@pytest.mark.usefixtures("facts")
def test_the_national_dashboard_lists_offices_worst_first(
    jakarta_office: Any, denpasar_office: Any
) -> None:
    bali = OfficeService.objects.filter(
        office=denpasar_office
    ).first() or OfficeService.objects.create(
        office=denpasar_office,
        service=OfficeService.objects.get(office=jakarta_office).service,
        ticket_letter="A",
    )
    fact(bali, MONDAY, 9, walk_ins=4, waits={"2": 4}, called_within_target=4)
    board = dashboard_of(Scope(MONDAY, NEXT_MONDAY))

    assert board.total.arrivals == 31
    assert [(row.code, row.arrivals) for row in board.offices] == [
        ("kanim-jakarta", 27),
        (denpasar_office.code, 4),
    ]
    assert board.counters == []


@pytest.mark.usefixtures("facts")
def test_the_page_in_both_languages_with_charts_and_tables(client: Client, supervisor: Any) -> None:
    client.force_login(supervisor)
    page = client.get(PAGE, PERIOD)
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("<svg") == 5
    assert "Waktu tunggu" in html and 'data-testid="insights-hours"' in html
    assert "Pungli" not in html.split('data-testid="insights-complaints"')[1].split("</table>")[0]
    english = client.get("/en" + PAGE, PERIOD).content.decode()
    assert "Waits and counters by hour" in english and "Recommendations to the plan" in english


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"dari": "2026-11-30", "sampai": "2026-11-23"}, "swap them"),
        ({"dari": "2025-01-01", "sampai": "2026-11-30"}, "at most 366 days"),
        ({"sampai": "2026-12-03"}, "2026-12-02 or earlier"),
        ({"dari": "23/11/2026"}, "YYYY-MM-DD"),
        ({"layanan": "nope"}, "No service has this code"),
    ],
)
def test_bad_filters_are_explained(
    client: Client, supervisor: Any, query: dict[str, str], message: str
) -> None:
    client.force_login(supervisor)
    page = client.get("/en" + PAGE, {"kantor": "kanim-jakarta", **query})
    assert page.status_code == 400
    assert message in page.content.decode()


def test_staff_see_only_their_offices(
    client: Client,
    counter_clerk: Any,
    supervisor: Any,
    supervisor_of_another_office: Any,
    national_admin: Any,
) -> None:
    assert client.get(PAGE).status_code == 302  # signed out: to the sign-in page
    client.force_login(counter_clerk)
    assert client.get(PAGE).status_code == 403
    client.force_login(supervisor_of_another_office)
    assert client.get(PAGE, {"kantor": "kanim-jakarta"}).status_code == 403
    assert client.get("/staf/kinerja/data.csv", {"kantor": "kanim-jakarta"}).status_code == 403
    client.force_login(supervisor)
    assert client.get(PAGE, {"kantor": "no-such-office"}).status_code == 404
    assert client.get("/staf/kinerja/nasional/").status_code == 403
    assert client.get("/staf/kinerja/data.csv", {"nasional": "1"}).status_code == 403
    client.force_login(national_admin)
    assert client.get("/staf/kinerja/nasional/").status_code == 200
    assert client.get(PAGE, {"kantor": "kanim-jakarta"}).status_code == 200


@pytest.mark.usefixtures("facts")
def test_the_csv_has_a_line_per_office_day_hour_and_service(
    client: Client, supervisor: Any
) -> None:
    client.force_login(supervisor)
    response = client.get("/staf/kinerja/data.csv", PERIOD)
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode())))
    assert len(rows) == 4
    first = rows[0]
    assert (first["day"], first["hour"], first["service"], first["walk_ins"]) == (
        "2026-11-23",
        "9",
        "paspor-baru",
        "10",
    )
    assert (first["called"], first["wait_minutes_p50"], first["wait_minutes_p90"]) == (
        "10",
        "10",
        "30",
    )
    assert (first["counters_planned"], rows[-1]["counters_planned"]) == ("2.0", "")


@pytest.mark.usefixtures("facts")
def test_an_hour_that_fell_short_twice_is_recommended(jakarta_office: Any, services: Any) -> None:
    passport = services[0]
    # Two more Mondays at 09:00: the 16th fell short (10 people, none in time), the 9th
    # did not (10 people, all in time).
    fact(
        passport,
        date(2026, 11, 16),
        9,
        walk_ins=10,
        waits={"50": 10},
        counters_planned=1,
        counters_active=1,
        service_times={"10": 10},
    )
    fact(
        passport,
        date(2026, 11, 9),
        9,
        walk_ins=10,
        waits={"5": 10},
        called_within_target=10,
        counters_planned=1,
        counters_active=1,
    )
    (advice,) = recommendations_for(
        office=jakarta_office, first=date(2026, 11, 9), last=NEXT_MONDAY
    )

    # Seen 4 times, short 3 (the 23rd too: 8 of 12 in time is below 8 in 10).
    assert (advice.weekday, advice.hour, advice.days_seen, advice.days_short) == (0, 9, 4, 3)
    assert advice.within_target_share == 8 / 32
    assert (advice.arrivals, advice.planned) == (32 / 3, 4 / 3)
    # Passports: 10 people an hour, 10.5-minute services (bins counted at their middle):
    # 3 counters call 80 % within 15 minutes (Erlang C). Renewals: 2 people in three
    # days, 30.5 minutes each: 2 counters. The services' counters add up.
    assert advice.needed == 5
    assert advice.more_counters
    # Once is not repeatedly; the 10:00 hour had no plan at all.
    assert recommendations_for(office=jakarta_office, first=NEXT_MONDAY, last=NEXT_MONDAY) == []


@pytest.mark.usefixtures("facts")
def test_applying_a_recommendation_staffs_the_next_such_day(
    client: Client, supervisor: Any, jakarta_office: Any, services: Any
) -> None:
    fact(
        services[0],
        date(2026, 11, 16),
        9,
        walk_ins=10,
        waits={"50": 10},
        counters_planned=1,
        counters_active=1,
        service_times={"10": 10},
    )
    DayPlan.objects.create(
        office=jakarta_office, local_date=date(2026, 12, 7), staffed={"09:00": 1, "09:30": 1}
    )
    client.force_login(supervisor)
    form = {**PERIOD, "dari": "2026-11-16", "rekomendasi": "0-09"}
    response = client.post("/en/staf/kinerja/rekomendasi/", form)
    assert response.status_code == 302
    plan = DayPlan.objects.get(office=jakarta_office, local_date=date(2026, 12, 7))
    assert plan.staffed["09:00"] == plan.staffed["09:30"] > 1
    change = PlanChange.objects.get(office=jakarta_office, local_date=date(2026, 12, 7))
    assert "Insights" in change.why

    # A recommendation that does not apply (any more): nothing changes.
    before = PlanChange.objects.count()
    client.post("/en/staf/kinerja/rekomendasi/", {**form, "rekomendasi": "3-09"})
    assert PlanChange.objects.count() == before


@pytest.mark.django_db(transaction=True)
def test_figures_are_computed_once_per_nights_facts(
    client: Client, national_admin: Any, jakarta_office: Any, services: Any
) -> None:
    """Outside a transaction the figures are cached: after the nightly warm-up the
    national page reads no facts, and a build of any office's facts makes it read them
    again."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from insights.services import facts_build
    from insights.tasks import warm_dashboards

    fact(services[0], date(2026, 12, 1), 9, walk_ins=3, waits={"4": 3})
    warm_dashboards()
    client.force_login(national_admin)

    def facts_read() -> bool:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/staf/kinerja/nasional/").status_code == 200
        return any("insights_servicehour" in query["sql"] for query in queries.captured_queries)

    assert not facts_read()
    facts_build(office=jakarta_office, day=date(2026, 12, 2))
    assert facts_read()
    assert not facts_read()


def test_the_national_period_is_at_most_a_month(client: Client, national_admin: Any) -> None:
    client.force_login(national_admin)
    page = client.get("/en/staf/kinerja/nasional/", {"dari": "2026-10-01", "sampai": "2026-12-01"})
    assert page.status_code == 400
    assert "at most 31 days" in page.content.decode()
    # Nationally a day has ended when it has in WIB, the zone that ends it last.
    assert client.get("/en/staf/kinerja/nasional/", {"sampai": "2026-12-02"}).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_nightly_task_computes_an_offices_figures_ahead(
    client: Client, supervisor: Any, jakarta_office: Any, services: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from insights.tasks import build_office_facts

    build_office_facts(jakarta_office.pk)
    client.force_login(supervisor)
    for path in (PAGE + "?kantor=kanim-jakarta", "/kantor/kanim-jakarta/kinerja/"):
        for prefix in ("", "/en"):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(prefix + path).status_code == 200
            assert not any("insights_" in q["sql"] for q in queries.captured_queries), path


@pytest.mark.usefixtures("facts")
def test_pungli_reports_only_for_those_who_read_them(
    client: Client, supervisor: Any, national_admin: Any
) -> None:
    def complaints_table(user: Any) -> str:
        client.force_login(user)
        html = client.get("/en" + PAGE, PERIOD).content.decode()
        return html.split('data-testid="insights-complaints"')[1].split("</table>")[0]

    assert "Pungli" not in complaints_table(supervisor)
    assert "Pungli" in complaints_table(national_admin)
