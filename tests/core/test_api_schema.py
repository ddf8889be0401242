"""Schemathesis drives every API operation from the project's own OpenAPI schema:
no server errors, and every response (errors included) matches what the schema says."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from booking.services.demo import demo_load
from config.wsgi import application

# Generating the schema reads only code, never the database, so it can load at import.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


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
    # Every check except "schema-valid data must be accepted": a schema cannot say that
    # a NIK's digits must hold a real birth date, or that a slot exists and has room, so
    # such requests are rightly refused with a documented 4xx. Schema-violating data
    # must still be rejected, and nothing may answer 5xx or off-schema.
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
