"""Minute histograms: what percentiles need, small and mergeable.

A nightly row cannot keep every citizen's wait, and a mean hides the long waits that
matter. So each row keeps how many waits fell in each *bin* of minutes, and any range of
hours, days, services or offices is summed bin by bin before a percentile is read. Bins
are one minute wide below an hour, five below three hours, fifteen below eight hours;
eight hours or more is one bin. A percentile is nearest-rank and reported as its bin's
lower edge, so below an hour it is exact to the minute (a wait of 12 min 40 s is 12)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping

# Stored in JSON: keys are the bins' lower edges in minutes, as strings.
Histogram = dict[str, int]

LAST_BIN = 480


def minute_bin(minutes: float) -> int:
    """The lower edge of the bin a duration of `minutes` falls in (negative counts as 0)."""
    whole = max(0, math.floor(minutes))
    if whole < 60:
        return whole
    if whole < 180:
        return whole - whole % 5
    if whole < LAST_BIN:
        return whole - whole % 15
    return LAST_BIN


def histogram_of(durations_in_minutes: Iterable[float]) -> Histogram:
    counts = Counter(minute_bin(value) for value in durations_in_minutes)
    return {str(edge): counts[edge] for edge in sorted(counts)}


def histograms_merged(histograms: Iterable[Mapping[str, int]]) -> Counter[int]:
    total: Counter[int] = Counter()
    for histogram in histograms:
        for edge, count in histogram.items():
            total[int(edge)] += count
    return total


def percentile(counts: Mapping[int, int], percent: int) -> int | None:
    """The nearest-rank percentile (1–100) in whole minutes, None without data: the bin
    holding the ⌈percent·n/100⌉-th shortest duration (integer arithmetic, so the 90th of
    ten is the ninth, never the tenth by a rounding error)."""
    n = sum(counts.values())
    if n == 0:
        return None
    rank = max(1, -(-percent * n // 100))
    seen = 0
    for edge in sorted(counts):
        seen += counts[edge]
        if seen >= rank:
            return edge
    raise AssertionError("unreachable: the ranks add up to n")


def mean_of(counts: Mapping[int, int]) -> float | None:
    """The mean duration, each counted at its bin's middle (eight hours or more: eight
    hours), None without data."""
    n = sum(counts.values())
    if n == 0:
        return None
    total = 0.0
    for edge, count in counts.items():
        width = 1 if edge < 60 else 5 if edge < 180 else 15 if edge < LAST_BIN else 0
        total += (edge + width / 2) * count
    return total / n
