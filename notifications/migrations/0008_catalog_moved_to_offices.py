"""The catalog moved from booking to offices: this app's foreign keys now point at
the offices models, in the migration state only (the rows and tables do not change)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0007_code_messages_name_their_minutes'),
        ('offices', '0001_initial'),
    ]

    operations = [
        # State only: the tables stay where they are (offices 0002 renames them).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='message',
                    name='office',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='offices.office', verbose_name='office'),
                ),
            ],
        ),
    ]
