"""Imports point one way: core <- offices <- the apps that book, queue and plan; the demo
loader sits on top and nothing imports it."""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
OUR_APPS = {
    "config",
    "core",
    "offices",
    "booking",
    "queueing",
    "scheduling",
    "notifications",
    "privacy",
    "audit",
    "twofactor",
    "demo",
}


def _imported_apps(folder: str) -> dict[str, set[str]]:
    """Our top-level packages each module under `folder` imports, by module path."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / folder).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
            elif isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
        found[str(path.relative_to(ROOT))] = names & OUR_APPS
    return found


def test_offices_imports_only_core() -> None:
    wrong = {
        module: apps - {"core", "offices"}
        for module, apps in _imported_apps("offices").items()
        if apps - {"core", "offices"}
    }
    assert wrong == {}


def test_core_imports_no_app() -> None:
    wrong = {module: apps - {"core"} for module, apps in _imported_apps("core").items()}
    assert {module: apps for module, apps in wrong.items() if apps} == {}


def test_nothing_but_the_demo_imports_the_demo() -> None:
    importers = [
        module
        for app in OUR_APPS - {"demo"}
        for module, apps in _imported_apps(app).items()
        if "demo" in apps
    ]
    assert importers == []


def test_booking_urls_leave_other_apps_pages_to_them() -> None:
    imported = _imported_apps("booking")["booking/urls.py"]
    assert imported & {"queueing", "scheduling", "notifications", "offices"} == set()
