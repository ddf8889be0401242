"""Bodies the API refuses, in its own error shape: too large (413), nested too deeply or
not JSON (400). Never a RecursionError or Django's bare HTML 400 (issue 10, findings 6, 11)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

HOLDS = "/api/v1/holds/"


@pytest.fixture
def api() -> Client:
    return Client(raise_request_exception=False)


def _is_error_shape(response: Any, code: str) -> None:
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == code


def test_a_hundred_thousand_brackets_is_a_json_error_not_a_recursion_error(
    api: Client, settings: Any
) -> None:
    response = api.post(HOLDS, "[" * 100_000, content_type="application/json")
    assert response.status_code == 413  # past the default 64 KiB
    _is_error_shape(response, "too_large")
    settings.GILIRAN_API_MAX_BODY_BYTES = 200_000  # let the parser meet the recursion
    response = api.post(HOLDS, "[" * 100_000, content_type="application/json")
    assert response.status_code == 400
    _is_error_shape(response, "too_deep")


def test_json_nested_deeper_than_the_limit_is_refused(api: Client, settings: Any) -> None:
    settings.GILIRAN_API_MAX_JSON_DEPTH = 5
    deep = '{"a": ' * 6 + "1" + "}" * 6
    response = api.post(HOLDS, deep, content_type="application/json")
    assert response.status_code == 400
    _is_error_shape(response, "too_deep")
    shallow = '{"a": ' * 4 + "1" + "}" * 4
    assert api.post(HOLDS, shallow, content_type="application/json").json()["code"] != "too_deep"


def test_a_twenty_megabyte_body_is_a_json_413(api: Client) -> None:
    body = '{"full_name": "' + "x" * (20 * 1024 * 1024) + '"}'
    response = api.post(HOLDS, body, content_type="application/json")
    assert response.status_code == 413
    _is_error_shape(response, "too_large")


def test_a_body_just_over_the_limit_is_refused_in_indonesian(api: Client, settings: Any) -> None:
    settings.GILIRAN_API_MAX_BODY_BYTES = 100
    body = '{"full_name": "' + "x" * 100 + '"}'
    response = api.post(HOLDS, body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["message"] == "Isi permintaan terlalu besar."


def test_a_large_form_body_is_a_json_413_too(api: Client) -> None:
    body = "full_name=" + "x" * (3 * 1024 * 1024)
    response = api.post(HOLDS, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    _is_error_shape(response, "too_large")


def test_broken_json_is_a_json_400(api: Client) -> None:
    response = api.post(HOLDS, '{"slot": ', content_type="application/json")
    assert response.status_code == 400
    _is_error_shape(response, "parse_error")


def test_a_page_post_past_djangos_limit_gets_a_translated_page(api: Client) -> None:
    body = "nama=" + "x" * (3 * 1024 * 1024)
    response = api.post("/pesanan/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert "Isi permintaan terlalu besar." in response.content.decode()


def test_the_schema_types_the_day_as_a_date_and_documents_413(api: Client) -> None:
    schema = api.get("/api/schema/", {"format": "json"}).json()
    day = schema["paths"]["/api/v1/offices/{office}/services/{service}/availability/{day}/"]["get"]
    (parameter,) = [p for p in day["parameters"] if p["name"] == "day"]
    assert parameter["schema"] == {"type": "string", "format": "date"}
    assert "400" in day["responses"]
    assert "413" in schema["paths"]["/api/v1/holds/"]["post"]["responses"]
    assert (
        "multipart/form-data"
        not in schema["paths"]["/api/v1/holds/"]["post"]["requestBody"]["content"]
    )
