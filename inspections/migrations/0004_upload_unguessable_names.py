"""Existing finding and report attachments move from `inspections/<kind>/<id>/<original name>` to
unguessable names."""

from django.db import migrations

from accountability.files import move_to_unguessable_names


def rename(apps, schema_editor):
    move_to_unguessable_names(apps.get_model("inspections", "FindingAttachment"), prefix="inspections/findings")
    move_to_unguessable_names(apps.get_model("inspections", "ReportAttachment"), prefix="inspections/reports")


class Migration(migrations.Migration):

    dependencies = [
        ("inspections", "0003_attachment_withdrawal_audit"),
    ]

    # Going back keeps the new names: they work with the old code too (the row holds the name).
    operations = [migrations.RunPython(rename, migrations.RunPython.noop)]
