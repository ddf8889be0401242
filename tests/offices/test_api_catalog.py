"""The read-only catalog API and the one error shape every endpoint uses."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_offices_list_with_services_and_zone(
    client: Client, jakarta_office: Any, denpasar_office: Any
) -> None:
    body = client.get("/api/v1/offices/").json()
    assert body["count"] == 2
    denpasar = next(o for o in body["results"] if o["code"] == denpasar_office.code)
    assert denpasar["zone"] == "WITA" and denpasar["timezone"] == "Asia/Makassar"
    assert denpasar["services"][0]["code"] == "paspor-baru"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "denpasar"}, ["mpp-denpasar"]),
        ({"province": "DKI Jakarta"}, ["kanim-jakarta"]),
        ({"timezone": "Asia/Makassar"}, ["mpp-denpasar"]),
        ({"service": "paspor-baru"}, ["kanim-jakarta", "mpp-denpasar"]),
        ({"service": "tidak-ada"}, []),
        ({"kind": "immigration"}, ["kanim-jakarta", "mpp-denpasar"]),
    ],
)
def test_office_filters(
    client: Client,
    jakarta_office: Any,
    denpasar_office: Any,
    params: dict[str, str],
    expected: list[str],
) -> None:
    body = client.get("/api/v1/offices/", params).json()
    assert sorted(o["code"] for o in body["results"]) == expected


def test_office_detail_has_hours_and_closed_days(client: Client, jakarta_office: Any) -> None:
    body = client.get(f"/api/v1/offices/{jakarta_office.code}/").json()
    assert [h["weekday"] for h in body["opening_hours"]] == [0, 1, 2, 3, 4]
    assert body["opening_hours"][4]["break_starts_at"] == "11:30:00"
    assert isinstance(body["closed_days"], list)


def test_services_are_localised_by_accept_language(client: Client, passport_service: Any) -> None:
    indonesian = client.get(f"/api/v1/services/{passport_service.code}/").json()
    english = client.get(
        f"/api/v1/services/{passport_service.code}/", headers={"Accept-Language": "en"}
    ).json()
    assert indonesian["name"] == "Paspor baru" and english["name"] == "New passport"
    assert english["requirements"] == ["Original e-KTP", "Family card"]
    assert english["requirements_id"] == ["KTP-el asli", "Kartu Keluarga"]


def test_service_filters(client: Client, jakarta_office: Any, passport_service: Any) -> None:
    assert client.get("/api/v1/services/", {"office": "kanim-jakarta"}).json()["count"] == 1
    assert client.get("/api/v1/services/", {"office": "tidak-ada"}).json()["count"] == 0
    assert client.get("/api/v1/services/", {"accepts": "walk_in"}).json()["count"] == 1


def test_unknown_code_is_a_translated_404(client: Client, db: None) -> None:
    response = client.get("/api/v1/offices/tidak-ada/")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Tidak ditemukan.", "fields": {}}
    english = client.get("/api/v1/services/nope/", headers={"Accept-Language": "en"})
    assert english.json()["message"] == "Not found."


def test_bad_filter_value_is_a_400_naming_the_field(client: Client, db: None) -> None:
    response = client.get(
        "/api/v1/offices/", {"timezone": "Europe/Berlin"}, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["message"] == "Some of the data sent is not valid."
    assert "timezone" in body["fields"]


def test_bad_pagination_is_a_400_not_a_500(client: Client, db: None) -> None:
    response = client.get("/api/v1/services/", {"limit": "-5", "offset": "abc"})
    assert response.status_code in (200, 400)


def test_unknown_api_path_is_json_404(client: Client, db: None) -> None:
    response = client.get("/api/v1/tidak-ada/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_writes_are_refused_with_the_error_shape(client: Client, passport_service: Any) -> None:
    response = client.post("/api/v1/services/", {"code": "x"})
    assert response.status_code in (403, 405)
    assert set(response.json()) == {"code", "message", "fields"}


def test_schema_and_docs_are_served_without_a_cdn(client: Client, db: None) -> None:
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    docs = client.get("/api/docs/").content.decode()
    assert "cdn" not in docs.lower()
    assert "/static/drf_spectacular_sidecar/" in docs
