"""Erlang B and C against published values, an exact rational computation, and the
closed forms of the small queues."""

from __future__ import annotations

import math
from fractions import Fraction
from itertools import pairwise

import pytest

from scheduling.erlang import counters_needed, erlang_b, erlang_c, mean_wait, service_level


def _erlang_c_exact(servers: int, load: Fraction) -> Fraction:
    """The textbook sum, in exact rationals: (a^c/c!)·c/(c−a) / (Σ_{k<c} a^k/k! + same)."""
    top = load**servers / math.factorial(servers) * Fraction(servers) / (servers - load)
    return top / (sum(load**k / math.factorial(k) for k in range(servers)) + top)


# Erlang B tables, 4 decimals (the blocking probability for N trunks offered A erlangs), as
# printed in the traffic tables of telephony handbooks, e.g. the Erlang B table in
# V. B. Iversen, "Teletraffic Engineering and Network Planning" (DTU), and every online
# Erlang B table.
@pytest.mark.parametrize(
    ("servers", "load", "published"),
    [(5, 2.0, 0.0367), (10, 5.0, 0.0184), (14, 10.0, 0.0568), (1, 1.0, 0.5)],
)
def test_erlang_b_matches_the_tables(servers: int, load: float, published: float) -> None:
    assert erlang_b(servers, load) == pytest.approx(published, abs=5e-5)


def test_hillier_and_lieberman_county_hospital() -> None:
    # Hillier & Lieberman, "Introduction to Operations Research", the County Hospital
    # emergency room (M/M/s, λ = 2 patients/hour, μ = 3/hour): one doctor gives
    # Wq = 2/3 hour, two doctors Wq = 1/24 hour; P(wait) = 2/3 and 1/6.
    assert erlang_c(1, 2 / 3) == pytest.approx(2 / 3)
    assert mean_wait(1, 2, 3) == pytest.approx(2 / 3)
    assert erlang_c(2, 2 / 3) == pytest.approx(1 / 6)
    assert mean_wait(2, 2, 3) == pytest.approx(1 / 24)


def test_the_call_centre_worked_example() -> None:
    # The worked example of the call-centre guides (e.g. Call Centre Helper, "Erlang C
    # formula – made simple"; Westbay Engineers, "The Erlang-C formula"): 360 calls per
    # half hour, 240 s average handling, 55 agents: 48 erlangs, a call waits with
    # probability about 24 % and about 8 s on average; about 87 % are answered within
    # 20 s. Rates per second here. The 4-decimal values are pinned by the exact sum below.
    arrival, service = 360 / 1800, 1 / 240
    assert arrival / service == pytest.approx(48)
    assert erlang_c(55, 48.0) == pytest.approx(0.2387, abs=1e-4)
    assert mean_wait(55, arrival, service) == pytest.approx(8.184, abs=1e-3)
    assert service_level(55, arrival, service, 20) == pytest.approx(0.8668, abs=1e-4)
    assert erlang_c(55, 48.0) == pytest.approx(float(_erlang_c_exact(55, Fraction(48))), rel=1e-12)
    # 80 % within 20 s: 54 agents are just enough (81.7 %), 53 are not.
    assert counters_needed(arrival, service, within=20, share=0.8) == 54
    assert service_level(54, arrival, service, 20) >= 0.8 > service_level(53, arrival, service, 20)


@pytest.mark.parametrize(
    ("servers", "load"),
    [
        (1, Fraction(1, 2)),
        (2, Fraction(3, 2)),
        (3, Fraction(12, 5)),
        (7, Fraction(6)),
        (12, Fraction(10)),
        (40, Fraction(73, 2)),
        (150, Fraction(140)),
    ],
)
def test_erlang_c_agrees_with_the_exact_sum(servers: int, load: Fraction) -> None:
    assert erlang_c(servers, float(load)) == pytest.approx(
        float(_erlang_c_exact(servers, load)), rel=1e-11
    )


def test_closed_forms_of_one_and_two_counters() -> None:
    for rho in (0.1, 0.5, 0.8, 0.99):
        # M/M/1: P(wait) = ρ, Wq = ρ/(μ − λ).
        assert erlang_c(1, rho) == pytest.approx(rho)
        assert mean_wait(1, rho, 1.0) == pytest.approx(rho / (1 - rho))
        # M/M/2 with ρ = λ/(2μ): P(wait) = 2ρ²/(1 + ρ), Wq = ρ²/(μ(1 − ρ²)).
        assert erlang_c(2, 2 * rho) == pytest.approx(2 * rho**2 / (1 + rho))
        assert mean_wait(2, 2 * rho, 1.0) == pytest.approx(rho**2 / (1 - rho**2))
        # P(W <= t) = 1 − C·exp(−(cμ − λ)t)
        assert service_level(1, rho, 1.0, 2.0) == pytest.approx(1 - rho * math.exp(-(1 - rho) * 2))


def test_many_counters_stay_accurate() -> None:
    # a^c / c! overflows a float long before 1,000 counters; the recursion does not.
    value = erlang_c(1000, 980.0)
    assert 0 < value < 1
    assert value == pytest.approx(float(_erlang_c_exact(1000, Fraction(980))), rel=1e-9)
    assert erlang_b(1000, 980.0) == pytest.approx(erlang_b(1000, 980.0000001), rel=1e-6)


def test_more_counters_never_wait_longer() -> None:
    waits = [mean_wait(c, 4.5, 1.0) for c in range(5, 15)]
    assert all(a > b for a, b in pairwise(waits))
    levels = [service_level(c, 4.5, 1.0, 0.5) for c in range(5, 15)]
    assert all(a < b for a, b in pairwise(levels))


def test_an_overloaded_queue_is_unstable_not_an_error() -> None:
    # c <= a: the queue grows without bound; every arrival waits, the mean wait is
    # infinite and no share is served within any time.
    for servers, load in [(3, 3.0), (3, 4.5), (1, 1.0)]:
        assert erlang_c(servers, load) == 1.0
        assert mean_wait(servers, load, 1.0) == math.inf
        assert service_level(servers, load, 1.0, 60) == 0.0
    assert erlang_c(0, 0.5) == 1.0  # no counter at all
    assert counters_needed(4.5, 1.0, within=0.25, share=0.8) > 4.5


def test_no_load_means_no_wait() -> None:
    assert erlang_b(3, 0.0) == 0.0
    assert erlang_c(3, 0.0) == 0.0
    assert mean_wait(3, 0.0, 1.0) == 0.0
    assert service_level(3, 0.0, 1.0, 0.0) == 1.0
    assert counters_needed(0.0, 1.0, within=0, share=0.99) == 1


def test_counters_needed_is_the_smallest_that_meets_the_target() -> None:
    # A passport desk: 30 citizens an hour, 12 minutes each (6 erlangs), 80 % called
    # within 15 minutes.
    arrival, service = 30 / 60, 1 / 12
    needed = counters_needed(arrival, service, within=15, share=0.8)
    assert service_level(needed, arrival, service, 15) >= 0.8
    assert service_level(needed - 1, arrival, service, 15) < 0.8
    assert needed == 7  # 82 % within 15 minutes; 6 counters would be saturated


@pytest.mark.parametrize(
    "call",
    [
        lambda: erlang_c(-1, 1.0),
        lambda: erlang_c(2.5, 1.0),  # type: ignore[arg-type]
        lambda: erlang_c(True, 1.0),
        lambda: erlang_b(3, -0.1),
        lambda: erlang_b(3, math.nan),
        lambda: mean_wait(3, 1.0, 0.0),
        lambda: service_level(3, 1.0, 1.0, -1),
        lambda: counters_needed(1.0, 1.0, within=1, share=1.5),
        lambda: counters_needed(1.0, 1.0, within=60, share=1.0),  # nobody can promise 100 %
        lambda: counters_needed(4.0, 1.0, within=0, share=0.9, max_servers=5),
    ],
)
def test_bad_arguments_are_refused(call: object) -> None:
    with pytest.raises(ValueError):
        call()  # type: ignore[operator]
