"""Fees and service standards (the promised completion time) in the catalog: stored once
per service, optionally promised faster by one office, shown on the citizen pages and in
the API in both languages, and edited in the admin with clear errors for bad input."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation

from offices.models import OfficeService, Service
from offices.models.catalog import format_rupiah, service_standard_text
from tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db

PASPOR_NOTE_ID = "Rp350.000 untuk paspor biasa 48 halaman, Rp650.000 untuk paspor elektronik."
PASPOR_NOTE_EN = "Rp350,000 for an ordinary 48-page passport, Rp650,000 for an e-passport."


@pytest.fixture
def priced_passport(passport_service: Any) -> Any:
    passport_service.fee_rupiah = 350_000
    passport_service.fee_note_id = PASPOR_NOTE_ID
    passport_service.fee_note_en = PASPOR_NOTE_EN
    passport_service.standard_amount = 3
    passport_service.standard_unit = "working_days"
    passport_service.save()
    return passport_service


@pytest.mark.parametrize(
    ("amount", "language", "expected"),
    [
        (350_000, "id", "Rp350.000"),
        (350_000, "en", "Rp350,000"),
        (1_000_000, "id", "Rp1.000.000"),
        (500, "id", "Rp500"),
        (0, "en", "Rp0"),
    ],
)
def test_rupiah_is_grouped_as_the_reader_groups_digits(
    amount: int, language: str, expected: str
) -> None:
    assert format_rupiah(amount, language) == expected


@pytest.mark.parametrize(
    ("amount", "unit", "indonesian", "english"),
    [
        (3, "working_days", "3 hari kerja", "3 working days"),
        (1, "working_days", "1 hari kerja", "1 working day"),
        (2, "hours", "2 jam", "2 hours"),
        (1, "hours", "1 jam", "1 hour"),
        (None, "same_day", "Hari yang sama", "Same day"),
        (None, "", "", ""),
    ],
)
def test_service_standard_reads_in_both_languages(
    amount: int | None, unit: str, indonesian: str, english: str
) -> None:
    with translation.override("id"):
        assert service_standard_text(amount, unit) == indonesian
    with translation.override("en"):
        assert service_standard_text(amount, unit) == english


def test_free_service_says_gratis_and_unknown_fee_says_nothing() -> None:
    free = ServiceFactory.build(fee_rupiah=0)
    unknown = ServiceFactory.build(fee_rupiah=None)
    with translation.override("id"):
        assert free.fee == "Gratis" and unknown.fee == ""
    with translation.override("en"):
        assert free.fee == "Free"


def test_office_promise_overrides_the_national_standard_only_when_set(
    priced_passport: Any, jakarta_office: Any, denpasar_office: Any
) -> None:
    faster = OfficeService.objects.get(office=denpasar_office)
    faster.standard_unit = "same_day"
    faster.save()
    national = OfficeService.objects.get(office=jakarta_office)
    with translation.override("id"):
        assert national.service_standard == "3 hari kerja"
        assert faster.service_standard == "Hari yang sama"
    assert national.effective_standard == (3, "working_days")


@pytest.mark.parametrize(
    ("amount", "unit"),
    [(None, "working_days"), (None, "hours"), (2, "same_day"), (2, ""), (0, "hours")],
)
def test_a_standard_is_a_number_with_a_unit_or_a_unit_alone(
    passport_service: Any, amount: int | None, unit: str
) -> None:
    passport_service.standard_amount = amount
    passport_service.standard_unit = unit
    with pytest.raises(ValidationError):
        passport_service.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        passport_service.save()


def test_the_database_refuses_a_negative_fee(passport_service: Any) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Service.objects.filter(pk=passport_service.pk).update(fee_rupiah=-1)


def _service_post(service: Any, **overrides: str) -> dict[str, str]:
    data = {
        "code": service.code,
        "ticket_letter": service.ticket_letter,
        "average_minutes": "15",
        "is_active": "on",
        "accepts_appointments": "on",
        "accepts_walk_ins": "on",
        "fee_rupiah": "350000",
        "standard_amount": "3",
        "standard_unit": "working_days",
        "name_id": service.name_id,
        "description_id": "",
        "requirements_id": "",
        "fee_note_id": PASPOR_NOTE_ID,
        "name_en": service.name_en,
        "description_en": "",
        "requirements_en": "",
        "fee_note_en": PASPOR_NOTE_EN,
    }
    data.update(overrides)
    return data


def test_national_admin_sets_the_fee_and_standard(
    client: Client, national_admin: Any, passport_service: Any
) -> None:
    client.force_login(national_admin)
    url = reverse("admin:offices_service_change", args=[passport_service.pk])
    page = client.get(url).content.decode()
    assert "Biaya dan standar pelayanan" in page and 'name="fee_note_en"' in page
    response = client.post(url, _service_post(passport_service))
    assert response.status_code == 302
    passport_service.refresh_from_db()
    assert passport_service.fee_rupiah == 350_000
    assert passport_service.fee_note_en == PASPOR_NOTE_EN
    assert (passport_service.standard_amount, passport_service.standard_unit) == (
        3,
        "working_days",
    )


@pytest.mark.parametrize(
    ("overrides", "prefix", "error"),
    [
        ({"fee_rupiah": "-5000"}, "", "Pastikan nilai ini lebih besar dari atau sama dengan 0."),
        ({"fee_rupiah": "gratis"}, "", "Masukkan bilangan bulat."),
        ({"standard_amount": ""}, "", "Isi jumlah jam atau hari kerja."),
        ({"standard_unit": "same_day"}, "", "Kosongkan jumlah untuk satuan ini."),
        ({"fee_rupiah": "-5000"}, "/en", "Ensure this value is greater than or equal to 0."),
        ({"standard_amount": ""}, "/en", "Give the number of hours or working days."),
    ],
)
def test_bad_fee_or_standard_is_refused_with_a_field_error_and_nothing_changes(
    client: Client,
    national_admin: Any,
    passport_service: Any,
    overrides: dict[str, str],
    prefix: str,
    error: str,
) -> None:
    client.force_login(national_admin)
    url = prefix + reverse("admin:offices_service_change", args=[passport_service.pk])
    response = client.post(url, _service_post(passport_service, **overrides))
    assert response.status_code == 200
    assert error in response.content.decode()
    passport_service.refresh_from_db()
    assert passport_service.fee_rupiah is None and passport_service.standard_unit == ""


def test_office_admin_cannot_change_the_national_fee(
    client: Client, office_admin: Any, passport_service: Any
) -> None:
    client.force_login(office_admin)
    url = reverse("admin:offices_service_change", args=[passport_service.pk])
    response = client.post(url, _service_post(passport_service, fee_rupiah="1"))
    assert response.status_code == 403
    passport_service.refresh_from_db()
    assert passport_service.fee_rupiah is None


def test_office_service_admin_takes_a_faster_promise(
    client: Client, national_admin: Any, jakarta_office: Any
) -> None:
    offered = OfficeService.objects.get(office=jakarta_office)
    client.force_login(national_admin)
    page = client.get(reverse("admin:offices_officeservice_change", args=[offered.pk]))
    assert 'name="standard_unit"' in page.content.decode()


def test_service_page_shows_fee_note_and_standard_in_each_language(
    client: Client, priced_passport: Any
) -> None:
    url = reverse("service-detail", args=[priced_passport.code])
    indonesian = client.get(url).content.decode()
    assert "Biaya dan standar pelayanan" in indonesian
    assert "Rp350.000" in indonesian and PASPOR_NOTE_ID in indonesian
    assert "3 hari kerja" in indonesian
    english = client.get("/en" + url).content.decode()
    assert "Rp350,000" in english and PASPOR_NOTE_EN in english
    assert "3 working days" in english


def test_service_page_without_fee_or_standard_says_so(
    client: Client, passport_service: Any
) -> None:
    page = client.get(reverse("service-detail", args=[passport_service.code])).content.decode()
    assert "Tanyakan ke kantor layanan." in page
    assert "Belum ada standar pelayanan yang diumumkan." in page


def test_office_page_shows_each_service_fee_and_its_own_promise(
    client: Client, priced_passport: Any, denpasar_office: Any
) -> None:
    OfficeService.objects.filter(office=denpasar_office).update(
        standard_amount=1, standard_unit="hours"
    )
    url = reverse("office-detail", args=[denpasar_office.code])
    indonesian = client.get(url).content.decode()
    assert "Biaya: Rp350.000" in indonesian and "Waktu penyelesaian: 1 jam" in indonesian
    english = client.get("/en" + url).content.decode()
    assert "Fee: Rp350,000" in english and "Completion time: 1 hour" in english


def test_api_service_has_fee_and_standard_in_both_languages(
    client: Client, priced_passport: Any
) -> None:
    url = f"/api/v1/services/{priced_passport.code}/"
    indonesian = client.get(url).json()
    english = client.get(url, headers={"Accept-Language": "en"}).json()
    assert indonesian["fee_rupiah"] == 350_000 and indonesian["fee"] == "Rp350.000"
    assert english["fee"] == "Rp350,000" and english["fee_note"] == PASPOR_NOTE_EN
    assert english["fee_note_id"] == PASPOR_NOTE_ID
    assert indonesian["service_standard"] == {
        "amount": 3,
        "unit": "working_days",
        "text": "3 hari kerja",
    }
    assert english["service_standard"]["text"] == "3 working days"


def test_api_office_services_carry_the_office_promise(
    client: Client, priced_passport: Any, jakarta_office: Any, denpasar_office: Any
) -> None:
    OfficeService.objects.filter(office=denpasar_office).update(standard_unit="same_day")
    body = client.get("/api/v1/offices/", headers={"Accept-Language": "en"}).json()
    by_office = {o["code"]: o["services"][0] for o in body["results"]}
    assert by_office["mpp-denpasar"]["service_standard"]["text"] == "Same day"
    assert by_office["kanim-jakarta"]["service_standard"]["text"] == "3 working days"
    assert by_office["kanim-jakarta"]["fee_rupiah"] == 350_000
    assert by_office["kanim-jakarta"]["fee"] == "Rp350,000"


def test_api_free_service_reads_gratis(client: Client, passport_service: Any) -> None:
    Service.objects.filter(pk=passport_service.pk).update(fee_rupiah=0)
    body = client.get(f"/api/v1/services/{passport_service.code}/").json()
    assert body["fee_rupiah"] == 0 and body["fee"] == "Gratis"


def test_booking_page_of_an_office_service_shows_its_fee_and_own_promise(
    client: Client, priced_passport: Any, jakarta_office: Any
) -> None:
    url = reverse("book-calendar", args=[jakarta_office.code, priced_passport.code])
    indonesian = client.get(url).content.decode()
    assert "Rp350.000 — " + PASPOR_NOTE_ID in indonesian and "3 hari kerja" in indonesian
    OfficeService.objects.filter(office=jakarta_office).update(standard_unit="same_day")
    english = client.get("/en" + url).content.decode()
    assert "Rp350,000" in english and "Same day" in english
    assert "3 working days" not in english


def test_booking_page_without_fee_or_standard_shows_no_empty_terms(
    client: Client, passport_service: Any, jakarta_office: Any
) -> None:
    url = reverse("book-calendar", args=[jakarta_office.code, passport_service.code])
    assert "service-terms" not in client.get(url).content.decode()
