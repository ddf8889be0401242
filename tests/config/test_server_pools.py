"""The two server pools (config/server_pools.py): every staff URL, in every language,
is under a staff prefix and no citizen page is; the proxy's configuration is generated
from those prefixes and compose.yaml runs both pools behind it; a process of one pool
answers 421 for the other pool's paths."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import translation
from rest_framework.permissions import IsAuthenticated

from config.server_pools import (
    STAFF_PATH_PREFIXES,
    Pool,
    is_staff_path,
    nginx_config,
    pool_of,
    staff_path_prefixes,
)

ROOT = Path(settings.BASE_DIR)
# Namespaces whose every page is for signed-in staff: the staff pages of every app,
# the second factor, passkeys, the audit log and the admin.
STAFF_NAMESPACES = {"staff", "twofactor", "otp_webauthn", "audit", "admin"}
CONVERTER = re.compile(r"<(?:(\w+):)?\w+>")


def _sample(route: str) -> str:
    """A path the route matches: `kantor/<slug:office_code>/` -> `/kantor/x/`."""
    return "/" + CONVERTER.sub(lambda m: "1" if m.group(1) == "int" else "x", route)


def _is_staff_view(pattern: URLPattern, namespaces: tuple[str, ...]) -> bool:
    """Staff by what the view is, not by its address: a staff namespace, a staff views
    module (privacy's request queue), or an API view that requires a signed-in user."""
    view = getattr(pattern.callback, "view_class", None) or getattr(pattern.callback, "cls", None)
    module = (view or pattern.callback).__module__
    signed_in = IsAuthenticated in getattr(view, "permission_classes", [])
    return bool(set(namespaces) & STAFF_NAMESPACES) or module.endswith("staff_views") or signed_in


def _patterns(
    patterns: list[Any], prefix: str = "", namespaces: tuple[str, ...] = ()
) -> Iterator[tuple[str, bool]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = (*namespaces, pattern.namespace) if pattern.namespace else namespaces
            yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        else:
            yield _sample(prefix + str(pattern.pattern)), _is_staff_view(pattern, namespaces)


def _every_path() -> list[tuple[str, bool]]:
    found = []
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            found += list(_patterns(get_resolver().url_patterns))
    return found


def test_every_staff_url_in_every_language_is_under_a_staff_prefix() -> None:
    staff = [path for path, is_staff in _every_path() if is_staff]
    assert len(staff) > 50  # the staff pages, the admin, the counter API in both languages
    assert [path for path in staff if not is_staff_path(path)] == []
    assert "/api/v1/counters/1/x/" in staff and "/en/staf/loket/1/" in staff


def test_no_citizen_url_is_under_a_staff_prefix() -> None:
    citizen = [path for path, is_staff in _every_path() if not is_staff]
    assert "/api/v1/holds/" in citizen and "/en/kantor/x/layanan/x/" in citizen
    assert [path for path in citizen if is_staff_path(path)] == []


def test_the_bench_finds_call_next_in_the_staff_pool() -> None:
    assert staff_path_prefixes() == STAFF_PATH_PREFIXES
    assert pool_of("/api/v1/counters/3/next/") == Pool.STAFF
    assert pool_of("/api/v1/holds/") == Pool.CITIZEN
    assert pool_of("/static/css/giliran.css") == pool_of("/healthz/") == Pool.ALL


# --- The proxy and compose ----------------------------------------------------------------


def test_the_committed_nginx_config_is_generated_from_the_prefixes() -> None:
    committed = (ROOT / "docker" / "nginx.conf").read_text()
    assert committed == nginx_config(), "docker/nginx.conf is out of date: make nginx-conf"


def test_the_proxy_sends_each_staff_prefix_to_the_staff_pool_and_the_rest_to_citizens() -> None:
    routes = dict(
        re.findall(
            r"location \^~ (\S+) \{[^}]*?proxy_pass http://(\w+);",
            (ROOT / "docker" / "nginx.conf").read_text(),
        )
    )
    assert {prefix for prefix, pool in routes.items() if pool == "staff_pool"} == set(
        STAFF_PATH_PREFIXES
    )
    assert routes["/"] == routes["/static/"] == "citizen_pool"


def _compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_compose_runs_two_gunicorn_pools_behind_the_proxy() -> None:
    services = _compose()["services"]
    web, staff, proxy = services["web"], services["staff"], services["proxy"]
    assert web["environment"]["GILIRAN_SERVER_POOL"] == "citizen"
    assert staff["environment"]["GILIRAN_SERVER_POOL"] == "staff"
    # One image, the Dockerfile's gunicorn command, each pool its own workers.
    assert web["image"] == staff["image"] == "giliran:local"
    assert "command" not in web and "command" not in staff
    assert web["environment"]["WEB_CONCURRENCY"] != staff["environment"]["WEB_CONCURRENCY"]
    assert "./docker/nginx.conf:/etc/nginx/nginx.conf:ro" in proxy["volumes"]
    # Only the proxy is reachable from outside; it is the one trusted proxy.
    published = [name for name, service in services.items() if service.get("ports")]
    assert published == ["proxy"]
    assert web["environment"]["GILIRAN_TRUSTED_PROXY_COUNT"].startswith("${GILIRAN_TRUSTED")
    assert "server web:8000;" in nginx_config() and "server staff:8000;" in nginx_config()


def test_the_development_procfile_keeps_one_runserver_for_both_pools() -> None:
    procfile = (ROOT / "Procfile.dev").read_text()
    assert "web: python manage.py runserver" in procfile
    assert "GILIRAN_SERVER_POOL" not in procfile.split("web:", 1)[1].splitlines()[0]


# --- The pool guard -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_staff_pool_answers_421_for_citizen_paths(client: Client, settings: Any) -> None:
    settings.GILIRAN_SERVER_POOL = "staff"
    assert client.get("/staf/masuk/").status_code == 200
    assert client.get("/en/staf/masuk/").status_code == 200
    page = client.get("/")
    assert page.status_code == 421
    assert "dilayani server lain" in page.content.decode()
    api = client.get("/api/v1/offices/", headers={"Accept-Language": "en"})
    assert api.status_code == 421
    assert api.json() == {
        "code": "wrong_server_pool",
        "message": "This address is served by other servers. Please try again in a moment.",
        "fields": {},
    }
    assert client.get("/healthz/").status_code == 200  # both pools answer health


@pytest.mark.django_db
def test_a_citizen_pool_answers_421_for_staff_paths(client: Client, settings: Any) -> None:
    settings.GILIRAN_SERVER_POOL = "citizen"
    assert client.get("/").status_code == 200
    assert client.get("/staf/masuk/").status_code == 421
    english = client.get("/en/staf/masuk/")
    assert english.status_code == 421
    assert "served by other servers" in english.content.decode()
    assert client.get("/admin/login/").status_code == 421
    assert client.post("/api/v1/counters/1/next/").status_code == 421
    assert client.get("/healthz/").status_code == 200


@pytest.mark.django_db
def test_the_default_pool_answers_everything(client: Client) -> None:
    assert settings.GILIRAN_SERVER_POOL == "all"
    assert client.get("/").status_code == 200
    assert client.get("/staf/masuk/").status_code == 200


def test_an_unknown_pool_stops_the_settings_from_loading() -> None:
    env = {**os.environ, "GILIRAN_SERVER_POOL": "kasir"}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "GILIRAN_SERVER_POOL must be all, staff or citizen." in result.stderr
