from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from offices.selectors import closed_days
from tests.factories import ClosureFactory, OfficeFactory

pytestmark = pytest.mark.django_db


def test_national_holidays_and_cuti_bersama_close_every_office() -> None:
    office = OfficeFactory.create()
    with translation.override("id"):
        days = {c.day: c for c in closed_days(office, date(2026, 3, 18), date(2026, 3, 25))}
    assert days[date(2026, 3, 21)].reason == "Hari Raya Idul Fitri"
    assert days[date(2026, 3, 20)].reason == "Cuti Bersama Hari Raya Idul Fitri"
    assert days[date(2026, 3, 20)].is_national
    assert date(2026, 3, 25) not in days


def test_holiday_names_follow_the_language() -> None:
    office = OfficeFactory.create()
    with translation.override("en"):
        (independence,) = closed_days(office, date(2026, 8, 17), date(2026, 8, 17))
    assert independence.reason == "Independence Day"


def test_office_closure_spans_its_days_in_the_requested_language() -> None:
    office = OfficeFactory.create()
    ClosureFactory.create(office=office, starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 3))
    with translation.override("en"):
        days = closed_days(office, date(2026, 12, 2), date(2026, 12, 10))
    assert [(c.day, c.reason, c.is_national) for c in days] == [
        (date(2026, 12, 2), "Building renovation", False),
        (date(2026, 12, 3), "Building renovation", False),
    ]


def test_another_offices_closure_does_not_close_this_one() -> None:
    ClosureFactory.create(
        office=OfficeFactory.create(), starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 1)
    )
    assert closed_days(OfficeFactory.create(), date(2026, 12, 1), date(2026, 12, 1)) == []
