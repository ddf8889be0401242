"""The content types of the moved models change app label (booking -> offices) in place,
keeping their ids: permissions (and the groups and users holding them), the admin's log
and django-auditlog's entries keep pointing at the same model, and no second content
type is made for it.

A content type under the new label can only exist already if a `migrate` stopped
between offices 0001 and this migration (post_migrate creates the content types of the
state it stopped at). Such a row is hours old at most: its own permissions are
recreated by post_migrate, anything else pointing at it is moved to the old content
type, and the row goes, so the renamed one carries all the history."""

from django.db import migrations

MOVED = [
    "office",
    "service",
    "officeservice",
    "counter",
    "openinghours",
    "closure",
    "staffmembership",
]


def _relabel(apps, schema_editor, old_label, new_label):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MOVED:
        old = ContentType.objects.using(db).filter(app_label=old_label, model=model).first()
        if old is None:
            continue  # a fresh database: post_migrate creates the content types later
        duplicate = ContentType.objects.using(db).filter(app_label=new_label, model=model).first()
        if duplicate is not None:
            _merge_into(apps, db, duplicate=duplicate, kept=old)
        old.app_label = new_label
        old.save(using=db, update_fields=["app_label"])
    # The running process may have cached content types by their old natural key.
    ContentType.objects.clear_cache()


def _merge_into(apps, db, *, duplicate, kept):
    """Move what points at `duplicate` to `kept`, then delete `duplicate`."""
    Permission = apps.get_model("auth", "Permission")
    kept_codenames = set(
        Permission.objects.using(db).filter(content_type=kept).values_list("codename", flat=True)
    )
    # Permissions of the duplicate that the kept type lacks move over; the others are
    # the same permission twice and go with the duplicate.
    Permission.objects.using(db).filter(content_type=duplicate).exclude(
        codename__in=kept_codenames
    ).update(content_type=kept)
    for label, name in (("admin", "LogEntry"), ("auditlog", "LogEntry")):
        try:
            LogEntry = apps.get_model(label, name)
        except LookupError:
            continue
        LogEntry.objects.using(db).filter(content_type=duplicate).update(content_type=kept)
    duplicate.delete()


def forwards(apps, schema_editor):
    _relabel(apps, schema_editor, "booking", "offices")


def backwards(apps, schema_editor):
    _relabel(apps, schema_editor, "offices", "booking")


class Migration(migrations.Migration):

    dependencies = [
        ("offices", "0002_tables_renamed"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("admin", "__first__"),
        ("auditlog", "__first__"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
