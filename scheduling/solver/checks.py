"""Small typed readers for parsed JSON: each checks one value and names its path when it
is wrong, so a bad instance is refused with `services[1].booked: …`, not a traceback."""

from __future__ import annotations

import math
from typing import Any


class InstanceError(ValueError):
    """The instance is not valid. `path` names the field (`services[1].booked`)."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def as_object(value: Any, path: str, allowed: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InstanceError(path, f"expected an object, got {_kind(value)}")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise InstanceError(path, f"unknown field {unknown[0]!r}")
    return value


def at(obj: dict[str, Any], key: str, path: str) -> Any:
    if key not in obj:
        raise InstanceError(path, f"missing required field {key!r}")
    return obj[key]


def as_list(value: Any, path: str, *, min_items: int = 0) -> list[Any]:
    if not isinstance(value, list):
        raise InstanceError(path, f"expected an array, got {_kind(value)}")
    if len(value) < min_items:
        raise InstanceError(path, f"expected at least {min_items} item(s), got {len(value)}")
    return value


def text(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value:
        raise InstanceError(path, f"expected a non-empty string, got {_kind(value)}")
    return value


def integer(value: Any, path: str, *, minimum: int) -> int:
    # JSON has one number type; 3.0 is accepted as 3, as JSON Schema's "integer" does.
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InstanceError(path, f"expected a whole number, got {_kind(value)} {value!r}")
    if value < minimum:
        raise InstanceError(path, f"must be at least {minimum}, got {value}")
    return value


def number(value: Any, path: str, *, minimum: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InstanceError(path, f"expected a number, got {_kind(value)} {value!r}")
    if not math.isfinite(value):
        raise InstanceError(path, f"expected a finite number, got {value!r}")
    if value < minimum:
        raise InstanceError(path, f"must be at least {minimum:g}, got {value:g}")
    return float(value)
