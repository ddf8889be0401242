"""The calendar's free places come from a versioned cache, and are never out of date for
longer than one request after a change commits: each write that changes what is free
(a claim, a cancellation, a plan, a closure, an office-service edit, the waiting list)
makes the next read fresh, and so does the clock (a hold running out, a time entering
the minimum notice, the booking window moving on).

Every test commits for real (transaction=True): a bump happens when a transaction
commits, and nothing is cached inside one (core.versioned_cache)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
import redis
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from booking.models import Slot, Source
from booking.services.booking import (
    booking_cancel,
    booking_confirm,
    booking_hold,
    booking_hold_and_send_code,
)
from booking.services.waitlist import waitlist_join, waitlist_leave
from core.errors import ApplicationError
from offices.models import Closure, OfficeService
from scheduling.services import default_plan_extend, slot_capacities_set
from tests.booking.conftest import FIRST_BOOKABLE, NOW, citizen_details

pytestmark = pytest.mark.django_db(transaction=True)

MONTH = "/api/v1/offices/kanim-jakarta/services/paspor-baru/availability/"
DAY = MONTH + "{day}/"
PAGE = "/kantor/kanim-jakarta/layanan/paspor-baru/"
SITI, BUDI = "3171014501900001", "3171010203850002"


def _day(client: Client, day: date = FIRST_BOOKABLE) -> dict[str, Any]:
    """What the month API says of one day (status, free places)."""
    month = client.get(MONTH, {"month": day.strftime("%Y-%m")}).json()
    return next(d for d in month["days"] if d["date"] == day.isoformat())


def _times(client: Client, day: date = FIRST_BOOKABLE) -> dict[str, int]:
    """The day's times with places left, as the day API lists them."""
    body = client.get(DAY.format(day=day.isoformat())).json()
    return {time["starts_at"]: time["free"] for time in body["times"]}


def _queries(read: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        read()
    return len(captured.captured_queries)


def _first_slot(office_service: OfficeService) -> Slot:
    return Slot.objects.filter(
        office_service=office_service, local_date=FIRST_BOOKABLE, capacity__gt=0
    ).order_by("starts_at")[0]


def test_a_second_read_is_served_from_the_cache(
    client: Client, passport_here: OfficeService
) -> None:
    first = _queries(lambda: _day(client))
    again = _queries(lambda: _day(client))
    times_first = _queries(lambda: _times(client))
    times_again = _queries(lambda: _times(client))
    # Only the office-service's own row (the URL names it) is read the second time.
    assert again == 1 < first
    assert times_again == 1 < times_first
    # The calendar page reads the same answers as the API.
    assert _queries(lambda: client.get(PAGE, {"bulan": "2026-12"})) == 1


def test_a_claim_shows_at_the_next_read(client: Client, passport_here: OfficeService) -> None:
    slot = _first_slot(passport_here)
    before, times = _day(client)["free"], _times(client)
    booking_hold_and_send_code(slot_id=slot.pk, details=citizen_details(SITI), source=Source.API)
    assert _day(client)["free"] == before - 1
    after = _times(client)
    assert sum(after.values()) == sum(times.values()) - 1


def test_a_cancellation_gives_the_place_back_at_the_next_read(
    client: Client, passport_here: OfficeService
) -> None:
    slot = _first_slot(passport_here)
    booking = booking_confirm(
        booking=booking_hold(slot_id=slot.pk, details=citizen_details(SITI), source=Source.WEB)
    )
    free, times = _day(client)["free"], sum(_times(client).values())
    booking_cancel(booking=booking)
    assert _day(client)["free"] == free + 1
    assert sum(_times(client).values()) == times + 1


def test_an_expired_hold_is_free_again_without_any_write(
    client: Client, passport_here: OfficeService, clock: Any
) -> None:
    slot = _first_slot(passport_here)
    hold = booking_hold(slot_id=slot.pk, details=citizen_details(SITI), source=Source.WEB)
    free, times = _day(client)["free"], sum(_times(client).values())
    assert _queries(lambda: _day(client)) == 1  # cached while the hold lasts
    assert hold.releases_at is not None
    clock.move_to(hold.releases_at - timedelta(seconds=1))
    assert _day(client)["free"] == free
    clock.move_to(hold.releases_at + timedelta(seconds=1))
    assert _day(client)["free"] == free + 1
    assert sum(_times(client).values()) == times + 1


def test_a_time_entering_the_minimum_notice_leaves_the_list(
    client: Client, passport_here: OfficeService, clock: Any
) -> None:
    passport_here.booking_opens_days_ahead = 0  # today can be booked, 60 minutes ahead
    passport_here.save(update_fields=["booking_opens_days_ahead"])
    today = NOW.date()
    clock.move_to(NOW - timedelta(minutes=10))  # 09:50 WIB: 11:00 is the first time
    first = min(_times(client, today))
    assert first.endswith("T11:00:00+07:00")
    clock.move_to(NOW + timedelta(seconds=1))  # 10:00:01: 11:00 is inside the notice
    assert first not in _times(client, today)


def test_the_next_day_opens_at_its_release_time(
    client: Client, passport_here: OfficeService, clock: Any
) -> None:
    # Day D opens at 00:00 WIB on D - 30: Monday 4 January 2027 on 5 December.
    new_year = date(2027, 1, 4)
    default_plan_extend(office=passport_here.office, first=new_year, last=new_year)
    opens = datetime.fromisoformat("2026-12-05T00:00:00+07:00")
    clock.move_to(opens - timedelta(seconds=1))
    assert _day(client, new_year)["status"] == "not_open_yet"
    clock.move_to(opens + timedelta(seconds=1))
    assert _day(client, new_year)["status"] == "available"


def test_a_supervisors_capacity_change_shows_at_the_next_read(
    client: Client, passport_here: OfficeService, supervisor: Any
) -> None:
    slot = _first_slot(passport_here)
    free = _day(client)["free"]
    slot_capacities_set(
        office=passport_here.office, changes={slot.pk: slot.capacity + 3}, by=supervisor
    )
    assert _day(client)["free"] == free + 3


def test_a_closure_added_shows_at_the_next_read(
    client: Client, passport_here: OfficeService
) -> None:
    assert _day(client)["status"] == "available"
    Closure.objects.create(
        office=passport_here.office,
        starts_on=FIRST_BOOKABLE,
        ends_on=FIRST_BOOKABLE,
        reason_id="Pemadaman listrik",
        reason_en="Power cut",
    )
    closed = _day(client)
    assert closed["status"] == "closed" and closed["reason"] == "Pemadaman listrik"
    assert _times(client) == {}


def test_an_office_service_edit_shows_at_the_next_read(
    client: Client, passport_here: OfficeService
) -> None:
    assert _day(client)["status"] == "available"
    passport_here.booking_opens_days_ahead = 2  # 2 December is now too soon
    passport_here.save(update_fields=["booking_opens_days_ahead"])
    assert _day(client)["status"] == "unavailable"
    assert _times(client) == {}


def test_the_waiting_list_holds_and_frees_a_day_at_the_next_read(
    client: Client, passport_here: OfficeService, supervisor: Any
) -> None:
    slots = Slot.objects.filter(office_service=passport_here, local_date=FIRST_BOOKABLE)
    capacities = dict(slots.values_list("pk", "capacity"))
    office = passport_here.office
    slot_capacities_set(office=office, changes=dict.fromkeys(capacities, 0), by=supervisor)
    assert _day(client)["status"] == "full"
    entry = waitlist_join(
        office_service=passport_here, day=FIRST_BOOKABLE, details=citizen_details(BUDI)
    )
    slot_capacities_set(office=office, changes=capacities, by=supervisor)
    # Places came back, but the day's free places belong to the citizen in line.
    assert _day(client)["status"] == "full" and _times(client) == {}
    waitlist_leave(entry=entry)
    assert _day(client)["status"] == "available"
    assert sum(_times(client).values()) == sum(capacities.values())


def test_a_refused_hold_changes_nothing_and_keeps_the_cache(
    client: Client, passport_here: OfficeService, supervisor: Any
) -> None:
    slot = _first_slot(passport_here)
    slot_capacities_set(office=passport_here.office, changes={slot.pk: 1}, by=supervisor)
    booking_hold(slot_id=slot.pk, details=citizen_details(SITI), source=Source.WEB)
    free = _day(client)["free"]
    with pytest.raises(ApplicationError) as refused:
        booking_hold(slot_id=slot.pk, details=citizen_details(BUDI), source=Source.WEB)
    assert refused.value.code == "slot_full"
    assert _queries(lambda: _day(client)) == 1 and _day(client)["free"] == free


@pytest.fixture
def redis_cache(settings: Any) -> Iterator[None]:
    """Django's cache on the Redis of REDIS_URL, under a prefix of this test's own (its
    keys are deleted afterwards; the rest of that database is left alone)."""
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": prefix,
        },
    }
    yield
    server = redis.Redis.from_url(os.environ["REDIS_URL"])
    for key in server.scan_iter(f"{prefix}:*"):
        server.delete(key)


@pytest.mark.redis
def test_on_redis_a_claim_and_a_cancellation_show_at_the_next_read(
    client: Client, passport_here: OfficeService, redis_cache: None
) -> None:
    slot = _first_slot(passport_here)
    free = _day(client)["free"]
    assert _queries(lambda: _day(client)) == 1
    booking = booking_confirm(
        booking=booking_hold(slot_id=slot.pk, details=citizen_details(SITI), source=Source.WEB)
    )
    assert _day(client)["free"] == free - 1
    booking_cancel(booking=booking)
    assert _day(client)["free"] == free
