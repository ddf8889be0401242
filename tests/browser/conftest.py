"""Playwright drives the system Chromium (a test tool cannot download its own browser
here) against pytest-django's live server."""

from __future__ import annotations

import os
from typing import Any

import pytest

from booking.services.demo import demo_load
from tests import services

# Playwright's sync API keeps an event loop in the test thread, so Django's guard against
# ORM calls from async code would misfire on the (synchronous) fixtures and database
# flushes around browser tests. It has to be set before the first of them runs.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": services.chromium_path(),
        "args": CHROMIUM_FLAGS,
    }


@pytest.fixture
def demo_country(transactional_db: None) -> None:
    demo_load(password="kata-sandi-uji-123")
