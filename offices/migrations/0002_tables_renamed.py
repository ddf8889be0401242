"""The catalog's tables take the offices app's names: booking_office becomes
offices_office, and so on (the counters' services table too). A rename keeps every row,
id and foreign key; PostgreSQL and SQLite (3.26+) re-point the other tables' foreign
keys to the new names themselves. After booking has forgotten the models (booking 0011)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('booking', '0011_catalog_moved_to_offices'),
        ('offices', '0001_initial'),
    ]

    operations = [
        migrations.AlterModelTable(
            name='closure',
            table=None,
        ),
        migrations.AlterModelTable(
            name='counter',
            table=None,
        ),
        migrations.AlterModelTable(
            name='office',
            table=None,
        ),
        migrations.AlterModelTable(
            name='officeservice',
            table=None,
        ),
        migrations.AlterModelTable(
            name='openinghours',
            table=None,
        ),
        migrations.AlterModelTable(
            name='service',
            table=None,
        ),
        migrations.AlterModelTable(
            name='staffmembership',
            table=None,
        ),
    ]
