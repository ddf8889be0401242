"""Versioned keys in Django's cache (core.versioned_cache): a bump on commit makes every
entry of the old version unreachable, a rollback bumps nothing, and an answer is served
only between the moment it was computed and the moment it said it stops being true."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import transaction

from core.versioned_cache import Answer, cached_answer, version_bump_on_commit, versions_read

pytestmark = pytest.mark.django_db(transaction=True)

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


class Counter:
    """A computation that says how often it ran."""

    def __init__(self, until: datetime) -> None:
        self.runs, self.until = 0, until

    def __call__(self) -> Answer[int]:
        self.runs += 1
        return Answer(self.runs, self.until)


def _read(compute: Counter, now: datetime = NOW) -> Any:
    return cached_answer(key="sum", versions=["thing:1"], now=now, compute=compute)


def test_a_missing_version_is_created_once_and_kept() -> None:
    first = versions_read(["thing:1", "thing:2"])
    assert versions_read(["thing:1", "thing:2"]) == first and first[0] != first[1]


def test_a_bump_on_commit_makes_the_next_read_fresh() -> None:
    compute = Counter(NOW + timedelta(hours=1))
    assert (_read(compute), _read(compute)) == (1, 1)
    with transaction.atomic():
        version_bump_on_commit("thing:1")
        assert _read(compute) == 2  # inside a transaction: computed, never cached
    assert _read(compute) == 3 and _read(compute) == 3


def test_a_rollback_bumps_nothing() -> None:
    compute = Counter(NOW + timedelta(hours=1))
    before = versions_read(["thing:1"])
    _read(compute)
    with pytest.raises(RuntimeError), transaction.atomic():
        version_bump_on_commit("thing:1")
        raise RuntimeError("refused")
    assert versions_read(["thing:1"]) == before and _read(compute) == 1


def test_an_answer_is_served_only_while_it_holds() -> None:
    compute = Counter(NOW + timedelta(minutes=5))
    _read(compute)
    assert _read(compute, NOW + timedelta(minutes=4, seconds=59)) == 1
    assert _read(compute, NOW - timedelta(seconds=1)) == 2  # before it was computed
    assert _read(compute, NOW + timedelta(minutes=5)) == 3  # it has stopped being true
