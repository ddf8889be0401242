"""NIK structure, phone numbers and the details form's rules, with translated errors."""

from __future__ import annotations

import pytest
from django.utils import translation

from booking.services.booking import details_clean
from core.contacts import normalize_phone
from core.errors import ApplicationError
from core.nik import normalize_nik


@pytest.mark.parametrize(
    "nik",
    [
        "3171010101900001",  # a man born 1 January 1990 in Jakarta Pusat
        "3171014101900001",  # a woman: day + 40
        "9471016902000002",  # Papua, a woman born 29 February 2000
        "3171 0101 0190 0001",  # typed in groups
    ],
)
def test_valid_niks(nik: str) -> None:
    assert normalize_nik(nik) == nik.replace(" ", "")


@pytest.mark.parametrize(
    ("nik", "reason"),
    [
        ("317101010190001", "16 digits"),
        ("31710101019000AB", "16 digits"),
        ("9971010101900001", "province"),  # 99 is no province
        ("3171013102900001", "date"),  # 31 February
        ("3171017201900001", "date"),  # day 72 - 40 = 32
        ("3171010113900001", "date"),  # month 13
        ("3171010101900000", "0000"),
        ("317101²²01900001", "16 digits"),  # "²".isdigit() is True; int("²") was a 500
        ("31٧١٠١٠١٠١٩٠٠٠٠١", "16 digits"),  # Arabic-Indic digits are not a NIK either
    ],
)
def test_invalid_niks_say_why(nik: str, reason: str) -> None:
    with translation.override("en"), pytest.raises(ApplicationError) as refused:
        normalize_nik(nik)
    assert refused.value.code == "invalid_nik"
    message = str(refused.value.fields["nik"][0])
    assert {"16 digits": "16 digits", "province": "province", "date": "date", "0000": "0000"}[
        reason
    ] in message


@pytest.mark.parametrize(
    "raw", ["0812-3456-7890", "081234567890", "62812 3456 7890", "+62 812-3456-7890"]
)
def test_phone_numbers_in_every_everyday_form(raw: str) -> None:
    assert normalize_phone(raw) == "+6281234567890"


@pytest.mark.parametrize("raw", ["12345", "+1 415 555 0100", "021 555 1234", "0812"])
def test_non_indonesian_or_landline_numbers_are_refused(raw: str) -> None:
    with pytest.raises(ApplicationError) as refused:
        normalize_phone(raw)
    assert "phone" in refused.value.fields


def test_all_problems_are_reported_at_once_in_indonesian() -> None:
    with translation.override("id"), pytest.raises(ApplicationError) as refused:
        details_clean(full_name="", nik="123", phone="", email="", channel="pigeon")
    fields = refused.value.fields
    assert set(fields) >= {"full_name", "nik", "phone", "channel"}
    assert fields["nik"][0] == "NIK harus tepat 16 digit."


def test_email_channel_needs_an_email() -> None:
    with pytest.raises(ApplicationError) as refused:
        details_clean(
            full_name="Budi", nik="3171010101900001", phone="081234567890", channel="email"
        )
    assert "email" in refused.value.fields


def test_staff_may_book_for_a_citizen_without_phone_or_email() -> None:
    details = details_clean(
        full_name="Mbah Sarinah", nik="3171014101400001", channel="none", at_the_office=True
    )
    assert details.phone == "" and details.channel == "none"
    with pytest.raises(ApplicationError):
        details_clean(full_name="Mbah Sarinah", nik="3171014101400001", channel="none")
