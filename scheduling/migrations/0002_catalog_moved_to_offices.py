"""The catalog moved from booking to offices: this app's foreign keys now point at
the offices models, in the migration state only (the rows and tables do not change)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('offices', '0001_initial'),
        ('scheduling', '0001_day_plans'),
    ]

    operations = [
        # State only: the tables stay where they are (offices 0002 renames them).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='dayplan',
                    name='office',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='day_plans', to='offices.office', verbose_name='office'),
                ),
                migrations.AlterField(
                    model_name='planchange',
                    name='office',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='plan_changes', to='offices.office', verbose_name='office'),
                ),
            ],
        ),
    ]
