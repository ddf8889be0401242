"""The catalog moved from booking to offices: this app's foreign keys now point at
the offices models, in the migration state only (the rows and tables do not change)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('offices', '0001_initial'),
        ('queueing', '0004_kiosk_devices'),
    ]

    operations = [
        # State only: the tables stay where they are (offices 0002 renames them).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='counterstate',
                    name='counter',
                    field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='state', to='offices.counter'),
                ),
                migrations.AlterField(
                    model_name='kioskdevice',
                    name='office',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='kiosk_devices', to='offices.office', verbose_name='office'),
                ),
                migrations.AlterField(
                    model_name='ticket',
                    name='counter',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='tickets', to='offices.counter', verbose_name='counter'),
                ),
                migrations.AlterField(
                    model_name='ticket',
                    name='office',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='tickets', to='offices.office', verbose_name='office'),
                ),
                migrations.AlterField(
                    model_name='ticket',
                    name='office_service',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='tickets', to='offices.officeservice', verbose_name='service'),
                ),
                migrations.AlterField(
                    model_name='ticketevent',
                    name='counter',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='offices.counter'),
                ),
                migrations.AlterField(
                    model_name='ticketsequence',
                    name='office',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='offices.office'),
                ),
            ],
        ),
    ]
