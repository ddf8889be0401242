"""The database itself refuses catalog rows that break the rules, whatever writes them."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.db import IntegrityError, connection, transaction

from offices.models import Closure, OfficeService, OpeningHours, Service
from tests.factories import OfficeFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def _refused(create: object) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        create()  # type: ignore[operator]


def test_office_day_must_close_after_it_opens() -> None:
    office = OfficeFactory.create(hours=False)
    _refused(
        lambda: OpeningHours.objects.create(
            office=office, weekday=0, opens_at=time(15), closes_at=time(8)
        )
    )


def test_break_must_sit_inside_the_opening_hours() -> None:
    office = OfficeFactory.create(hours=False)
    _refused(
        lambda: OpeningHours.objects.create(
            office=office,
            weekday=0,
            opens_at=time(8),
            closes_at=time(15),
            break_starts_at=time(14),
            break_ends_at=time(16),
        )
    )
    _refused(
        lambda: OpeningHours.objects.create(
            office=office, weekday=0, opens_at=time(8), closes_at=time(15), break_starts_at=time(12)
        )
    )


def test_one_row_of_hours_per_weekday() -> None:
    office = OfficeFactory.create()  # Monday–Friday already set
    _refused(
        lambda: OpeningHours.objects.create(
            office=office, weekday=0, opens_at=time(9), closes_at=time(10)
        )
    )


def test_two_services_cannot_share_a_ticket_letter_in_one_office() -> None:
    office = OfficeFactory.create()
    first, second = (
        ServiceFactory.create(ticket_letter="A"),
        ServiceFactory.create(ticket_letter="A"),
    )
    OfficeService.objects.create(office=office, service=first, ticket_letter="A")
    _refused(lambda: OfficeService.objects.create(office=office, service=second, ticket_letter="A"))
    OfficeService.objects.create(office=office, service=second, ticket_letter="B")


def test_same_letter_is_fine_in_another_office() -> None:
    service = ServiceFactory.create(ticket_letter="A")
    OfficeService.objects.create(office=OfficeFactory.create(), service=service, ticket_letter="A")
    OfficeService.objects.create(office=OfficeFactory.create(), service=service, ticket_letter="A")


def test_a_service_must_take_appointments_or_walk_ins() -> None:
    _refused(
        lambda: Service.objects.create(
            code="x",
            name_id="X",
            name_en="X",
            average_minutes=10,
            ticket_letter="A",
            accepts_appointments=False,
            accepts_walk_ins=False,
        )
    )


def test_booking_window_cannot_end_before_it_opens() -> None:
    office, service = OfficeFactory.create(), ServiceFactory.create()
    _refused(
        lambda: OfficeService.objects.create(
            office=office,
            service=service,
            ticket_letter="A",
            booking_opens_days_ahead=10,
            booking_window_days=5,
        )
    )


def test_closure_cannot_end_before_it_starts() -> None:
    office = OfficeFactory.create()
    _refused(
        lambda: Closure.objects.create(
            office=office,
            starts_on=date(2026, 12, 10),
            ends_on=date(2026, 12, 1),
            reason_id="x",
            reason_en="x",
        )
    )


def test_office_time_zone_must_be_indonesian() -> None:
    _refused(lambda: OfficeFactory.create(timezone="Europe/Berlin", hours=False))


@pytest.mark.postgres
def test_constraints_exist_in_postgresql_catalog() -> None:
    """The suite runs on PostgreSQL in CI: the check constraints are real PG constraints."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT conname FROM pg_constraint WHERE contype = 'c'")
        names = {row[0] for row in cursor.fetchall()}
    assert {
        "opening_hours_close_after_open",
        "opening_hours_break_inside",
        "service_takes_someone",
        "office_indonesian_zone",
        "closure_ends_after_start",
    } <= names
