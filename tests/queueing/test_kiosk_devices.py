"""Only a registered kiosk device of the office may check citizens in (issue 10, finding
8): before, anyone could, from anywhere, and learn whether a code existed, its office and
its check-in time. Devices are registered and revoked by an office administrator."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from booking.models import Booking, BookingStatus
from offices.models import OfficeService
from queueing.kiosks import kiosk_device_create, kiosk_devices_revoke
from queueing.models import KioskDevice, Ticket

pytestmark = pytest.mark.django_db

CHECK_IN = "/api/v1/offices/kanim-jakarta/check-in/"


def _check_in(client: Client, code: str, token: str | None = None, url: str = CHECK_IN) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return client.post(url, {"code": code}, content_type="application/json", headers=headers)


@pytest.fixture
def three_refusals(passport: OfficeService, denpasar_office: Any, slot_for: Any) -> list[str]:
    """An unknown code, a code of another office, a code outside its check-in window."""
    elsewhere = slot_for(OfficeService.objects.get(office=denpasar_office), minutes_from_now=0)
    later = slot_for(passport, minutes_from_now=180, nik_seq=2)
    return ["TIDAKADA", elsewhere.code, later.code]


def test_check_in_without_a_device_token_says_nothing_about_the_code(
    client: Client, three_refusals: list[str], slot_for: Any, passport: OfficeService
) -> None:
    good = slot_for(passport, minutes_from_now=5, nik_seq=3)
    answers = [_check_in(client, code) for code in [*three_refusals, good.code]]
    answers.append(_check_in(client, good.code, "tebakan"))
    answers.append(_check_in(client, good.code, url="/api/v1/offices/tidak-ada/check-in/"))
    assert {answer.status_code for answer in answers} == {401}
    assert len({answer.content for answer in answers}) == 1
    body = answers[0].json()
    assert body["code"] == "kiosk_not_registered"
    assert "Denpasar" not in body["message"] and ":" not in body["message"]
    assert not Ticket.objects.exists()


def test_a_registered_device_checks_in_and_refusals_look_alike(
    client: Client,
    kiosk_token: str,
    three_refusals: list[str],
    slot_for: Any,
    passport: OfficeService,
) -> None:
    refusals = [_check_in(client, code, kiosk_token) for code in three_refusals]
    assert {r.status_code for r in refusals} == {409}
    assert {frozenset(r.json()) for r in refusals} == {frozenset({"code", "message", "fields"})}
    assert "Denpasar" not in refusals[1].json()["message"]
    good = slot_for(passport, minutes_from_now=5, nik_seq=3)
    checked_in = _check_in(client, good.code, kiosk_token)
    assert checked_in.status_code == 201
    assert Ticket.objects.get().booking == good
    assert KioskDevice.objects.get().last_seen_at is not None


def test_a_revoked_device_or_another_offices_device_is_refused(
    client: Client,
    kiosk_token: str,
    denpasar_office: Any,
    passport: OfficeService,
    slot_for: Any,
) -> None:
    good = slot_for(passport, minutes_from_now=5)
    _device, denpasar_token = kiosk_device_create(office=denpasar_office, name="Bali", by=None)
    assert _check_in(client, good.code, denpasar_token).status_code == 401
    kiosk_devices_revoke(device_ids=list(KioskDevice.objects.values_list("pk", flat=True)))
    assert _check_in(client, good.code, kiosk_token).status_code == 401
    assert not Ticket.objects.exists()


def test_check_ins_are_rate_limited_per_device(
    client: Client, kiosk_token: str, passport: OfficeService, settings: Any
) -> None:
    settings.GILIRAN_RATE_CHECK_IN_PER_KIOSK = "3/h"
    codes = [f"TEBAK{n:03d}" for n in range(4)]
    statuses = [_check_in(client, code, kiosk_token).status_code for code in codes]
    assert statuses == [409, 409, 409, 429]


def test_the_token_is_stored_only_as_a_keyed_hash(jakarta_office: Any) -> None:
    device, token = kiosk_device_create(office=jakarta_office, name="Pintu", by=None)
    assert token not in device.token_hash
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM queueing_kioskdevice")
        assert token not in repr(cursor.fetchall())


def test_the_kiosk_page_serves_only_an_enrolled_device(
    client: Client, passport: OfficeService, kiosk_token: str, slot_for: Any
) -> None:
    kiosk = reverse("kiosk", args=["kanim-jakarta"])
    booking = slot_for(passport, minutes_from_now=5)
    assert client.get(kiosk).status_code == 403
    refused = client.post(kiosk, {"action": "check_in", "code": booking.code})
    assert refused.status_code == 403 and not Ticket.objects.exists()
    assert client.post(kiosk, {"action": "walk_in", "service": passport.pk}).status_code == 403
    enrol = reverse("kiosk-enrol", args=["kanim-jakarta"])
    wrong = client.post(enrol, {"token": "salah"})
    assert wrong.status_code == 400 and "giliran_kiosk" not in wrong.cookies
    assert client.post(enrol, {"token": kiosk_token})["Location"] == kiosk
    assert client.get(kiosk).status_code == 200
    client.post(kiosk, {"action": "check_in", "code": booking.code})
    assert Ticket.objects.get().booking == booking
    kiosk_devices_revoke(device_ids=list(KioskDevice.objects.values_list("pk", flat=True)))
    assert client.get(kiosk).status_code == 403


def test_an_office_admin_registers_a_kiosk_and_sees_its_token_once(
    client: Client, office_admin: Any, jakarta_office: Any, denpasar_office: Any
) -> None:
    client.force_login(office_admin)
    add = reverse("admin:queueing_kioskdevice_add")
    assert f'value="{denpasar_office.pk}"' not in client.get(add).content.decode()
    refused = client.post(add, {"office": denpasar_office.pk, "name": "Bali"})
    assert refused.status_code == 200 and not KioskDevice.objects.exists()
    shown = client.post(add, {"office": jakarta_office.pk, "name": "Pintu masuk"})
    page = shown.content.decode()
    device = KioskDevice.objects.get()
    assert device.created_by == office_admin
    token = page.split('data-testid="kiosk-token">')[1].split("<")[0]
    assert f"/kios/kanim-jakarta/daftar/#{token}" in page
    assert "no-cache" in shown["Cache-Control"]
    change = client.get(reverse("admin:queueing_kioskdevice_change", args=[device.pk]))
    assert token not in change.content.decode()
    client.post(
        reverse("admin:queueing_kioskdevice_changelist"),
        {"action": "revoke", "_selected_action": [device.pk]},
    )
    device.refresh_from_db()
    assert device.revoked_at is not None


def test_office_admins_see_only_their_offices_kiosks(
    client: Client, office_admin: Any, denpasar_office: Any
) -> None:
    kiosk_device_create(office=denpasar_office, name="Bali", by=None)
    client.force_login(office_admin)
    listing = client.get(reverse("admin:queueing_kioskdevice_changelist")).content.decode()
    assert "Bali" not in listing


def test_the_kiosk_answers_alike_for_unknown_codes_and_every_code_of_another_office(
    client: Client,
    kiosk_token: str,
    passport: OfficeService,
    denpasar_office: Any,
    slot_for: Any,
) -> None:
    """A registered tablet of one office must not tell whether a code exists elsewhere,
    nor its state or check-in time there (review item 5)."""
    bali = OfficeService.objects.get(office=denpasar_office)
    confirmed = slot_for(bali, minutes_from_now=0, nik_seq=11)
    later = slot_for(bali, minutes_from_now=180, nik_seq=12)
    attended = slot_for(bali, minutes_from_now=0, nik_seq=13)
    no_show = slot_for(bali, minutes_from_now=0, nik_seq=14)
    Booking.objects.filter(pk=attended.pk).update(status=BookingStatus.ATTENDED)
    Booking.objects.filter(pk=no_show.pk).update(status=BookingStatus.NO_SHOW)
    codes = ["TIDAKADA", confirmed.code, later.code, attended.code, no_show.code]
    answers = [_check_in(client, code, kiosk_token) for code in codes]
    assert {answer.status_code for answer in answers} == {409}
    assert len({answer.content for answer in answers}) == 1
    assert answers[0].json()["code"] == "unknown_booking"
    assert not Ticket.objects.exists()


def test_the_kiosk_page_answers_alike_for_unknown_codes_and_another_offices_codes(
    kiosk_client: Client, passport: OfficeService, denpasar_office: Any, slot_for: Any
) -> None:
    bali = OfficeService.objects.get(office=denpasar_office)
    attended = slot_for(bali, minutes_from_now=0, nik_seq=13)
    Booking.objects.filter(pk=attended.pk).update(status=BookingStatus.ATTENDED)
    codes = ["TIDAKADA", slot_for(bali, minutes_from_now=180, nik_seq=12).code, attended.code]
    url = reverse("kiosk", args=["kanim-jakarta"])
    pages = [
        kiosk_client.post(url, {"action": "check_in", "code": code}).content.decode()
        for code in codes
    ]
    alerts = [re.findall(r'<p class="kiosk-error" role="alert">(.*?)</p>', p) for p in pages]
    assert len(alerts[0]) == 1
    assert alerts == [alerts[0]] * len(codes)
    assert not Ticket.objects.exists()
