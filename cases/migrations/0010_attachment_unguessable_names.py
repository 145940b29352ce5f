"""Existing case attachments move from `cases/<case id>/<original name>` to unguessable names."""

from django.db import migrations

from accountability.files import move_to_unguessable_names


def rename(apps, schema_editor):
    move_to_unguessable_names(apps.get_model("cases", "Attachment"), prefix="cases")


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0009_named_users_from_grants"),
    ]

    # Going back keeps the new names: they work with the old code too (the row holds the name).
    operations = [migrations.RunPython(rename, migrations.RunPython.noop)]
