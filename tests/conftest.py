from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import caches
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from config.celery import app as celery_app
from config.folders import ensure_var_folders
from tests import services
from tests.factories import (
    CounterFactory,
    OfficeFactory,
    OfficeServiceFactory,
    ServiceFactory,
    StaffFactory,
    UserFactory,
)


def pytest_configure(config: pytest.Config) -> None:
    # The SQLite test database and the static files folder live under GILIRAN_VAR_DIR,
    # which importing the settings no longer creates.
    ensure_var_folders()


def pytest_report_header(config: pytest.Config) -> list[str]:
    lines = []
    for name in ("redis", "browser"):
        reason = services.CHECKS[name]()
        lines.append(f"giliran {name}: {'available' if reason is None else reason}")
    lines.append(f"giliran require services: {services.REQUIRE_SERVICES}")
    return lines


def pytest_runtest_setup(item: pytest.Item) -> None:
    for name, check in services.CHECKS.items():
        if item.get_closest_marker(name) is None:
            continue
        reason = check()
        if reason is None:
            continue
        if services.REQUIRE_SERVICES:
            pytest.fail(f"GILIRAN_REQUIRE_SERVICES=1 but this test {reason}", pytrace=False)
        pytest.skip(reason)


def room_stores_forget(redis_url: str) -> None:
    from releases import store

    store._local.forget()
    if redis_url:
        client = store._redis(redis_url)
        keys = list(client.scan_iter("wr:*", count=1000))
        if keys:
            client.delete(*keys)


@pytest.fixture(autouse=True)
def _test_settings(settings: Any) -> Iterator[None]:
    # Plain static storage (no collectstatic manifest), fast hashing, and a private cache
    # per test; tests that need Redis configure it themselves.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "default",
        },
        "ratelimit": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "ratelimit",
        },
    }
    settings.RATELIMIT_USE_CACHE = "ratelimit"
    # LocMemCache keeps its data per LOCATION for the whole process: start empty, so
    # counters (rate limits, challenges, message budgets) of one test do not leak.
    for name in ("default", "ratelimit"):
        caches[name].clear()
    # Release waiting rooms start empty too (releases/store.py), and no rush of holds
    # opens one unless a test asks for it: the capacity races send hundreds at once.
    settings.GILIRAN_WAITING_ROOM_TRIGGER_PER_MINUTE = 0
    room_stores_forget(settings.REDIS_URL)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SECURE_SSL_REDIRECT = False
    # Tasks sent after a commit run in the test's own process; the tests that need a
    # real worker process and broker start them (tests/processes.py).
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    # A request leaves its language active in the thread; start every test in the
    # default language so reverse() and gettext do not depend on the previous test.
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture
def latest_schema_restored() -> Iterator[None]:
    """For tests that migrate the database back: afterwards, pass or fail, every app is
    migrated forward again, so the tests that follow (and the flush between them) find
    the latest schema. Migrating one app back also unapplies what depends on it in other
    apps (notifications 0008 takes booking 0011 and offices 0002-0003 with it)."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


# --- Signed-in staff ----------------------------------------------------------------


@pytest.fixture(autouse=True)
def _force_login_passes_two_factor(monkeypatch: pytest.MonkeyPatch) -> None:
    """The one place that makes test sign-ins verified: `client.force_login(user)` (and
    the browser's sign_in fixture, which uses it) gives a session that has passed its
    second factor, as if the user had typed a recovery code. Tests of the second factor
    itself sign in through the form or with tests.signin.sign_in_without_second_factor."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice

    original = Client.force_login

    def force_login(self: Client, user: Any, backend: str | None = None) -> None:
        original(self, user, backend)
        device, _ = StaticDevice.objects.get_or_create(user=user, name="test-session")
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


# --- Named places -------------------------------------------------------------------


@pytest.fixture
def passport_service(db: None) -> Any:
    return ServiceFactory.create(
        code="paspor-baru", name_id="Paspor baru", name_en="New passport", ticket_letter="A"
    )


@pytest.fixture
def jakarta_office(passport_service: Any) -> Any:
    office = OfficeFactory.create(
        code="kanim-jakarta",
        name="Kantor Imigrasi Jakarta Pusat",
        province="DKI Jakarta",
        regency="Kota Jakarta Pusat",
        timezone="Asia/Jakarta",
    )
    OfficeServiceFactory.create(office=office, service=passport_service, ticket_letter="A")
    CounterFactory.create(office=office, number=1, services=[passport_service])
    return office


@pytest.fixture
def denpasar_office(passport_service: Any) -> Any:
    office = OfficeFactory.create(
        code="mpp-denpasar",
        name="Mal Pelayanan Publik Denpasar",
        province="Bali",
        regency="Kota Denpasar",
        timezone="Asia/Makassar",
    )
    OfficeServiceFactory.create(office=office, service=passport_service, ticket_letter="A")
    return office


# --- Named people -------------------------------------------------------------------


@pytest.fixture
def counter_clerk(jakarta_office: Any) -> Any:
    return StaffFactory(username="dewi", office=jakarta_office, role="clerk")


@pytest.fixture
def supervisor(jakarta_office: Any) -> Any:
    return StaffFactory(username="bambang", office=jakarta_office, role="supervisor")


@pytest.fixture
def office_admin(jakarta_office: Any) -> Any:
    return StaffFactory(username="rina", office=jakarta_office, role="administrator", is_staff=True)


@pytest.fixture
def supervisor_of_another_office(denpasar_office: Any) -> Any:
    return StaffFactory(username="made", office=denpasar_office, role="supervisor")


@pytest.fixture
def national_admin(db: None) -> Any:
    return UserFactory.create(username="nasional", is_staff=True, is_superuser=True)
