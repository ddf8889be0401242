"""`manage.py plan_capacity` plans from the database and exports the instance it built,
which the solver's command line then solves with no database at all."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from scheduling.models import DayPlan, PlanStatus
from scheduling.services import default_plan_extend

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_plans_days_and_exports_an_instance_the_solver_cli_solves(
    jakarta_office: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    default_plan_extend(office=jakarta_office, first=date(2026, 12, 1), last=date(2026, 12, 31))
    export = tmp_path / "day.json"
    call_command(
        "plan_capacity", office="kanim-jakarta", date="2026-12-02", days=2, export=str(export)
    )
    out = capsys.readouterr().out
    assert "kanim-jakarta 2026-12-02: Direncanakan" in out and "kanim-jakarta 2026-12-03: " in out
    assert set(DayPlan.objects.values_list("status", flat=True)) == {PlanStatus.PLANNED}
    days = json.loads(export.read_text())
    assert [d["name"] for d in days] == ["kanim-jakarta 2026-12-02", "kanim-jakarta 2026-12-03"]
    single = tmp_path / "one.json"
    single.write_text(json.dumps(days[0]))
    solved = subprocess.run(
        [sys.executable, "-m", "scheduling.solver", str(single)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert solved.returncode == 0, solved.stderr
    assert json.loads(solved.stdout)["status"] in ("OPTIMAL", "FEASIBLE")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"office": "nowhere", "date": "2026-12-02"}, "--office: no office has the code 'nowhere'"),
        ({"office": "kanim-jakarta", "date": "2 Desember"}, "--date: expected YYYY-MM-DD"),
        ({"office": "kanim-jakarta", "date": "2026-12-02", "days": 0}, "--days"),
    ],
)
def test_bad_arguments_are_named(
    jakarta_office: Any, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("plan_capacity", **options)
    assert not DayPlan.objects.exists()
