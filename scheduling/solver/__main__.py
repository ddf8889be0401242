"""python -m scheduling.solver INSTANCE.json — print the solution as JSON.

No database, no Django. Exit status: 0 with a solution (whatever its status, which the
JSON says), 2 when the input is not a valid instance: unreadable, not JSON, or a field
that breaks the schema or the rules, named in the message.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scheduling.solver import InstanceError, greedy_plan, load_instance, solve

BAD_INPUT = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m scheduling.solver",
        description="Plan one office-day's counters (instance: "
        "scheduling/solver/instance.schema.json).",
    )
    parser.add_argument("instance", help="the instance JSON file, or - for standard input")
    parser.add_argument(
        "--greedy", action="store_true", help="the greedy plan only, without CP-SAT"
    )
    return parser


def _read(source: str) -> Any:
    try:
        raw = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InstanceError(source, f"cannot read the file ({error})") from None
    try:
        return json.loads(raw)
    except json.JSONDecodeError as error:
        raise InstanceError(
            source, f"not JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from None


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        instance = load_instance(_read(args.instance))
    except InstanceError as error:
        print(f"error: {error}", file=sys.stderr)
        return BAD_INPUT
    try:
        solution = greedy_plan(instance) if args.greedy else solve(instance)
    except InstanceError as error:  # a forecast Erlang C cannot size (load_instance bounds it)
        print(f"error: {error}", file=sys.stderr)
        return BAD_INPUT
    json.dump(solution.to_dict(), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
