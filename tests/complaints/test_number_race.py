"""Concurrent intakes on real PostgreSQL with real threads: every complaint gets its own
tracking number, and the numbers have no gaps."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from complaints.models import Complaint
from tests.complaints.conftest import file

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RUNS = 12


def test_parallel_intakes_take_distinct_consecutive_numbers(jakarta_office: Any) -> None:
    barrier = threading.Barrier(RUNS)
    errors: list[BaseException] = []

    def intake() -> None:
        try:
            barrier.wait()
            file(jakarta_office)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=intake) for _ in range(RUNS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(Complaint.objects.values_list("number", flat=True))
    year = numbers[0][4:8]
    assert numbers == [f"ADU-{year}-{n:05d}" for n in range(1, RUNS + 1)]
