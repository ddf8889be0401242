"""Behind the load balancer, every citizen gets their own rate-limit bucket: the client is
taken GILIRAN_TRUSTED_PROXY_COUNT entries from the right of X-Forwarded-For, spoofed
entries to its left give no fresh bucket, and an IPv6 /64 is one bucket. The staff
sign-in lockout (django-axes) sees the same address."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOOKUP = "/api/v1/bookings/lookup/"
BALANCER = "10.0.0.5"


@pytest.fixture(autouse=True)
def _behind_one_proxy(settings: Any) -> None:
    settings.GILIRAN_TRUSTED_PROXY_COUNT = 1
    settings.GILIRAN_RATE_LOOKUP_PER_IP = "3/h"


def _lookup(client: Client, forwarded_for: str) -> int:
    response = client.post(
        LOOKUP,
        {"code": "BCDFGHJK", "secret": "1234"},
        content_type="application/json",
        REMOTE_ADDR=BALANCER,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )
    return response.status_code


def test_two_citizens_behind_the_balancer_get_separate_buckets(client: Client) -> None:
    assert [_lookup(client, "203.0.113.7") for _ in range(4)] == [404, 404, 404, 429]
    assert _lookup(client, "198.51.100.9") == 404


def test_a_spoofed_forwarded_entry_gives_no_fresh_bucket(client: Client) -> None:
    for _ in range(3):
        _lookup(client, "203.0.113.7")
    # The balancer appends the real client after whatever the client sent.
    assert _lookup(client, "1.2.3.4, 203.0.113.7") == 429
    assert _lookup(client, "garbage, 203.0.113.7") == 429


def test_a_malformed_or_missing_entry_falls_back_to_the_balancer(client: Client) -> None:
    for _ in range(3):
        _lookup(client, "not-an-address")
    assert _lookup(client, "") == 429


def test_one_ipv6_64_is_one_bucket(client: Client) -> None:
    for host in range(1, 4):
        assert _lookup(client, f"2001:db8:1:2::{host}") == 404
    assert _lookup(client, "2001:db8:1:2:ffff::99") == 429
    assert _lookup(client, "2001:db8:1:3::1") == 404


def test_without_trusted_proxies_the_forwarded_header_is_ignored(
    client: Client, settings: Any
) -> None:
    settings.GILIRAN_TRUSTED_PROXY_COUNT = 0
    for host in range(1, 4):
        _lookup(client, f"203.0.113.{host}")
    assert _lookup(client, "203.0.113.200") == 429


def test_sign_in_lockout_is_per_client_behind_the_balancer(
    client: Client, counter_clerk: Any
) -> None:
    def sign_in(password: str, forwarded_for: str) -> int:
        return client.post(
            reverse("staff:login"),
            {"username": "dewi", "password": password},
            REMOTE_ADDR=BALANCER,
            HTTP_X_FORWARDED_FOR=forwarded_for,
        ).status_code

    for _ in range(5):
        sign_in("salah-salah", "203.0.113.66")
    assert sign_in(PASSWORD, "203.0.113.66") == 429
    # Dewi herself, at her counter behind the same balancer, is not locked out.
    assert sign_in(PASSWORD, "198.51.100.20") == 302
