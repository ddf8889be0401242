"""The labelled entity set (assistant/data/entities.tsv) and its deterministic evaluation:
exact match per entity type and per message. The test suite and bench/assistant_entities.py
both read it through here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from assistant.understanding.entities import Catalog, Entities, entities_in

ENTITY_SET = Path(__file__).resolve().parent.parent / "data" / "entities.tsv"
KINDS = ("office", "service", "date", "time", "booking", "ticket", "complaint", "nik")

Labels = dict[str, frozenset[str]]


@dataclass(frozen=True)
class Example:
    text: str
    expected: Labels


@dataclass
class Evaluation:
    rows: int = 0
    exact_rows: int = 0
    # kind: [rows where it was right, rows where it was expected or found]
    per_kind: dict[str, list[int]] = field(default_factory=lambda: {k: [0, 0] for k in KINDS})
    misses: list[tuple[str, Labels, Labels]] = field(default_factory=list)

    @property
    def overall(self) -> float:
        return self.exact_rows / self.rows if self.rows else 0.0

    def rate(self, kind: str) -> float | None:
        right, seen = self.per_kind[kind]
        return right / seen if seen else None


def parse_labels(cell: str) -> Labels:
    labels: Labels = {}
    if cell.strip() == "-":
        return labels
    for part in cell.split(";"):
        kind, _, values = part.strip().partition("=")
        if kind not in KINDS or not values:
            raise ValueError(f"bad label {part!r}")
        labels[kind] = frozenset(v.strip() for v in values.split("|"))
    return labels


def load_entity_set(path: Path = ENTITY_SET) -> tuple[datetime, list[Example]]:
    """The moment the set is read at (its `# now:` line) and its examples."""
    now: datetime | None = None
    examples: list[Example] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("# now:"):
            now = datetime.fromisoformat(line.removeprefix("# now:").strip())
        if not line.strip() or line.startswith("#"):
            continue
        text, tab, cell = line.partition("\t")
        if not tab:
            raise ValueError(f"{path.name}:{number}: no tab")
        examples.append(Example(text, parse_labels(cell)))
    if now is None:
        raise ValueError(f"{path.name}: no '# now:' line")
    return now, examples


def labels_of(entities: Entities) -> Labels:
    """What was found, in the set's notation."""
    found = {
        "office": {m.office.code for m in entities.offices},
        "service": {m.service.code for m in entities.services},
        "date": {
            (f"week:{d.day:%Y-%m-%d}" if d.precision == "week" else f"{d.day:%Y-%m-%d}")
            for d in entities.dates
        },
        "time": {f"{t:%H:%M}" for t in entities.times},
        "booking": set(entities.booking_codes),
        "ticket": set(entities.tickets),
        "complaint": set(entities.complaints),
        "nik": {n.last4 + ("" if n.valid else "!") for n in entities.niks},
    }
    return {kind: frozenset(values) for kind, values in found.items() if values}


def evaluate(examples: Sequence[Example], *, now: datetime, catalog: Catalog) -> Evaluation:
    result = Evaluation()
    for example in examples:
        found = labels_of(entities_in(example.text, now=now, catalog=catalog))
        result.rows += 1
        right = True
        for kind in KINDS:
            expected, got = example.expected.get(kind, frozenset()), found.get(kind, frozenset())
            if not expected and not got:
                continue
            result.per_kind[kind][1] += 1
            if expected == got:
                result.per_kind[kind][0] += 1
            else:
                right = False
        if right:
            result.exact_rows += 1
        else:
            result.misses.append((example.text, example.expected, found))
    return result
