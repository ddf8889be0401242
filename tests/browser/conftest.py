"""Playwright drives the system Chromium (a test tool cannot download its own browser
here) against pytest-django's live server."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize

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


PHONE: ViewportSize = {"width": 390, "height": 844}


@pytest.fixture
def new_phone_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """Open a page in a fresh phone-sized (390×844, touch) browser context; pass
    java_script_enabled=False for a browser without JavaScript. Contexts close afterwards."""
    contexts: list[BrowserContext] = []

    def open_page(*, java_script_enabled: bool = True) -> Page:
        context = browser.new_context(
            viewport=PHONE,
            is_mobile=True,
            has_touch=True,
            java_script_enabled=java_script_enabled,
            accept_downloads=True,
        )
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
