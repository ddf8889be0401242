"""Scalping and stuck holds: one NIK or one phone cannot sit on many places at once, and a
one-time code that is refused leaves no place held without a code."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django.utils import translation

from booking.models import Booking, BookingStatus, Slot, VerificationCode
from offices.models import OfficeService, Service
from scheduling.services import default_plan_extend
from tests.booking.conftest import FIRST_BOOKABLE
from tests.booking.test_capacity_race import nik
from tests.factories import CounterFactory, OfficeServiceFactory, ServiceFactory

pytestmark = pytest.mark.django_db

HOLDS_URL = "/api/v1/holds/"


@pytest.fixture(autouse=True)
def _generous_request_limits(settings: Any) -> None:
    settings.GILIRAN_RATE_HOLD_PER_IP = "1000/h"
    settings.GILIRAN_RATE_HOLD_PER_NIK = "1000/h"
    caches["ratelimit"].clear()  # the in-process counters outlive a test


def _slots(office_service: OfficeService, count: int) -> list[Slot]:
    slots = list(
        Slot.objects.filter(
            office_service=office_service, local_date__gte=FIRST_BOOKABLE, capacity__gt=0
        ).order_by("starts_at")[:count]
    )
    assert len(slots) == count
    return slots


def _hold(client: Client, slot: Slot, n: int, **overrides: str) -> Any:
    body = {
        "slot": slot.pk,
        "full_name": f"Warga Uji {n}",
        "nik": nik(n),
        "phone": "081211112222",
        "email": f"warga{n}@example.id",
        "channel": "email",
        "language": "en",
        **overrides,
    }
    return client.post(HOLDS_URL, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")


def _codeless_holds() -> int:
    coded = VerificationCode.objects.values("booking_id")
    return Booking.objects.filter(status=BookingStatus.HELD).exclude(pk__in=coded).count()


def test_a_refused_code_leaves_no_place_held(
    client: Client, passport_here: OfficeService, settings: Any
) -> None:
    # The probe's attack: 13 holds with one phone and different NIKs; the phone may get
    # 10 codes an hour. The concurrent-hold limit is lifted to see this rule alone.
    settings.GILIRAN_MAX_HOLDS_PER_CONTACT = 1000
    answers = [
        _hold(client, slot, n).status_code for n, slot in enumerate(_slots(passport_here, 13))
    ]
    assert answers == [201] * 10 + [429] * 3
    assert Booking.objects.filter(status=BookingStatus.HELD).count() == 10
    assert _codeless_holds() == 0


def test_a_refused_code_on_the_booking_page_leaves_no_place_held(
    client: Client, passport_here: OfficeService, settings: Any
) -> None:
    settings.GILIRAN_MAX_HOLDS_PER_CONTACT = 1000
    settings.GILIRAN_RATE_CODE_PER_CONTACT = "2/h"
    for n, slot in enumerate(_slots(passport_here, 3)):
        with translation.override("en"):
            url = reverse("book-details", args=["kanim-jakarta", "paspor-baru", slot.pk])
        page = client.post(
            url,
            {
                "full_name": f"Warga Uji {n}",
                "nik": nik(n),
                "phone": "081211112222",
                "email": f"warga{n}@example.id",
                "channel": "email",
                "priority_group": "",
            },
        )
    assert page.status_code == 200
    assert "Too many attempts" in page.content.decode()
    assert Booking.objects.filter(status=BookingStatus.HELD).count() == 2
    assert _codeless_holds() == 0


def test_one_phone_holds_at_most_three_places_across_nik(
    client: Client, passport_here: OfficeService
) -> None:
    answers = [_hold(client, slot, n) for n, slot in enumerate(_slots(passport_here, 5))]
    assert [answer.status_code for answer in answers] == [201, 201, 201, 409, 409]
    refusal = answers[3].json()
    assert refusal["code"] == "hold_limit"
    assert "already holds 3 places" in refusal["message"]
    assert Booking.objects.filter(status=BookingStatus.HELD).count() == 3


def test_one_email_counts_like_one_phone(client: Client, passport_here: OfficeService) -> None:
    slots = _slots(passport_here, 4)
    answers = [
        _hold(client, slot, n, phone=f"0812{n:08d}", email="calo@example.id").status_code
        for n, slot in enumerate(slots)
    ]
    assert answers == [201, 201, 201, 409]


def test_one_nik_holds_at_most_two_places_across_services_and_offices(
    client: Client, passport_here: OfficeService, denpasar_office: Any
) -> None:
    services = [ServiceFactory.create(code=f"layanan-{i}") for i in range(2)]
    offered = [passport_here] + [
        OfficeServiceFactory.create(office=denpasar_office, service=service, ticket_letter=letter)
        for service, letter in zip(services, "BC", strict=True)
    ]
    CounterFactory.create(office=denpasar_office, number=1, services=services)
    default_plan_extend(office=denpasar_office, first=FIRST_BOOKABLE, last=FIRST_BOOKABLE)
    answers = [
        _hold(
            client,
            _slots(office_service, 1)[0],
            7,
            phone=f"0812{i:08d}",
            email=f"kontak{i}@example.id",
        )
        for i, office_service in enumerate(offered)
    ]
    assert [answer.status_code for answer in answers] == [201, 201, 409]
    assert "This NIK already holds 2 places" in answers[2].json()["message"]
    assert Service.objects.count() == 3


def test_an_expired_or_confirmed_hold_frees_the_allowance(
    client: Client, passport_here: OfficeService, clock: Any
) -> None:
    slots = _slots(passport_here, 5)
    for n in range(3):
        assert _hold(client, slots[n], n).status_code == 201
    assert _hold(client, slots[3], 3).status_code == 409
    clock.shift(timedelta(minutes=11))
    assert _hold(client, slots[4], 4).status_code == 201
