"""The apps are layers that point one way (docs/architecture.md, "Layers").

An app may import only from apps in lower layers: never from its own layer's other apps,
never upwards, and so never two ways. Imports inside functions count as much as those at
the top of a module, and a new app fails here until it is given its place. Migrations are
left out: they name other apps' models as strings and are history, not design. `config`
is the composition root (settings, URLs, Celery) and may import any app; an app's own URL
modules import no other app."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent

# Lowest first. Talking back up a layer goes through a registry the lower layer exposes
# and the higher app fills from its AppConfig.ready().
LAYERS: tuple[tuple[str, ...], ...] = (
    ("core",),
    ("offices",),
    ("notifications", "releases"),
    ("booking",),
    ("queueing", "ballots"),
    ("scheduling",),
    ("anticalo",),
    ("audit", "twofactor"),
    ("privacy",),
    ("complaints",),
    ("assistant",),
    ("insights",),
    ("demo",),
)
LAYER_OF = {app: level for level, apps in enumerate(LAYERS) for app in apps}


@dataclass(frozen=True)
class Import:
    source: str  # the importing file, relative to the repository
    line: int
    app: str  # the importing app
    target: str  # the app imported from


def project_apps() -> list[str]:
    """Installed apps that live in this repository."""
    return [name for name in settings.INSTALLED_APPS if (ROOT / name / "apps.py").is_file()]


def imported_modules(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        return [node.module]
    return []


def cross_app_imports(apps: list[str]) -> list[Import]:
    found = []
    for app in apps:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Import | ast.ImportFrom):
                    continue
                for module in imported_modules(node):
                    target = module.partition(".")[0]
                    if target in apps and target != app:
                        source = str(path.relative_to(ROOT))
                        found.append(Import(source, node.lineno, app, target))
    return found


def test_every_app_has_a_layer() -> None:
    unplaced = sorted(set(project_apps()) - set(LAYER_OF))
    assert unplaced == [], f"give these apps a layer in LAYERS: {unplaced}"
    gone = sorted(set(LAYER_OF) - set(project_apps()))
    assert gone == [], f"LAYERS names apps that are not installed: {gone}"


def test_imports_point_down() -> None:
    wrong = [
        f"{found.source}:{found.line}: {found.app} (layer {LAYER_OF[found.app]}) imports "
        f"{found.target} (layer {LAYER_OF[found.target]})"
        for found in cross_app_imports(project_apps())
        if LAYER_OF.get(found.target, -1) >= LAYER_OF.get(found.app, -1)
    ]
    assert wrong == [], "imports that do not point down a layer:\n" + "\n".join(wrong)


def test_no_two_apps_import_each_other() -> None:
    # Implied by the layers; said on its own so the failure names the pair.
    pairs = {(found.app, found.target) for found in cross_app_imports(project_apps())}
    both_ways = sorted({tuple(sorted(pair)) for pair in pairs if pair[::-1] in pairs})
    assert both_ways == [], f"apps that import each other: {both_ways}"


def test_each_app_mounts_only_its_own_pages() -> None:
    # config/urls.py composes the apps' URL lists (the one `staff:` namespace included);
    # an app's urls.py that imported another app's views would make it the hub again.
    wrong = [
        f"{found.source}:{found.line} imports {found.target}"
        for found in cross_app_imports(project_apps())
        if Path(found.source).name in {"urls.py", "api_urls.py"}
    ]
    assert wrong == [], "\n".join(wrong)


def test_the_check_sees_imports_inside_functions(tmp_path: Path) -> None:
    # The walker must not read only the top of a module: a lazy import is still a
    # dependency.
    source = "def later():\n    from booking.models import Booking\n    return Booking\n"
    tree = ast.parse(source)
    assert [m for node in ast.walk(tree) for m in imported_modules(node)] == ["booking.models"]
