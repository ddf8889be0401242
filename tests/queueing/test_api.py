"""Queue API: take a number, follow it, leave; check in; counters act; board feed."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from offices.models import Counter, OfficeService
from queueing.models import Ticket

pytestmark = pytest.mark.django_db


def test_take_a_number_follow_it_and_leave(
    client: Client, passport: OfficeService, counter_one: Counter, clock: Any
) -> None:
    taken = client.post(
        "/api/v1/offices/kanim-jakarta/tickets/",
        {"service": "paspor-baru"},
        content_type="application/json",
    )
    assert taken.status_code == 201
    body = taken.json()
    assert body["number"] == "A-001" and body["people_ahead"] == 0
    assert body["estimate_low_minutes"] is not None and body["queued_at"].endswith("+07:00")
    status = client.get(f"/api/v1/tickets/{body['token']}/").json()
    assert status["status"] == "waiting"
    left = client.post(f"/api/v1/tickets/{body['token']}/leave/")
    assert left.json()["status"] == "left"
    assert client.post(f"/api/v1/tickets/{body['token']}/leave/").status_code == 409


def test_counter_actions_need_staff_of_the_office(
    client: Client,
    passport: OfficeService,
    counter_one: Counter,
    counter_clerk: Any,
    supervisor_of_another_office: Any,
    clock: Any,
) -> None:
    client.post(
        "/api/v1/offices/kanim-jakarta/tickets/",
        {"service": "paspor-baru"},
        content_type="application/json",
    )
    assert client.post(f"/api/v1/counters/{counter_one.pk}/next/").status_code in (401, 403)
    client.force_login(supervisor_of_another_office)
    refused = client.post(f"/api/v1/counters/{counter_one.pk}/next/")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    client.force_login(counter_clerk)
    called = client.post(f"/api/v1/counters/{counter_one.pk}/next/").json()
    assert called["current"]["number"] == "A-001" and called["current"]["status"] == "called"
    for action, status in (("start", "serving"), ("finish", None)):
        body = client.post(f"/api/v1/counters/{counter_one.pk}/{action}/").json()
        assert (body["current"] or {}).get("status") == status
    board = client.get("/api/v1/offices/kanim-jakarta/board/").json()
    assert [call["number"] for call in board] == ["A-001"]  # the call stays listed
    assert Ticket.objects.get().status == "finished"


def test_wrong_state_is_a_409_with_a_message(
    client: Client, counter_one: Counter, counter_clerk: Any, clock: Any
) -> None:
    client.force_login(counter_clerk)
    response = client.post(
        f"/api/v1/counters/{counter_one.pk}/finish/", headers={"Accept-Language": "en"}
    )
    assert response.status_code == 409
    assert response.json() == {
        "code": "no_current_ticket",
        "message": "This counter has no ticket at the moment.",
        "fields": {},
    }


def test_an_action_naming_nothing_of_this_office_is_refused_and_changes_nothing(
    client: Client, passport: OfficeService, counter_one: Counter, counter_clerk: Any, clock: Any
) -> None:
    client.force_login(counter_clerk)
    url = f"/api/v1/counters/{counter_one.pk}/"
    for action, body, field in (
        ("call", {"ticket": "A-999"}, "ticket"),
        ("unpark", {"ticket": "bukan nomor"}, "ticket"),
        ("issue", {"service": "tidak-ada"}, "service"),
        ("transfer", {}, "service"),
    ):
        refused = client.post(
            f"{url}{action}/",
            body,
            content_type="application/json",
            headers={"Accept-Language": "en"},
        )
        assert refused.status_code == 400, action
        assert refused.json()["code"] == "invalid" and field in refused.json()["fields"]
    assert client.post(f"{url}dance/").status_code == 404
    assert client.post(f"{url}no_show/").status_code == 404  # the page's old name
    assert not Ticket.objects.exists()
