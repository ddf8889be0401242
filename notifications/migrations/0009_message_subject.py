"""A message names what it is about with one generic subject (a content type and an id)
instead of a foreign key per app, so the outbox needs no model of the apps that send
messages. The links are copied over by the next migration, then the keys go."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("notifications", "0008_catalog_moved_to_offices"),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="subject_type",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="contenttypes.contenttype",
                verbose_name="subject type",
            ),
        ),
        migrations.AddField(
            model_name="message",
            name="subject_id",
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name="subject id"),
        ),
        migrations.AddIndex(
            model_name="message",
            index=models.Index(fields=["subject_type", "subject_id"], name="message_subject"),
        ),
    ]
