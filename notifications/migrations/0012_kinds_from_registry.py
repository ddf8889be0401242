"""Message kinds are no longer choices of the column: the apps that send messages register
them, with their labels, in notifications/registry.py. Nothing changes in the table."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("notifications", "0011_drop_booking_and_ticket_links")]

    operations = [
        migrations.AlterField(
            model_name="message",
            name="kind",
            field=models.CharField(max_length=24, verbose_name="kind"),
        ),
    ]
