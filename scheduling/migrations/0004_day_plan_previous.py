"""DayPlan.previous: the plan before the last solve, in brief, so that the day page can
say what changed and why (scheduling/explain.py)."""

from __future__ import annotations

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("scheduling", "0003_walk_in_capacity_to_the_queue"),
    ]

    operations = [
        migrations.AddField(
            model_name="dayplan",
            name="previous",
            field=models.JSONField(blank=True, null=True, verbose_name="the plan before, in brief"),
        ),
    ]
