"""The foreign keys to booking and queueing go: their links live in the generic subject
(0009), and the outbox no longer depends on those apps' models."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("notifications", "0010_copy_links_to_subject")]

    operations = [
        migrations.RemoveField(model_name="message", name="booking"),
        migrations.RemoveField(model_name="message", name="ticket"),
    ]
