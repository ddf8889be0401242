"""Plan office-days from the database, and optionally export the instance built."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from offices.models import Office
from scheduling.planning import day_plan_solve
from scheduling.selectors import day_instance


class Command(BaseCommand):
    help = (
        "Plan an office's counters for one or more days with the CP-SAT optimiser and make "
        "the plan the booking capacity. --export writes the solver instance it built (JSON, "
        "docs/scheduling.md), which `python -m scheduling.solver FILE` solves without a database."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--office", required=True, help="office code, e.g. kanim-jakarta-pusat")
        parser.add_argument("--date", required=True, help="first day, YYYY-MM-DD (office time)")
        parser.add_argument("--days", type=int, default=1, help="how many days (default 1)")
        parser.add_argument(
            "--export",
            help="write the instance of each day to this file (with several days: one JSON list)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        office = Office.objects.filter(code=options["office"]).first()
        if office is None:
            raise CommandError(f"--office: no office has the code {options['office']!r}")
        try:
            first = date.fromisoformat(options["date"])
        except ValueError:
            raise CommandError(f"--date: expected YYYY-MM-DD, got {options['date']!r}") from None
        if not 1 <= options["days"] <= 366:
            raise CommandError("--days: expected a number from 1 to 366")
        days = [first + timedelta(days=n) for n in range(options["days"])]
        instances = []
        for day in days:
            plan = day_plan_solve(office=office, day=day)
            instances.append(plan.instance or day_instance(office=office, day=day))
            solution = plan.solution or {}
            self.stdout.write(
                f"{office.code} {day}: {plan.get_status_display()} "
                f"{plan.solver_status} objective={solution.get('objective', '-')} "
                f"bound={solution.get('bound', '-')} {plan.reason}".rstrip()
            )
        if options["export"]:
            Path(options["export"]).write_text(
                json.dumps(instances[0] if len(instances) == 1 else instances, indent=2)
            )
            self.stdout.write(f"instance written to {options['export']}")
