"""Put the texts of existing commitment templates and obligation rules in their language's
column."""

from django.db import migrations

from directory.translation import translations_fill

TEMPLATE_TEXTS = (
    "title",
    "notice_legal_basis",
    "notice_conditions",
    "notice_waived_proof",
    "notice_liability",
    "notice_verification",
    "notice_publicity",
    "commitment_text",
)


def fill(apps, schema_editor):
    translations_fill(apps.get_model("commitments", "CommitmentTemplate"), TEMPLATE_TEXTS)
    translations_fill(apps.get_model("commitments", "ObligationRule"), ("title", "description"))


class Migration(migrations.Migration):
    dependencies = [("commitments", "0002_catalogue_in_two_languages")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
