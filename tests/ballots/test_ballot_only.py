"""A ballot office-service's days are held only through its ballot."""

from __future__ import annotations

import pytest
from django.test import Client

from booking.models import Booking, Slot, Source
from booking.services.booking import booking_hold
from booking.services.waitlist import waitlist_join
from core.errors import ApplicationError
from offices.models import OfficeService
from tests.ballots.conftest import DAY, citizen

pytestmark = pytest.mark.django_db


def _slot(office_service: OfficeService) -> Slot:
    return Slot.objects.filter(office_service=office_service, capacity__gt=0).order_by("starts_at")[
        0
    ]


def test_a_first_come_hold_is_refused_as_ballot_only(jakarta_ballot: OfficeService) -> None:
    slot = _slot(jakarta_ballot)
    for source in (Source.WEB, Source.API, Source.STAFF):
        with pytest.raises(ApplicationError) as refused:
            booking_hold(slot_id=slot.pk, details=citizen(1), source=source)
        assert refused.value.code == "ballot_only"
        assert refused.value.status_code == 409
    slot.refresh_from_db()
    assert slot.taken == 0 and not Booking.objects.exists()


def test_the_waiting_list_of_a_ballot_day_is_the_ballot(jakarta_ballot: OfficeService) -> None:
    with pytest.raises(ApplicationError) as refused:
        waitlist_join(office_service=jakarta_ballot, day=DAY, details=citizen(1))
    assert refused.value.code == "ballot_only"


def test_the_time_page_says_ballot_only_and_links_to_the_ballot(
    client: Client, jakarta_ballot: OfficeService
) -> None:
    slot = _slot(jakarta_ballot)
    path = f"/en/kantor/kanim-jakarta/layanan/paspor-baru/waktu/{slot.pk}/"
    page = client.get(path).content.decode()
    assert "gives its places for this service by ballot" in page
    assert 'href="/en/kantor/kanim-jakarta/layanan/paspor-baru/undian/"' in page


def test_the_api_refuses_a_hold_with_the_ballot_only_code(
    client: Client, jakarta_ballot: OfficeService
) -> None:
    slot = _slot(jakarta_ballot)
    answer = client.post(
        "/api/v1/holds/",
        {
            "slot": slot.pk,
            "full_name": "Warga Satu",
            "nik": "3171014501900001",
            "email": "warga1@example.id",
            "channel": "email",
        },
        content_type="application/json",
    )
    assert answer.status_code == 409
    assert answer.json()["code"] == "ballot_only"
