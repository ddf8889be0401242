"""The queue now reads the planned walk-in capacity from its own copy
(queueing.WalkInCapacity), which the planner writes with every plan. This fills the copy
for the plans made before, by the rule the queue used to apply to DayPlan itself: a day
the optimiser planned (status "planned" with a solution) gives each of the office's
services in the solution the sum of its walk-in capacity over the day's blocks (the
queue takes at least 1, as before)."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def copy_walk_in_capacity(apps: Any, schema_editor: Any) -> None:
    DayPlan = apps.get_model("scheduling", "DayPlan")
    OfficeService = apps.get_model("offices", "OfficeService")
    WalkInCapacity = apps.get_model("queueing", "WalkInCapacity")
    offered: dict[int, list[tuple[int, str]]] = {}
    for pk, office_id, code in OfficeService.objects.values_list(
        "pk", "office_id", "service__code"
    ):
        offered.setdefault(office_id, []).append((pk, code))
    rows = []
    planned = DayPlan.objects.filter(status="planned", solution__isnull=False)
    for plan in planned.only("office_id", "local_date", "solution").iterator():
        outcomes = (plan.solution or {}).get("services", {})
        for pk, code in offered.get(plan.office_id, []):
            outcome = outcomes.get(code)
            if outcome is not None:
                planned = int(sum(outcome["walk_in_capacity"]))
                rows.append(
                    WalkInCapacity(
                        office_service_id=pk, local_date=plan.local_date, capacity=max(planned, 0)
                    )
                )
    WalkInCapacity.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)


def forget_walk_in_capacity(apps: Any, schema_editor: Any) -> None:
    apps.get_model("queueing", "WalkInCapacity").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("queueing", "0006_planned_walk_in_capacity"),
        ("scheduling", "0002_catalog_moved_to_offices"),
    ]

    operations = [migrations.RunPython(copy_walk_in_capacity, forget_walk_in_capacity)]
