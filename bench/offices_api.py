"""Benchmark: the public office list, GET /api/v1/offices/, against the bare Django view.

    .venv/bin/python bench/offices_api.py            # full run, rewrites its docs section
    .venv/bin/python bench/offices_api.py --quick    # smoke run, leaves the docs alone

bench/harness.py does the work; --help lists the parameters.
"""

from __future__ import annotations

import sys
from typing import Any

import harness

OFFICES_PATH = "/api/v1/offices/"


def check_offices(body: Any) -> str:
    """The list must hold demo offices with their services, or the benchmark measures an
    empty page: a misloaded database would look like a fast API."""
    offices = body.get("results") if isinstance(body, dict) else None
    if not offices:
        raise SystemExit(f"bench: {OFFICES_PATH} returned no offices: {str(body)[:300]}")
    services = sum(len(office.get("services", [])) for office in offices)
    if not services:
        raise SystemExit(f"bench: {OFFICES_PATH} returned offices without services")
    return f"200, {body.get('count')} offices, {len(offices)} on the page, {services} services"


BENCHMARK = harness.EndpointBenchmark(
    name="offices_api",
    title="Office list API",
    about=f"""
`GET {OFFICES_PATH}` with no filter, as the booking page's office picker and API clients
call it: every active demo office with the services it offers (one page, the API's
default page size of 50), rendered in Bahasa Indonesia (no `Accept-Language`), anonymous.
The baseline `/bench/hello/` goes through the same middleware but does no database work,
so the ratio shows what the list itself costs. `make bench` runs this benchmark with its
defaults.
""",
    target=harness.Endpoint("offices", OFFICES_PATH, check=check_offices),
)


if __name__ == "__main__":
    sys.exit(harness.main(BENCHMARK))
