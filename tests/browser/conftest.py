"""Playwright drives the system Chromium (a test tool cannot download its own browser
here) against pytest-django's live server."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize

from demo.services import demo_load
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


TABLET: ViewportSize = {"width": 1024, "height": 768}
DESKTOP: ViewportSize = {"width": 1440, "height": 900}
TV: ViewportSize = {"width": 1920, "height": 1080}


@pytest.fixture
def new_device_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """Open a page in a fresh browser context of the given viewport: a separate device with
    its own cookies (a kiosk tablet, a clerk's desktop, a TV board, a citizen's phone),
    set to the time zone it stands in if given. Viewports narrower than 600 px are phones,
    with touch. Contexts close afterwards."""
    contexts: list[BrowserContext] = []

    def open_page(viewport: ViewportSize, *, timezone_id: str | None = None) -> Page:
        phone = viewport["width"] < 600
        context = browser.new_context(
            viewport=viewport, is_mobile=phone, has_touch=phone, timezone_id=timezone_id
        )
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def sign_in(live_server: Any) -> Callable[[Page, Any], None]:
    """Sign a user in on a page's browser context with a fresh session cookie, skipping the
    sign-in form (tests of the form itself go through /staf/masuk/)."""
    from django.conf import settings
    from django.test import Client

    def sign(page: Page, user: Any) -> None:
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )

    return sign
