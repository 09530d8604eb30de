"""A bulk issue's history named its processing with bare words ("processing", "processed",
"file unreadable"), which a Chinese page cannot translate as reasons (they are other
messages' words too); the rows get the reasons the service now records."""

from django.db import migrations

RENAMED = {
    "processing": "members' file processing started",
    "processed": "members' file processed",
    "file unreadable": "members' file unreadable",
}


def rename(apps, schema_editor):
    history = apps.get_model("commitments", "HistoricalBulkIssue")
    for old, new in RENAMED.items():
        history.objects.filter(history_change_reason=old).update(history_change_reason=new)


def restore(apps, schema_editor):
    history = apps.get_model("commitments", "HistoricalBulkIssue")
    for old, new in RENAMED.items():
        history.objects.filter(history_change_reason=new).update(history_change_reason=old)


class Migration(migrations.Migration):
    dependencies = [("commitments", "0014_exemption_ended_by_withdrawal")]

    operations = [migrations.RunPython(rename, restore)]
