"""Put the names of existing regions, departments and matters in their language's column."""

from django.db import migrations

from directory.translation import translations_fill


def fill(apps, schema_editor):
    translations_fill(apps.get_model("directory", "Region"), ("name",))
    translations_fill(apps.get_model("directory", "Department"), ("name",))
    translations_fill(apps.get_model("directory", "Matter"), ("name", "legal_basis"))


class Migration(migrations.Migration):
    dependencies = [("directory", "0005_catalogue_in_two_languages")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
