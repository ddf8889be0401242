"""The catalog and staff roles moved to the offices app. In the migration state only:
booking's own foreign keys now point at the offices models, and booking forgets the
models (offices 0001 owns them; their tables and rows are kept, offices 0002 renames
them). After every app that points at the catalog has been re-pointed, so no state
ever refers to a model that is gone."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('booking', '0010_booking_manage_token_version'),
        ('offices', '0001_initial'),
        ('queueing', '0005_catalog_moved_to_offices'),
        ('scheduling', '0002_catalog_moved_to_offices'),
        ('notifications', '0008_catalog_moved_to_offices'),
        ('privacy', '0002_catalog_moved_to_offices'),
    ]

    operations = [
        # State only: the tables stay where they are (offices 0002 renames them).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='slot',
                    name='office_service',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='slots', to='offices.officeservice', verbose_name='service offered'),
                ),
                migrations.AlterField(
                    model_name='booking',
                    name='service',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='offices.service', verbose_name='service'),
                ),
                migrations.AlterField(
                    model_name='waitlistentry',
                    name='office_service',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='waitlist', to='offices.officeservice', verbose_name='service offered'),
                ),
                migrations.DeleteModel(name='StaffMembership'),
                migrations.DeleteModel(name='Closure'),
                migrations.DeleteModel(name='OpeningHours'),
                migrations.DeleteModel(name='Counter'),
                migrations.DeleteModel(name='OfficeService'),
                migrations.DeleteModel(name='Service'),
                migrations.DeleteModel(name='Office'),
            ],
        ),
    ]
