from __future__ import annotations

from datetime import datetime

import pytest

from assistant.understanding import classifier


@pytest.fixture(scope="session")
def examples() -> list[classifier.Example]:
    return classifier.load_examples()


@pytest.fixture(scope="session")
def trained(examples: list[classifier.Example]) -> classifier.Model:
    """One model for the session, trained in memory on the training split (a few
    seconds); the tests of storage and rebuilding train their own."""
    training, _held_out = classifier.split(examples)
    return classifier.train(training)


# Test modules whose conversations book, take numbers or look up bookings: they need the
# demo's bookable days (slots and planned capacity for the whole booking window), which
# take two thirds of the demo's loading time. The others talk about the catalog only.
NEEDS_BOOKABLE_DAYS = {
    "test_chat_bookings",
    "test_chat_queue",
    "test_journeys",
    "test_sms",
    "test_every_intent",
}


@pytest.fixture
def demo_country(db: None, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo country (offices, services, hours, staff), as `make run` has it: the
    conversations below talk about its real catalog. Its bookable days are made only
    for the modules that need them (NEEDS_BOOKABLE_DAYS)."""
    from io import StringIO

    from django.core.management import call_command

    import demo.services

    if request.module.__name__.rsplit(".", 1)[-1] not in NEEDS_BOOKABLE_DAYS:
        monkeypatch.setattr(demo.services, "default_plan_extend_window", lambda **_: None)
    call_command("load_demo", allow_without_debug=True, without_history=True, stdout=StringIO())


@pytest.fixture
def chat(demo_country: None):  # type: ignore[no-untyped-def]
    """Send web-chat messages in one conversation: chat("halo") -> Reply."""
    from assistant.conversation import Inbound, message_receive

    token = {"value": ""}

    def send(text: str, now: datetime | None = None, **kwargs: object):  # type: ignore[no-untyped-def]
        inbound = Inbound(channel="web", text=text, conversation=token["value"], **kwargs)  # type: ignore[arg-type]
        reply = message_receive(inbound, now=now)
        assert reply is not None
        token["value"] = reply.conversation
        return reply

    return send


@pytest.fixture
def web_chat(demo_country: None):  # type: ignore[no-untyped-def]
    """Each message in a conversation of its own: web_chat("halo") -> Reply."""
    from assistant.conversation import Inbound, message_receive

    def send(text: str):  # type: ignore[no-untyped-def]
        reply = message_receive(Inbound(channel="web", text=text))
        assert reply is not None
        return reply

    return send
