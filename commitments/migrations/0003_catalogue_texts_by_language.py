"""Put the texts of existing commitment templates and obligation rules in their language's
column."""

from django.db import migrations

from directory.translation import translations_fill

# The texts as the model names them when this migration was written (ADR 0015).
TEMPLATE_TEXTS = ("title", "commitment_text") + tuple(
    f"notice_{part}"
    for part in ("legal_basis", "conditions", "waived_proof", "liability", "verification", "publicity")
)


def fill(apps, schema_editor):
    translations_fill(apps.get_model("commitments", "CommitmentTemplate"), TEMPLATE_TEXTS)
    translations_fill(apps.get_model("commitments", "ObligationRule"), ("title", "description"))


class Migration(migrations.Migration):
    dependencies = [("commitments", "0002_catalogue_in_two_languages")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
