"""Figures and words: medians, percentiles, the machine, tables and the docs writer."""

from __future__ import annotations

import contextlib
import math
import os
import platform
import statistics
from collections.abc import Iterable, Sequence
from importlib import metadata
from pathlib import Path

DOCS_FILE = Path(__file__).resolve().parents[2] / "docs" / "benchmarks.md"


def median(values: Iterable[float | None], digits: int = 3) -> float | None:
    """The median of the values present; None when every round missed the figure."""
    present = [v for v in values if v is not None]
    return round(statistics.median(present), digits) if present else None


def percentile(values: Sequence[float], q: float, digits: int = 2) -> float | None:
    """Nearest rank: the value at least q % of the values are at or under."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)], digits)


def ratio(part: float | None, whole: float | None, digits: int = 3) -> float | None:
    return round(part / whole, digits) if part is not None and whole else None


def num(value: float | None, unit: str = "", digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}{unit}"


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    memory = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
    return (
        f"{len(os.sched_getaffinity(0))} CPUs (nproc), {cpu}, {memory}, "
        f"Linux {platform.release()}, Python {platform.python_version()}"
    )


def versions(*packages: str) -> str:
    return ", ".join(f"{name} {metadata.version(name)}" for name in packages)


def replace_docs_section(name: str, body: str) -> None:
    """Rewrite only this benchmark's section, between its markers, keeping the rest."""
    start, end = f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"
    section = f"{start}\n{body.strip()}\n{end}"
    text = DOCS_FILE.read_text()
    if start in text and end in text:
        before, rest = text.split(start, 1)
        text = before + section + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    DOCS_FILE.write_text(text)


def section(title: str, doc: str, command: str, *parts: str) -> str:
    """A docs section: the title, the scenario (the script's docstring without its
    usage lines), the command, then the run's own parts."""
    about = "\n\n".join(p for p in doc.strip().split("\n\n")[1:] if not p.startswith("    "))
    return "\n\n".join([f"## {title}", about, f"Command: `{command}`", *parts])
