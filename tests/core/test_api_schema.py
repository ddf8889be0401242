"""Schemathesis drives every API operation from the project's own OpenAPI schema:
no server errors, and every response (errors included) matches what the schema says."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from config.wsgi import application
from demo.services import demo_load

# All checks run, "schema-valid data must be accepted" included. A schema cannot say
# everything the server checks, so that check accepts the refusals the API documents
# for well-formed requests, and nothing else:
#   404 an office, service, slot, booking or token that does not exist (or is not yours),
#   409 full, already booked, already checked in, not changeable any more,
#   410 a hold that has expired, 422 a wrong one-time code or a reused Idempotency-Key,
#   429 rate limited, 401/403 staff operations without a signed-in member of staff.
# Only the two operations that take a citizen's details may also answer 400: a NIK's
# birth date must be a real date in the past, a contact must suit the chosen channel
# (a phone for WhatsApp or SMS) and be a reachable Indonesian mobile number or email.
# Every other schema-valid request must be accepted; schema-invalid ones still rejected.
BUSINESS_REFUSALS = ["2xx", "3xx", "401", "403", "404", "409", "410", "422", "429"]
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {"positive_data_acceptance": {"expected-statuses": BUSINESS_REFUSALS}},
        "operations": [
            {
                "include-path": path,
                "include-method": "POST",
                "checks": {
                    "positive_data_acceptance": {"expected-statuses": [*BUSINESS_REFUSALS, "400"]}
                },
            }
            for path in ("/api/v1/holds/", "/api/v1/waitlist/")
        ],
    }
)
# Generating the schema reads only code, never the database, so it can load at import.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application, config=CONFIG)


@pytest.fixture
def demo_country(db: None) -> Iterator[None]:
    demo_load(password="kata-sandi-uji-123")
    # Calling the WSGI app directly fires request_started/finished, whose
    # close_old_connections would close the test's transaction; Django's own test
    # client disconnects it in the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_operation_conforms_to_its_schema(case: Any, demo_country: None) -> None:
    # Every check (see CONFIG): no 5xx, nothing off-schema, schema-invalid data
    # rejected, schema-valid data accepted or refused only as documented.
    assert not django_settings.DEBUG  # errors as production serves them
    case.call_and_validate()


def _schema() -> dict[str, Any]:
    from django.test import Client

    return dict(Client().get("/api/schema/?format=json").json())


def test_the_schema_says_what_a_nik_is_and_the_server_agrees(db: None) -> None:
    import re

    from core.errors import ApplicationError
    from core.nik import normalize_nik

    components = _schema()["components"]["schemas"]
    patterns = {
        components[name]["properties"]["nik"].get("pattern")
        for name in ("HoldRequestRequest", "WaitlistJoinRequest")
    }
    assert len(patterns) == 1 and None not in patterns
    pattern = re.compile(str(patterns.pop()))
    for nik in ("3171014501937465", "9601017112990001"):
        assert pattern.fullmatch(nik) and normalize_nik(nik) == nik
    for wrong in (
        "0171014501937465",
        "3171013201937465",
        "3171014513937465",
        "3171014501930000",
        "317101450193746",
    ):
        assert not pattern.fullmatch(wrong)
        with pytest.raises(ApplicationError):
            normalize_nik(wrong)


def test_every_operation_that_takes_an_idempotency_key_says_its_length(db: None) -> None:
    found = []
    for path, operations in _schema()["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["name"] == "Idempotency-Key":
                    assert parameter["in"] == "header" and parameter["schema"]["maxLength"] == 100
                    found.append(path)
    assert "/api/v1/holds/" in found and "/api/v1/waitlist/" in found and len(found) == 5


def test_office_times_are_declared_as_they_are_served(demo_country: None) -> None:
    import re

    from django.test import Client

    hours = _schema()["components"]["schemas"]["OpeningHours"]["properties"]
    assert all(hours[name].get("format") != "time" for name in ("opens_at", "closes_at"))
    pattern = re.compile(hours["opens_at"]["pattern"])
    office = Client().get("/api/v1/offices/").json()["results"][0]["code"]
    served = Client().get(f"/api/v1/offices/{office}/").json()["opening_hours"][0]["opens_at"]
    assert pattern.fullmatch(served)
