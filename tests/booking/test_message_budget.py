"""SMS pumping: one client making Giliran send one-time codes to many numbers of one
operator range is stopped by the hourly budget per phone prefix and in total; the hold
is not kept, the alarm is logged once and shown on /healthz/ and the message log."""

from __future__ import annotations

import logging
import os
import threading
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client

from booking.models import Booking, BookingStatus, Slot, VerificationCode
from booking.models.waitlist import WaitlistEntry
from core.errors import ApplicationError
from core.message_budget import message_budget_spend, phone_prefix
from offices.models import OfficeService
from queueing.models import Ticket, TicketSource
from queueing.services.issue import ticket_issue
from tests.booking.conftest import FIRST_BOOKABLE
from tests.booking.test_capacity_race import nik
from tests.booking.test_waitlist import _join, full_day  # noqa: F401

pytestmark = pytest.mark.django_db

HOLDS_URL = "/api/v1/holds/"


@pytest.fixture(autouse=True)
def _budget(settings: Any) -> None:
    settings.GILIRAN_RATE_HOLD_PER_IP = "1000/h"
    settings.GILIRAN_MESSAGE_BUDGET_PER_PREFIX_PER_HOUR = 4
    settings.GILIRAN_MESSAGE_BUDGET_PER_HOUR = 6
    caches["ratelimit"].clear()


@pytest.fixture
def slots(passport_here: OfficeService) -> list[Slot]:
    return list(
        Slot.objects.filter(
            office_service=passport_here, local_date__gte=FIRST_BOOKABLE, capacity__gt=0
        ).order_by("starts_at")[:12]
    )


def _hold_by_sms(client: Client, slot: Slot, n: int, phone: str) -> Any:
    body = {
        "slot": slot.pk,
        "full_name": f"Warga Uji {n}",
        "nik": nik(n),
        "phone": phone,
        "channel": "sms",
        "language": "en",
    }
    return client.post(HOLDS_URL, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")


def test_codes_to_one_operator_range_stop_at_the_prefix_budget(
    client: Client, slots: list[Slot], caplog: Any
) -> None:
    with caplog.at_level(logging.ERROR, logger="giliran.alarm.message_budget"):
        answers = [
            _hold_by_sms(client, slot, n, f"0812{n:08d}") for n, slot in enumerate(slots[:6])
        ]
    assert [answer.status_code for answer in answers] == [201] * 4 + [429] * 2
    refusal = answers[4].json()
    assert refusal["code"] == "message_budget"
    assert "cannot send more codes by SMS or WhatsApp" in refusal["message"]
    # The refused requests hold nothing.
    assert Booking.objects.filter(status=BookingStatus.HELD).count() == 4
    alarms = [r for r in caplog.records if r.name == "giliran.alarm.message_budget"]
    assert len(alarms) == 1 and "prefix +62812" in alarms[0].getMessage()
    # Another operator's numbers still get codes, until the total budget is spent.
    other = [_hold_by_sms(client, slots[6 + n], 6 + n, f"0857{n:08d}") for n in range(3)]
    assert [answer.status_code for answer in other] == [201, 201, 429]


def test_the_alarm_shows_on_healthz_and_the_message_log(
    client: Client, slots: list[Slot], supervisor: Any
) -> None:
    assert client.get("/healthz/").json()["message_budget"] == "ok"
    for n, slot in enumerate(slots[:5]):
        _hold_by_sms(client, slot, n, f"0812{n:08d}")
    health = client.get("/healthz/").json()
    assert health["message_budget"] == "spent"
    assert health["message_budget_alarm"]["scope"] == "prefix +62812"
    client.force_login(supervisor)
    log = client.get("/en/staf/kantor/kanim-jakarta/pesan-keluar/").content.decode()
    assert "the hourly budget of SMS/WhatsApp messages citizens can trigger is spent" in log


def test_the_budget_starts_again_the_next_hour(
    client: Client, slots: list[Slot], clock: Any
) -> None:
    for n, slot in enumerate(slots[:5]):
        _hold_by_sms(client, slot, n, f"0812{n:08d}")
    clock.shift(timedelta(hours=1))
    assert _hold_by_sms(client, slots[5], 5, "081299990000").status_code == 201


def test_email_codes_cost_nothing(client: Client, slots: list[Slot]) -> None:
    for n in range(8):
        message_budget_spend(channel="email", phone=f"+62812{n:08d}")
    assert _hold_by_sms(client, slots[0], 0, "081200000001").status_code == 201


def test_prefix_is_country_code_and_operator_range() -> None:
    assert phone_prefix("+6281234567890") == "+62812"
    assert phone_prefix("+6285712345678") == "+62857"


@pytest.mark.redis
def test_parallel_spending_on_redis_passes_exactly_the_budget(settings: Any) -> None:
    settings.CACHES = {
        **settings.CACHES,
        "ratelimit": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": f"budget-test-{os.getpid()}-{threading.get_ident()}",
        },
    }
    settings.GILIRAN_MESSAGE_BUDGET_PER_PREFIX_PER_HOUR = 10
    settings.GILIRAN_MESSAGE_BUDGET_PER_HOUR = 0
    caches["ratelimit"].clear()
    barrier = threading.Barrier(30)
    passed: list[bool] = []

    def spend(n: int) -> None:
        barrier.wait()
        try:
            message_budget_spend(channel="sms", phone=f"+62813{n:08d}")
        except ApplicationError:
            passed.append(False)
        else:
            passed.append(True)

    threads = [threading.Thread(target=spend, args=(n,)) for n in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(passed) == 10


def test_waiting_list_notices_by_sms_count_against_the_budget(
    full_day: Booking,  # noqa: F811
    passport_here: OfficeService,
    settings: Any,
) -> None:
    settings.GILIRAN_MESSAGE_BUDGET_PER_PREFIX_PER_HOUR = 2
    for n in range(2):
        _join(passport_here, nik(100 + n), phone=f"0812{n:08d}", channel="sms")
    with pytest.raises(ApplicationError) as refused:
        _join(passport_here, nik(102), phone="081277776666", channel="sms")
    assert refused.value.code == "message_budget"
    assert WaitlistEntry.objects.count() == 2


def test_walk_in_numbers_by_sms_count_against_the_budget(
    passport_here: OfficeService, settings: Any
) -> None:
    settings.GILIRAN_MESSAGE_BUDGET_PER_PREFIX_PER_HOUR = 2
    for n in range(2):
        ticket_issue(
            office_service=passport_here, source=TicketSource.REMOTE, contact_phone=f"+62812{n:08d}"
        )
    with pytest.raises(ApplicationError) as refused:
        ticket_issue(
            office_service=passport_here, source=TicketSource.REMOTE, contact_phone="+6281277776666"
        )
    assert refused.value.code == "message_budget"
    assert Ticket.objects.count() == 2


def test_one_client_can_make_only_so_many_codes_an_hour(
    client: Client, slots: list[Slot], settings: Any
) -> None:
    settings.GILIRAN_RATE_CODE_PER_IP = "5/h"
    settings.GILIRAN_MESSAGE_BUDGET_PER_PREFIX_PER_HOUR = 1000
    settings.GILIRAN_MESSAGE_BUDGET_PER_HOUR = 1000
    tokens = []
    for n in range(3):
        held = _hold_by_sms(client, slots[n], n, f"0812{n:08d}")
        assert held.status_code == 201
        tokens.append(held.json()["hold_token"])
    resends = [
        client.post(f"{HOLDS_URL}{token}/code/", HTTP_ACCEPT_LANGUAGE="en").status_code
        for token in tokens
    ]
    assert resends == [202, 202, 429]
    assert VerificationCode.objects.count() == 5
    # Another client is not affected.
    other = client.post(f"{HOLDS_URL}{tokens[2]}/code/", REMOTE_ADDR="198.51.100.5")
    assert other.status_code == 202


def test_the_alarm_on_the_message_log_is_wholly_indonesian(
    client: Client, slots: list[Slot], supervisor: Any
) -> None:
    """Review item T: the scope used to be inserted in English ("prefix +62812")."""
    for n, slot in enumerate(slots[:5]):
        _hold_by_sms(client, slot, n, f"0812{n:08d}")
    client.force_login(supervisor)
    log = client.get("/staf/kantor/kanim-jakarta/pesan-keluar/").content.decode()
    assert "(nomor yang diawali +62812: lebih dari 4)" in log
    assert "prefix" not in log
    english = client.get("/en/staf/kantor/kanim-jakarta/pesan-keluar/").content.decode()
    assert "(numbers starting with +62812: more than 4)" in english


def test_the_total_budget_alarm_says_all_numbers_in_the_readers_language(
    client: Client, slots: list[Slot], supervisor: Any
) -> None:
    for n in range(3):  # three operator ranges, two codes each: the total (6) runs out
        for m in range(2):
            _hold_by_sms(client, slots[2 * n + m], 2 * n + m, f"08{n + 12}{m:08d}")
    assert _hold_by_sms(client, slots[6], 6, "085700000009").status_code == 429
    client.force_login(supervisor)
    log = client.get("/staf/kantor/kanim-jakarta/pesan-keluar/").content.decode()
    assert "(semua nomor: lebih dari 6)" in log
    assert "all numbers" not in log
