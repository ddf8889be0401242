"""Staff sessions end after 30 minutes without a request and 12 hours after sign-in;
a citizen's session (their booking in progress) is not cut short."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

START = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def _signed_in(client: Client) -> bool:
    return client.get(reverse("staff:home")).status_code == 200


def test_staff_session_ends_after_thirty_idle_minutes(client: Client, counter_clerk: Any) -> None:
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(counter_clerk)
        clock.shift(timedelta(minutes=29))
        assert _signed_in(client)
        clock.shift(timedelta(minutes=29))  # active 29 minutes ago: still in
        assert _signed_in(client)
        clock.shift(timedelta(minutes=31))
        response = client.get(reverse("staff:home"))
        assert response.status_code == 302
        assert reverse("staff:login") in response["Location"]


def test_staff_session_ends_twelve_hours_after_sign_in_however_busy(
    client: Client, supervisor: Any
) -> None:
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(supervisor)
        for _ in range(35):  # every 20 minutes for 11 h 40 min
            clock.shift(timedelta(minutes=20))
            assert _signed_in(client)
        clock.shift(timedelta(minutes=20))
        assert not _signed_in(client)


def test_idle_timeout_follows_the_setting(
    client: Client, counter_clerk: Any, settings: Any
) -> None:
    settings.GILIRAN_STAFF_IDLE_MINUTES = 5
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(counter_clerk)
        clock.shift(timedelta(minutes=6))
        assert not _signed_in(client)


def test_citizen_session_survives_hours_without_activity(client: Client, db: None) -> None:
    with time_machine.travel(START, tick=False) as clock:
        session = client.session
        session["booking_ids"] = [42]
        session.save()
        client.cookies["sessionid"] = session.session_key  # type: ignore[assignment]
        clock.shift(timedelta(hours=13))
        assert client.get(reverse("home")).status_code == 200
        assert client.session.get("booking_ids") == [42]
