"""The citizen's status check, on the page and the API: the tracking number alone
reveals nothing; with the access key, the status, due day and answer."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from complaints.services import access_key_display, complaint_answer
from tests.complaints.conftest import file

pytestmark = pytest.mark.django_db

NOT_FOUND = "Tidak ada pengaduan dengan nomor pengaduan dan kunci akses ini."


def _url(prefix: str = "") -> str:
    with translation.override("id"):
        return prefix + reverse("complaint-status")


def test_the_page_shows_the_status_and_answer_only_with_the_key(
    client: Client, jakarta_office: Any, supervisor: Any
) -> None:
    filed = file(jakarta_office)
    number = filed.complaint.number
    complaint_answer(
        complaint=filed.complaint, by=supervisor, answer="Loket <i>tambahan</i> dibuka."
    )
    alone = client.post(_url(), {"number": number, "access_key": ""}).content.decode()
    assert "Dijawab" not in alone and "Loket" not in alone
    wrong = client.post(_url(), {"number": number, "access_key": "AAAAA-BBBBB"}).content.decode()
    unknown = client.post(
        _url(), {"number": "ADU-2026-09999", "access_key": "AAAAA-BBBBB"}
    ).content.decode()
    assert NOT_FOUND in wrong and NOT_FOUND in unknown and "Dijawab" not in wrong
    # The number never opens anything by GET either.
    assert "Dijawab" not in client.get(_url(), {"number": number}).content.decode()
    right = client.post(
        _url(), {"number": number, "access_key": access_key_display(filed.access_key)}
    ).content.decode()
    assert "Dijawab" in right and "Loket &lt;i&gt;tambahan&lt;/i&gt; dibuka." in right
    english = client.post(
        _url("/en"), {"number": number, "access_key": filed.access_key}
    ).content.decode()
    assert "Answered" in english and "Answer due" in english


def test_the_api_reads_the_status_with_the_same_proof(client: Client, jakarta_office: Any) -> None:
    created = client.post(
        "/api/v1/complaints/",
        {
            "office": jakarta_office.code,
            "category": "information",
            "text": "Syarat di situs berbeda dengan syarat yang diminta di loket.",
        },
        content_type="application/json",
    ).json()
    url = "/api/v1/complaints/status/"
    wrong = client.post(
        url,
        {"number": created["number"], "access_key": "XXXXX-XXXXX"},
        content_type="application/json",
    )
    assert wrong.status_code == 404 and wrong.json()["code"] == "complaint_not_found"
    assert "status" not in wrong.json()
    right = client.post(
        url,
        {"number": created["number"], "access_key": created["access_key"]},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert right.status_code == 200
    assert right.json()["status"] == "received" and right.json()["due_on"] == created["due_on"]
    assert "access_key" not in right.json()


def test_look_ups_are_rate_limited_per_address(
    client: Client, jakarta_office: Any, settings: Any
) -> None:
    settings.GILIRAN_RATE_LOOKUP_PER_IP = "2/h"
    filed = file(jakarta_office)
    body = {"number": filed.complaint.number, "access_key": "WRONG"}
    for _ in range(2):
        client.post(_url(), body)
    limited = client.post(
        "/api/v1/complaints/status/",
        {"number": filed.complaint.number, "access_key": filed.access_key},
        content_type="application/json",
    )
    assert limited.status_code == 429 and limited.json()["code"] == "rate_limited"
