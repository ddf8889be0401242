"""What the outbox does with each way a delivery can go wrong, one sweep at a time.

The sweeper (`outbox_dispatch_due`) and the single-row dispatch (`outbox_dispatch_message`)
run here in the test process against a real HTTP gateway on loopback
(tests/fake_gateway.py) that is told how to fail. A temporary failure puts the row back
to PENDING with the reason and a later `due_at` (exponential backoff), and a later sweep
delivers it; a permanent one dead-letters it at once with the reason; either way the
other rows of the sweep go out. The clock is frozen and moved by hand (time_machine)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from notifications.models import Message, MessageChannel, MessageStatus
from notifications.services.outbox import outbox_dispatch_due, outbox_dispatch_message
from queueing.messages import TicketMessageKind
from tests.fake_gateway import FakeGateway

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
BASE = 30  # GILIRAN_OUTBOX_RETRY_BASE_SECONDS in these tests
TIMEOUT = 0.5  # GILIRAN_GATEWAY_TIMEOUT_SECONDS in these tests


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def gateway(settings: Any, clock: Any) -> Iterator[FakeGateway]:
    """SMS and WhatsApp both go to one fake gateway, each with its own token."""
    with FakeGateway() as running:
        settings.GILIRAN_GATEWAYS = {
            "sms": {"url": running.url, "token": "sms-secret"},
            "whatsapp": {"url": running.url, "token": "wa-secret"},
        }
        settings.GILIRAN_GATEWAY_TIMEOUT_SECONDS = TIMEOUT
        settings.GILIRAN_OUTBOX_RETRY_BASE_SECONDS = BASE
        settings.GILIRAN_OUTBOX_MAX_ATTEMPTS = 8
        settings.GILIRAN_CONSOLE_MESSAGES = False
        yield running


def survey(
    n: int = 1,
    *,
    channel: str = MessageChannel.SMS,
    recipient: str | None = None,
    context: dict[str, Any] | None = None,
    due_at: datetime = NOW,
) -> Message:
    """A due survey for citizen `n`: no booking or ticket, so no relevance check."""
    return Message.objects.create(
        dedup_key=f"survey:{n}",
        kind=TicketMessageKind.SURVEY,
        channel=channel,
        recipient=f"+62812{n:07d}" if recipient is None else recipient,
        language="id",
        context={
            "reference": f"S{n:05d}",
            "office": "Kantor Imigrasi Jakarta Pusat",
            "survey_url": f"https://giliran.example/survei/{n}",
        }
        if context is None
        else context,
        due_at=due_at,
    )


def fresh(message: Message) -> Message:
    message.refresh_from_db()
    return message


def assert_retried_later(message: Message, *, reason: str, after: int, attempts: int) -> None:
    """Back to PENDING, unclaimed, due `after` seconds from now, saying why."""
    message = fresh(message)
    assert message.status == MessageStatus.PENDING
    assert reason in message.last_error
    assert message.attempts == attempts
    assert message.due_at == timezone.now() + timedelta(seconds=after)
    assert message.lease_until is None


def assert_sent_once(message: Message, gateway: FakeGateway) -> None:
    message = fresh(message)
    assert message.status == MessageStatus.SENT
    assert message.last_error == ""
    assert message.provider_ref == f"fake-{message.idempotency_key}"
    assert message.idempotency_key in gateway.delivered
    assert gateway.duplicates_delivered() == 0


def assert_dead(message: Message, *, reason: str) -> None:
    message = fresh(message)
    assert message.status == MessageStatus.DEAD
    assert reason in message.last_error, message.last_error
    assert message.lease_until is None


# --- temporary failures: retried with backoff, then delivered --------------------------


def test_a_gateway_timeout_is_retried_with_backoff(gateway: FakeGateway, clock: Any) -> None:
    gateway.time_out_next(1, seconds=TIMEOUT + 2)
    message = survey()

    assert outbox_dispatch_due() == 1
    assert_retried_later(
        message, reason=f"sms gateway did not answer within {TIMEOUT:g} s", after=BASE, attempts=1
    )
    assert outbox_dispatch_due() == 0  # not due yet: nothing is sent early

    clock.shift(BASE)
    assert outbox_dispatch_due() == 1
    assert_sent_once(message, gateway)
    assert fresh(message).sent_at == NOW + timedelta(seconds=BASE)
    assert gateway.raw_requests[message.idempotency_key] == 2


@pytest.mark.parametrize("status", [500, 502, 503, 429, 408, 409])
def test_a_server_error_or_throttling_is_retried_with_backoff(
    gateway: FakeGateway, clock: Any, status: int
) -> None:
    gateway.fail_next(1, status=status)
    message = survey()

    outbox_dispatch_due()
    assert_retried_later(message, reason=f"sms gateway answered {status}: ", after=BASE, attempts=1)

    clock.shift(BASE)
    outbox_dispatch_due()
    assert_sent_once(message, gateway)


def test_an_answer_without_a_message_id_is_retried(gateway: FakeGateway, clock: Any) -> None:
    """200 with an HTML page: accepted or not is unknown, so it is tried again, under the
    same key, which a gateway that did accept it recognises."""
    gateway.garble_next(1)
    message = survey()

    outbox_dispatch_due()
    assert_retried_later(
        message,
        reason="sms gateway answered 200 without a message id: <html>",
        after=BASE,
        attempts=1,
    )

    clock.shift(BASE)
    outbox_dispatch_due()
    assert_sent_once(message, gateway)


def test_an_unreachable_gateway_is_retried(gateway: FakeGateway, clock: Any, settings: Any) -> None:
    settings.GILIRAN_GATEWAYS = {"sms": {"url": "http://127.0.0.1:9/messages", "token": "t"}}
    message = survey()

    outbox_dispatch_due()
    assert_retried_later(message, reason="sms gateway unreachable", after=BASE, attempts=1)

    settings.GILIRAN_GATEWAYS = {"sms": {"url": gateway.url, "token": "t"}}
    clock.shift(BASE)
    outbox_dispatch_due()
    assert_sent_once(message, gateway)


def test_backoff_doubles_until_the_outbox_gives_up(
    gateway: FakeGateway, clock: Any, settings: Any
) -> None:
    settings.GILIRAN_OUTBOX_MAX_ATTEMPTS = 4
    gateway.fail_next(4, status=503)
    message = survey()

    for attempt, wait in enumerate([BASE, 2 * BASE, 4 * BASE], start=1):
        assert outbox_dispatch_due() == 1
        assert_retried_later(message, reason="answered 503", after=wait, attempts=attempt)
        clock.shift(wait)

    assert outbox_dispatch_due() == 1
    assert_dead(message, reason="gave up after 4 attempts: sms gateway answered 503")
    clock.shift(timedelta(days=1))
    assert outbox_dispatch_due() == 0  # a dead letter waits for a person, not a sweep
    assert gateway.raw_requests[message.idempotency_key] == 4
    assert gateway.delivered == {}


# --- permanent failures: dead at once, with the reason ---------------------------------


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_a_refusal_dead_letters_the_message_at_once(
    gateway: FakeGateway, clock: Any, status: int
) -> None:
    gateway.fail_next(1, status=status)
    message = survey(channel=MessageChannel.WHATSAPP)

    assert outbox_dispatch_due() == 1
    assert_dead(message, reason=f"whatsapp gateway refused the message ({status}): ")
    assert fresh(message).attempts == 1

    clock.shift(timedelta(days=1))
    assert outbox_dispatch_due() == 0
    assert gateway.raw_requests[message.idempotency_key] == 1


def test_a_citizen_without_an_address_is_dead_lettered_without_calling_the_gateway(
    gateway: FakeGateway,
) -> None:
    message = survey(recipient="")

    outbox_dispatch_due()
    assert_dead(message, reason="the citizen gave no address for sms")
    assert gateway.stats()["raw_requests"] == 0


def test_a_template_missing_a_variable_is_dead_lettered_naming_the_variable(
    gateway: FakeGateway,
) -> None:
    """Django would print an empty string; a citizen must not get a survey without link."""
    message = survey(context={"reference": "S00001", "office": "Kantor Imigrasi Jakarta Pusat"})

    outbox_dispatch_due()
    assert_dead(message, reason="needs survey_url, which the message lacks")
    assert gateway.stats()["raw_requests"] == 0


def test_an_unconfigured_channel_is_dead_lettered_saying_what_to_set(
    gateway: FakeGateway, settings: Any
) -> None:
    settings.GILIRAN_GATEWAYS = {"sms": {"url": gateway.url, "token": "t"}}
    message = survey(channel=MessageChannel.WHATSAPP)

    outbox_dispatch_due()
    assert_dead(message, reason="set GILIRAN_WHATSAPP_GATEWAY_URL")


# --- one sweep, many rows --------------------------------------------------------------


def test_one_failing_message_does_not_hold_up_the_others(gateway: FakeGateway) -> None:
    """Rows go in due order: the first times out, the second is refused, the fourth has
    no address; the rest still go out in the same sweep."""
    gateway.time_out_next(1, seconds=TIMEOUT + 2)
    gateway.fail_next(1, status=400)
    for n in range(1, 6):
        survey(n, recipient="" if n == 4 else None, due_at=NOW - timedelta(minutes=6 - n))

    assert outbox_dispatch_due() == 5

    assert list(Message.objects.order_by("pk").values_list("status", flat=True)) == [
        MessageStatus.PENDING,  # timed out: retried later
        MessageStatus.DEAD,  # refused
        MessageStatus.SENT,
        MessageStatus.DEAD,  # no address
        MessageStatus.SENT,
    ]
    assert len(gateway.delivered) == 2


# --- what the gateway sees -------------------------------------------------------------


def test_the_gateway_gets_the_channels_bearer_token_and_the_rows_idempotency_key(
    gateway: FakeGateway,
) -> None:
    sms = survey(1)
    whatsapp = survey(2, channel=MessageChannel.WHATSAPP)

    assert outbox_dispatch_message(message_id=sms.pk) == MessageStatus.SENT
    assert outbox_dispatch_message(message_id=whatsapp.pk) == MessageStatus.SENT

    for message, token in ((sms, "sms-secret"), (whatsapp, "wa-secret")):
        key = f"giliran-{message.pk}"
        [headers] = gateway.headers_for(key)
        assert headers["Authorization"] == f"Bearer {token}"
        assert gateway.delivered[key] == {
            "id": key,
            "channel": message.channel,
            "to": message.recipient,
            "text": gateway.delivered[key]["text"],
            "language": "id",
            "kind": "survey",
            "reference": message.context["reference"],
        }
        assert message.context["survey_url"] in gateway.delivered[key]["text"]


def test_a_retry_of_the_same_row_sends_the_same_idempotency_key(
    gateway: FakeGateway, clock: Any
) -> None:
    """The key names the row, not the attempt: a gateway that did take the first request
    (its answer lost on the way back) recognises the second and delivers once."""
    gateway.garble_next(1)
    message = survey()

    assert outbox_dispatch_message(message_id=message.pk) == MessageStatus.PENDING
    assert outbox_dispatch_message(message_id=message.pk) is None  # not due yet
    clock.shift(BASE)
    assert outbox_dispatch_message(message_id=message.pk) == MessageStatus.SENT

    attempts = gateway.headers_for(f"giliran-{message.pk}")
    assert len(attempts) == 2
    assert attempts[0]["Idempotency-Key"] == attempts[1]["Idempotency-Key"]
    assert_sent_once(message, gateway)
