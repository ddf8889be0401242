"""Each fact's definition, on the small hand-made day of conftest.py whose answers are
known."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from core.errors import ApplicationError
from insights.histogram import histograms_merged, percentile
from insights.models import AssistantDay, ComplaintDay, CounterDay, FactsDay, ServiceHour
from insights.selectors import ikm_of
from insights.services import facts_build, facts_build_due, facts_days_due
from offices.models import OfficeService
from scheduling.models import DayPlan
from tests.insights.conftest import DAY, NEXT_MORNING

pytestmark = pytest.mark.django_db


def hour_of(passport: OfficeService, hour: int) -> ServiceHour:
    return ServiceHour.objects.get(office_service=passport, local_date=DAY, hour=hour)


def test_the_queue_in_the_hour_each_citizen_joined(
    day: Any, jakarta_office: Any, passport: OfficeService
) -> None:
    facts_build(office=jakarta_office, day=DAY)

    eight = hour_of(passport, 8)
    assert (eight.walk_ins, eight.appointment_arrivals) == (4, 0)
    assert (eight.served, eight.called_no_shows, eight.abandoned, eight.not_served) == (1, 1, 1, 1)
    assert eight.waits == {"10": 1, "20": 1}
    assert (eight.target_wait_minutes, eight.called_within_target) == (15, 1)
    assert eight.service_times == {"10": 1}
    assert eight.counters_active == 1

    nine = hour_of(passport, 9)
    assert (nine.walk_ins, nine.appointment_arrivals, nine.served) == (1, 1, 2)
    # The early appointment waited from its appointment time (09:30), not its check-in.
    assert nine.waits == {"5": 1, "10": 1}
    assert nine.called_within_target == 2
    assert nine.service_times == {"12": 1, "20": 1}


def test_appointments_and_ratings(day: Any, jakarta_office: Any, passport: OfficeService) -> None:
    facts_build(office=jakarta_office, day=DAY)

    nine, ten = hour_of(passport, 9), hour_of(passport, 10)
    assert (nine.appointment_places, nine.appointments_booked) == (5, 1)
    assert (nine.appointments_attended, nine.appointment_no_shows) == (1, 0)
    # A booking still confirmed after its day missed it; a cancelled one was never booked.
    assert (ten.appointment_places, ten.appointments_booked) == (5, 1)
    assert (ten.appointments_attended, ten.appointment_no_shows) == (0, 1)
    assert ten.ratings == {"4": 1, "5": 1}
    assert ten.walk_ins == ten.served == 0


def test_ikm_answers_count_in_the_hour_they_were_given(
    day: Any, jakarta_office: Any, passport: OfficeService
) -> None:
    facts_build(office=jakarta_office, day=DAY)

    ten, eleven = hour_of(passport, 10), hour_of(passport, 11)
    assert ten.ikm == {
        "requirements": [4, 1],
        "procedure": [3, 1],
        "time": [2, 1],
        "cost": [4, 1],
        "product": [3, 1],
        "competence": [4, 1],
        "conduct": [4, 1],
        "facilities": [3, 1],
    }
    assert ten.ikm_respondents == 1
    assert (eleven.ikm, eleven.ikm_respondents) == ({"requirements": [3, 1], "time": [1, 1]}, 1)
    assert eleven.ratings == {}

    index = ikm_of(ServiceHour.objects.filter(local_date=DAY))
    assert index is not None
    # Element means 3.5 3 1.5 4 3 4 4 3 (complaints: nobody answered, left out):
    # 26 / 8 = 3.25 on the 1–4 scale, × 25 = 81.25, band B.
    assert (index.value, index.band, index.respondents) == (81.25, "B", 2)
    assert index.element_means["time"] == 1.5
    assert "complaints" not in index.element_means


def test_service_times_per_counter(day: Any, jakarta_office: Any, passport: OfficeService) -> None:
    facts_build(office=jakarta_office, day=DAY)

    (row,) = CounterDay.objects.filter(office=jakarta_office, local_date=DAY)
    assert (row.counter.number, row.office_service_id, row.served) == (1, passport.pk, 3)
    assert row.service_times == {"10": 1, "12": 1, "20": 1}


def test_percentiles_of_the_day_from_the_hours(
    day: Any, jakarta_office: Any, passport: OfficeService
) -> None:
    facts_build(office=jakarta_office, day=DAY)

    waits = histograms_merged(row.waits for row in ServiceHour.objects.filter(local_date=DAY))
    # Waits of the day: 5, 10, 10, 20 minutes.
    assert percentile(waits, 50) == 10
    assert percentile(waits, 90) == 20
    assert percentile(waits, 25) == 5


def test_complaints_received_and_answered_on_the_day(day: Any, jakarta_office: Any) -> None:
    facts_build(office=jakarta_office, day=DAY)

    rows = {
        (row.category, row.pungli): (row.received, row.answered, row.answered_in_time)
        for row in ComplaintDay.objects.filter(office=jakarta_office, local_date=DAY)
    }
    assert rows == {
        ("service_delay", False): (1, 0, 0),
        ("pungli", True): (1, 0, 0),
        # Filed 20 November: due within 14 working days, answered in time.
        ("information", False): (0, 1, 1),
        # Filed 2 November: due 20 November, answered late.
        ("other", False): (0, 1, 0),
    }


def test_assistant_messages_per_intent(day: Any, jakarta_office: Any) -> None:
    facts_build(office=jakarta_office, day=DAY)

    rows = {
        (row.channel, row.intent): (row.messages, row.unsure)
        for row in AssistantDay.objects.filter(office=jakarta_office, local_date=DAY)
    }
    # The assistant's own turns are not questions; 0.3 is below the 0.5 it acts on.
    assert rows == {("whatsapp", "fees"): (2, 1), ("whatsapp", "hours"): (1, 0)}


def test_the_plan_and_forecast_per_hour(
    day: Any, jakarta_office: Any, passport: OfficeService
) -> None:
    DayPlan.objects.create(
        office=jakarta_office,
        local_date=DAY,
        status="planned",
        instance={
            "blocks": ["08:00", "08:30", "09:00", "09:30"],
            "services": [{"id": "paspor-baru", "walk_in_forecast": [1.5, 2.0, 0.25, 0.25]}],
        },
        solution={
            "services": {"paspor-baru": {"counters": [1, 2, 1, 1], "need": [1.0, 1.5, 0.5, 0.5]}}
        },
    )
    facts_build(office=jakarta_office, day=DAY)

    eight, nine = hour_of(passport, 8), hour_of(passport, 9)
    assert (eight.walk_ins_forecast, eight.counters_planned, eight.counters_needed) == (
        3.5,
        1.5,
        1.25,
    )
    assert (nine.walk_ins_forecast, nine.counters_planned, nine.counters_needed) == (0.5, 1, 0.5)
    # No plan reached ten o'clock: nothing was planned, which is not zero.
    assert hour_of(passport, 10).counters_planned is None


def test_building_again_gives_the_same_rows(day: Any, jakarta_office: Any) -> None:
    def snapshot() -> list[tuple[Any, ...]]:
        return sorted(
            ServiceHour.objects.filter(local_date=DAY).values_list(
                "hour", "walk_ins", "served", "waits", "service_times", "ratings"
            )
        )

    facts_build(office=jakarta_office, day=DAY)
    first = snapshot()
    facts_build(office=jakarta_office, day=DAY)

    assert snapshot() == first
    assert FactsDay.objects.filter(office=jakarta_office, local_date=DAY).count() == 1


def test_a_day_that_has_not_ended_is_refused(day: Any, jakarta_office: Any) -> None:
    with pytest.raises(ApplicationError) as refused:
        facts_build(office=jakarta_office, day=DAY + timedelta(days=1))

    assert refused.value.code == "day_not_ended"
    assert not ServiceHour.objects.exists()


def test_the_nightly_step_builds_each_ended_day_once(
    day: Any, jakarta_office: Any, settings: Any
) -> None:
    settings.GILIRAN_INSIGHTS_FIRST_DAYS = 3

    assert facts_days_due(office=jakarta_office) == [
        date(2026, 11, 30),
        date(2026, 12, 1),
        DAY,
    ]
    assert facts_build_due(office=jakarta_office) == 3
    assert facts_build_due(office=jakarta_office) == 0
    assert hour_of(OfficeService.objects.get(office=jakarta_office), 8).walk_ins == 4

    day.move_to(NEXT_MORNING + timedelta(days=1))
    assert facts_days_due(office=jakarta_office) == [date(2026, 12, 3)]


def test_the_command_builds_a_range_and_refuses_bad_days(
    day: Any, jakarta_office: Any, passport: OfficeService
) -> None:
    call_command("insights_build", "2026-12-01", "2026-12-02", "--office", "kanim-jakarta")

    assert FactsDay.objects.filter(office=jakarta_office).count() == 2
    assert hour_of(passport, 9).served == 2
    for arguments, said in (
        (["2026-12-02", "2026-12-01"], "before the first"),
        (["2026-13-01"], "not a day"),
        (["2026-12-02", "--office", "nowhere"], "no active office"),
        (["2026-12-03"], "kanim-jakarta 2026-12-03"),  # not ended: refused, translated
    ):
        with pytest.raises(CommandError, match=said):
            call_command("insights_build", *arguments)
