"""Answers from the records: requirements, hours, location and fees read the catalog as
the pages do, in the citizen's language and the office's zone; nothing is a copy."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from offices.models import Office, Service

WIB = ZoneInfo("Asia/Jakarta")
# Tuesday 22 December 2026, 10:00 WIB: Kanim Jakarta Pusat is open; Christmas comes Friday.
TUESDAY_MORNING = datetime(2026, 12, 22, 10, 0, tzinfo=WIB)


def test_requirements_are_the_catalogs_in_each_language(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("syarat bikin paspor baru apa aja?")
    assert reply.intent == "requirements"
    passport = Service.objects.get(code="paspor-baru")
    for line in passport.requirements_id.splitlines():
        assert line.strip(" -•") in reply.text
    english = chat("what documents do I need for a new passport?")
    assert english.language == "en"
    assert "Original family card (Kartu Keluarga)" in english.text
    # Edited in the admin, answered at once: the answer is read, not copied.
    passport.requirements_id = "KTP-el asli\nSurat rekomendasi baru"
    passport.save()
    assert "Surat rekomendasi baru" in chat("syarat paspor baru apa saja?").text


def test_a_missing_service_is_asked_for_and_the_next_message_answers(chat) -> None:  # type: ignore[no-untyped-def]
    asked = chat("syaratnya apa aja ya min?")
    assert "layanan" in asked.text.lower()
    assert asked.suggestions
    answered = chat("kartu keluarga")
    assert "Formulir F-1.01" in answered.text


def test_hours_today_in_the_offices_zone_with_coming_holidays(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("kanim jakarta pusat buka jam berapa?", now=TUESDAY_MORNING)
    assert reply.intent == "hours"
    assert "sedang buka" in reply.text
    assert "Senin: 08:00–15:00 WIB (istirahat 12:00–13:00)" in reply.text
    assert "Jumat, 25 Desember 2026" in reply.text  # Christmas, a national holiday
    # Denpasar keeps WITA, and after closing the next opening is named.
    evening = datetime(2026, 12, 22, 18, 0, tzinfo=WIB)
    bali = chat("jam buka mpp denpasar", now=evening)
    assert "WITA" in bali.text and "WIB" not in bali.text
    assert "sedang tutup" in bali.text and "Rabu, 23 Desember 2026, 08:00 WITA" in bali.text


def test_location_names_the_address_and_a_map(chat) -> None:  # type: ignore[no-untyped-def]
    chat("kanim jakarta pusat buka jam berapa?")
    reply = chat("alamat kantornya di mana?")  # the office from the turn before
    office = Office.objects.get(code="kanim-jakarta-pusat")
    assert reply.intent == "location"
    assert office.address in reply.text
    assert "openstreetmap.org" in reply.text


def test_fees_free_paid_and_the_offices_own_standard(chat) -> None:  # type: ignore[no-untyped-def]
    paid = chat("berapa biaya bikin paspor baru?")
    assert "Rp350.000" in paid.text
    assert "4 hari kerja" in paid.text
    english = chat("how much does printing a new e-KTP cost?")
    assert "free" in english.text.lower()
    # MPP Denpasar prints a KTP-el in an hour, faster than the national standard.
    faster = chat("biaya cetak ulang ktp-el di mpp denpasar berapa?")
    assert "Gratis" in faster.text or "gratis" in faster.text
    assert "1 jam" in faster.text


def test_document_check_offers_a_person(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("KK saya yang lama masih bisa dipakai ga buat bikin paspor?")
    assert reply.intent == "document_check"
    assert any(s.text for s in reply.suggestions)
    assert "petugas" in reply.text
