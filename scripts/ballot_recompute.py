"""Recompute a ballot's draw from its published JSON and say whether it matches.

    python scripts/ballot_recompute.py undian-12.json

Needs only Python 3.11+ and OR-Tools (`pip install ortools==<the version the JSON
names>`): no Django, no database. It runs ballots/draw.py, the same module the draw
used, found beside this script or in ../ballots/. Exit status 0 when the published
allocation is the one the revealed seed gives (docs/ballots.md)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _draw_module() -> object:
    for candidate in (HERE / "draw.py", HERE.parent / "ballots" / "draw.py"):
        if candidate.is_file():
            spec = importlib.util.spec_from_file_location("ballot_draw", candidate)
            assert spec is not None and spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            sys.modules["ballot_draw"] = module  # dataclasses look their module up
            spec.loader.exec_module(module)
            return module
    raise SystemExit("draw.py not found beside this script or in ../ballots/")


if __name__ == "__main__":
    sys.exit(_draw_module().main(sys.argv[1:]))  # type: ignore[attr-defined]
