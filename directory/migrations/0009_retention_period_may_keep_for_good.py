# A retention period may be empty: the table's partitions are kept for good (the register's
# entries, the transparency log, ADR 0035). The maintenance job already keeps every partition
# of a table without a period.

from django.core.validators import MinValueValidator
from django.db import migrations, models


def months():
    return models.PositiveSmallIntegerField(
        blank=True,
        help_text="Empty: kept for good, never dropped.",
        null=True,
        validators=[MinValueValidator(1)],
        verbose_name="kept for (months)",
    )


class Migration(migrations.Migration):
    dependencies = [("directory", "0008_retention_legal_basis_in_two_languages")]

    operations = [
        migrations.AlterField(model_name="retentionperiod", name="months", field=months()),
        migrations.AlterField(model_name="historicalretentionperiod", name="months", field=months()),
    ]
