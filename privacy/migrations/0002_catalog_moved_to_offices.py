"""The catalog moved from booking to offices: this app's foreign keys now point at
the offices models, in the migration state only (the rows and tables do not change)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('offices', '0001_initial'),
        ('privacy', '0001_data_subject_requests'),
    ]

    operations = [
        # State only: the tables stay where they are (offices 0002 renames them).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='datarequest',
                    name='offices',
                    field=models.ManyToManyField(blank=True, related_name='data_requests', to='offices.office', verbose_name='offices involved'),
                ),
            ],
        ),
    ]
