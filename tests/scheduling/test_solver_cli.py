"""python -m scheduling.solver: the example solves; bad input exits 2 naming the field,
without a traceback. The JSON Schema files agree with load_instance's checks."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from scheduling.solver import InstanceError, Solution, load_instance, validate
from scheduling.solver.__main__ import main

SOLVER = Path(__file__).resolve().parents[2] / "scheduling/solver"
EXAMPLE = SOLVER / "examples/office_day.json"


def _schema(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((SOLVER / name).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _example() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EXAMPLE.read_text())
    return data


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scheduling.solver", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_the_example_solves_to_valid_json_that_follows_the_schema() -> None:
    done = _run(str(EXAMPLE))
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    _schema("solution.schema.json").validate(data)
    assert data["status"] in {"OPTIMAL", "FEASIBLE"}
    assert validate(load_instance(_example()), Solution.from_dict(data)) == []


def test_the_greedy_flag_plans_without_cp_sat(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(EXAMPLE), "--greedy"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["bounds"]["cp_sat"] is None
    assert data["reason"].startswith("greedy plan")


def test_a_file_that_is_not_json_exits_2_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "day.json"
    path.write_text('{"version": 1, "blocks": [')
    done = _run(str(path))
    assert done.returncode == 2
    assert "not JSON" in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


def test_a_missing_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main([str(tmp_path / "nowhere.json")]) == 2
    assert "cannot read the file" in capsys.readouterr().err


def test_a_series_of_the_wrong_length_exits_2_naming_the_field(tmp_path: Path) -> None:
    data = _example()
    data["services"][1]["booked"].pop()
    path = tmp_path / "day.json"
    path.write_text(json.dumps(data))
    done = _run(str(path))
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "error: services[1].booked: expected 16 values (one per block), got 15"
    )


Mutation = Callable[[dict[str, Any]], None]


def _set(path: list[Any], value: Any) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


def _drop(path: list[Any]) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return mutate


# (mutation, the message load_instance gives, whether the JSON Schema alone catches it)
BROKEN: list[tuple[Mutation, str, bool]] = [
    (_set(["version"], 2), "version: must be 1, got 2", True),
    (_drop(["blocks"]), "instance: missing required field 'blocks'", True),
    (_set(["blocks", 3], "9.30"), "blocks[3]: expected a time as HH:MM, got '9.30'", True),
    (_set(["staffed", 0], -1), "staffed[0]: must be at least 0, got -1", True),
    (_set(["staffed", 0], 2.5), "staffed[0]: expected a whole number, got a number 2.5", True),
    (
        _set(["services", 0, "target_share"], 1.0),
        "services[0].target_share: must be below 1, got 1",
        True,
    ),
    (
        _set(["services", 2, "walk_in_forecast", 1], "many"),
        "services[2].walk_in_forecast[1]: expected a number, got a string 'many'",
        True,
    ),
    (_set(["services", 0, "colour"], "red"), "services[0]: unknown field 'colour'", True),
    (
        _set(["counters", 0, "id"], "A+B"),
        "counters[0].id: 'A+B' is not an id (letters, digits, '.', '_', '-')",
        True,
    ),
    (_set(["walk_in_reserve"], 1), "walk_in_reserve: must be below 1, got 1", True),
    (
        _set(["weights", "wait"], 0.5),
        "weights.wait: expected a whole number, got a number 0.5",
        True,
    ),
    (
        _set(["solver", "time_limit_seconds"], 0),
        "solver.time_limit_seconds: must be above 0, got 0",
        True,
    ),
    # Rules the schema cannot state:
    (
        _set(["services", 1, "booked"], [0] * 17),
        "services[1].booked: expected 16 values (one per block), got 17",
        False,
    ),
    (
        _set(["counters", 2, "skills"], ["paspor-ganti", "visa"]),
        "counters[2].skills[1]: unknown service 'visa'",
        False,
    ),
    (_set(["pools"], [["ktp-el-cetak", "sim"]]), "pools[0][1]: unknown service 'sim'", False),
    (_set(["staffed"], [0] * 16), "staffed: no block has staff: there is nothing to plan", False),
    (_set(["staffed", 1], 7), "staffed[1]: 7 staffed counters but only 6 counters", False),
    (
        _set(["counters", 3, "skills"], ["kartu-keluarga"]),
        "counters[3].skills: covers no service (a pool needs all of its services)",
        False,
    ),
    (
        _set(["counters", 3, "skills"], []),
        "counters[3].skills: is empty: the counter could serve nothing",
        False,
    ),
    (
        _set(["services", 0, "daily_quota_max"], 5),
        "services[0].daily_quota_max: 5 is below the 12 appointments already booked",
        False,
    ),
    (
        _set(["services", 1, "id"], "paspor-baru"),
        "services[1].id: 'paspor-baru' appears twice",
        False,
    ),
    (
        _set(["services", 2, "walk_in_forecast", 1], 100000),
        "services[2].walk_in_forecast[1]: 16667 counters' worth of walk-ins in one block "
        "(at most 500)",
        False,
    ),
]


@pytest.mark.parametrize(("mutate", "message", "schema_catches"), BROKEN)
def test_broken_instances_are_refused_with_the_field_named(
    mutate: Mutation, message: str, schema_catches: bool
) -> None:
    data = copy.deepcopy(_example())
    mutate(data)
    with pytest.raises(InstanceError) as caught:
        load_instance(data)
    assert str(caught.value) == message
    assert _schema("instance.schema.json").is_valid(data) is not schema_catches


def test_bad_input_through_main_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    data = _example()
    data["services"][0]["daily_quota_max"] = 5
    path = tmp_path / "day.json"
    path.write_text(json.dumps(data))
    assert main([str(path)]) == 2
    assert capsys.readouterr().err == (
        "error: services[0].daily_quota_max: 5 is below the 12 appointments already booked\n"
    )


def test_the_example_follows_the_instance_schema() -> None:
    _schema("instance.schema.json").validate(_example())
