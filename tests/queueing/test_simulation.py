"""The office-day simulator (tests/simulation.py), validated against queueing theory.

With one service, Poisson walk-ins, exponential service times and c counters the office
is the M/M/c queue, whose mean wait Erlang C gives (scheduling/erlang.py). The validation
has two parts, because a mean wait at 80 % load converges slowly: with 3 counters the
mean over one simulated day of ~3,000 citizens still varies by about ±23 % (one standard
deviation) from day to day, so a ±10 % check needs on the order of 100,000 citizens, far
more than a test can push through the database (one ticket costs ~30 queries).

1. Through the real services (database, calling order, counters), every citizen's wait
   equals, to the microsecond, the textbook first-come-first-served recursion for c
   servers fed with the same arrivals and service times. So the simulator *is* that
   queue, whatever the sample size.
2. Those arrivals and service times, queued by that recursion for 150 simulated days
   (~470,000 citizens: the mean is then known to about ±2 %), give a mean wait within
   10 % of Erlang C's Wq.

bench/wait_estimates.py also runs the direct comparison through the services on several
full days, with its confidence interval.
"""

from __future__ import annotations

import math
from datetime import time
from statistics import fmean

import pytest

from queueing.models import TicketEvent, TicketStatus
from scheduling.erlang import erlang_c, mean_wait
from tests.simulation import (
    AppointmentPlan,
    CounterPlan,
    DayPlan,
    ServicePlan,
    fcfs_waits,
    plan_people,
    simulate_day,
)

COUNTERS = 3
LOAD = 0.8  # per counter
SERVICE_MINUTES = 1.0  # M/M/c waits scale with the mean service time; one minute keeps days short


def m_m_c_day(walk_ins_minutes: float, *, starts: time = time(8)) -> DayPlan:
    return DayPlan(
        services=(
            ServicePlan(
                "m-m-c",
                "M",
                SERVICE_MINUTES,
                walk_ins_per_hour=60 * COUNTERS * LOAD / SERVICE_MINUTES,
            ),
        ),
        counters=tuple(CounterPlan(("m-m-c",)) for _ in range(COUNTERS)),
        starts=starts,
        walk_ins_minutes=walk_ins_minutes,
        distribution="exponential",
    )


@pytest.mark.django_db
def test_the_services_run_the_first_come_first_served_m_m_c_queue() -> None:
    plan = m_m_c_day(100)  # ~240 citizens, with both idle counters and queues
    outcome = simulate_day(plan, seed=7)
    people = plan_people(plan, seed=7)

    assert len(outcome.tickets) == len(people.citizens) > 150
    assert outcome.refused == outcome.unserved == 0
    assert {t.status for t in outcome.tickets} == {TicketStatus.FINISHED}
    expected = fcfs_waits(
        [c.minute for c in people.citizens], [c.service_minutes for c in people.citizens], COUNTERS
    )
    simulated = [t.wait_minutes for t in outcome.tickets]
    assert all(
        w is not None and abs(w - e) < 1e-6 for w, e in zip(simulated, expected, strict=True)
    )
    assert sum(1 for w in expected if w > 0) > 50  # the queue did form
    assert sum(1 for w in expected if w == 0) > 50  # and counters did wait for citizens
    # Every ticket went issued → called → serving → finished, at simulated times (a
    # service reading the wall clock would have filed it under today's date instead).
    kinds = list(TicketEvent.objects.values_list("kind", flat=True))
    assert len(kinds) == 4 * len(outcome.tickets)
    assert {t.issued_minute for t in outcome.tickets} == {c.minute for c in people.citizens}


def test_the_simulated_world_agrees_with_erlang_c() -> None:
    plan = m_m_c_day(22 * 60, starts=time(0))
    waits: list[float] = []
    for seed in range(150):
        people = plan_people(plan, seed).citizens
        day = fcfs_waits([c.minute for c in people], [c.service_minutes for c in people], COUNTERS)
        # The first hour is left out: the day starts empty, Erlang C is the steady state.
        waits += [w for w, c in zip(day, people, strict=True) if c.minute >= 60]
    arrival_rate, service_rate = COUNTERS * LOAD / SERVICE_MINUTES, 1 / SERVICE_MINUTES
    theory = mean_wait(COUNTERS, arrival_rate, service_rate)
    simulated = fmean(waits)
    assert len(waits) > 400_000
    assert simulated == pytest.approx(theory, rel=0.10)
    assert simulated == pytest.approx(theory, rel=0.05)  # what the sample size allows
    waited = fmean(1.0 if w > 0 else 0.0 for w in waits)
    assert waited == pytest.approx(erlang_c(COUNTERS, COUNTERS * LOAD), rel=0.05)


def test_service_times_have_the_asked_mean_and_spread() -> None:
    plan = DayPlan(
        services=(ServicePlan("a", "A", 12.0, walk_ins_per_hour=600),),
        counters=(CounterPlan(("a",)),),
        starts=time(0),
        walk_ins_minutes=20 * 60,
        distribution="lognormal",
        cv=0.6,
    )
    times = [c.service_minutes for c in plan_people(plan, 1).citizens]
    mean = fmean(times)
    spread = math.sqrt(fmean((t - mean) ** 2 for t in times)) / mean
    assert len(times) > 10_000
    assert mean == pytest.approx(12.0, rel=0.03)
    assert spread == pytest.approx(0.6, rel=0.08)
    assert plan_people(plan, 1) == plan_people(plan, 1)  # the same seed, the same people


@pytest.mark.django_db
def test_an_office_day_reports_the_error_of_the_shown_estimate() -> None:
    plan = DayPlan(
        services=(
            ServicePlan("baru", "A", 10.0, walk_ins_per_hour=8, appointments_per_block=2),
            ServicePlan("ambil", "C", 4.0, walk_ins_per_hour=6),
        ),
        counters=(CounterPlan(("baru",)), CounterPlan(("baru", "ambil"))),
        walk_ins_minutes=120,
        appointments=AppointmentPlan(
            until_minute=120, no_show_probability=0.2, lateness_sd_minutes=15
        ),
        priority_share=0.1,
        absent_probability=0.1,
    )
    outcome = simulate_day(plan, seed=3)

    assert outcome.bookings == 8 and outcome.booking_no_shows >= 1
    assert outcome.refused == outcome.unserved == 0
    kinds = {t.kind for t in outcome.tickets}
    assert {"walk_in", "appointment"} <= kinds
    assert any(t.absent and t.status == TicketStatus.NO_SHOW for t in outcome.tickets)
    # Every ticket got the estimate ticket_issue stores, and a wait (called − queued).
    assert all(t.estimate_low is not None and t.estimate_high is not None for t in outcome.tickets)
    assert all(t.wait_minutes is not None and t.wait_minutes >= 0 for t in outcome.tickets)

    accuracy = outcome.accuracy()
    assert accuracy.tickets == len(outcome.tickets) > 20
    assert accuracy.mean_wait > 0
    for figure in (accuracy.mean_abs_error, accuracy.error_share, accuracy.bias):
        assert math.isfinite(figure)
    assert 0 <= accuracy.inside_range <= 1
