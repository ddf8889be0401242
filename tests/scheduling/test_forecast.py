"""The demand forecast learns from history, leans on defaults while history is thin,
and expects the backlog on the first working day after a closure."""

from __future__ import annotations

import pytest

from scheduling.forecast import (
    DEFAULT_AFTER_HOLIDAY_FACTOR,
    DEFAULT_NO_SHOW_RATE,
    PRIOR_DAYS,
    DayCounts,
    no_show_rate,
    walk_ins,
)


def test_without_history_the_default_is_the_forecast() -> None:
    forecast = walk_ins([], blocks=3, default_per_block=2.0, after_closure=False)
    assert forecast.per_block == [2.0, 2.0, 2.0] and forecast.days_of_history == 0


def test_long_history_outweighs_the_default_and_keeps_the_days_shape() -> None:
    history = [DayCounts([10, 4, 0])] * 40
    forecast = walk_ins(history, blocks=3, default_per_block=2.0, after_closure=False)
    # (40·10 + 4·2) / 44, (40·4 + 4·2) / 44, (0 + 4·2) / 44
    assert forecast.per_block == pytest.approx([408 / 44, 168 / 44, 8 / 44])


def test_one_odd_day_moves_the_forecast_only_part_way() -> None:
    forecast = walk_ins([DayCounts([30])], blocks=1, default_per_block=5.0, after_closure=False)
    assert forecast.per_block == pytest.approx([(30 + PRIOR_DAYS * 5) / (1 + PRIOR_DAYS)])


def test_the_day_after_a_closure_expects_the_backlog() -> None:
    forecast = walk_ins([DayCounts([10])] * 8, blocks=1, default_per_block=10.0, after_closure=True)
    assert forecast.per_block == pytest.approx([10 * DEFAULT_AFTER_HOLIDAY_FACTOR])


def test_the_after_closure_factor_is_learnt_from_such_days() -> None:
    history = [DayCounts([10])] * 8 + [DayCounts([20], after_closure=True)] * 12
    forecast = walk_ins(history, blocks=1, default_per_block=10.0, after_closure=True)
    expected_factor = (12 * 2.0 + PRIOR_DAYS * DEFAULT_AFTER_HOLIDAY_FACTOR) / (12 + PRIOR_DAYS)
    assert forecast.after_closure_factor == pytest.approx(expected_factor)
    assert forecast.per_block == pytest.approx([10 * expected_factor])  # ordinary days: 10


def test_no_show_rate_from_history_and_default() -> None:
    assert no_show_rate(missed=0, attended=0) == DEFAULT_NO_SHOW_RATE
    assert no_show_rate(missed=300, attended=700) == pytest.approx((300 + 20 * 0.1) / 1020)
