# PostgreSQL: the check log partitioned by month of asked_at, managed by pg_partman, with its
# legal retention period as data (ADR 0035). On SQLite only the period's row is added.

from django.db import migrations

from directory.partitions.schema import table_partition, table_unpartition

TABLE = "credit_checkquery"
RETENTION = {
    "months": 60,
    "legal_basis": (
        "Default pending the city's legal review: five years, the period for which"
        " 《征信业管理条例》 art. 16 keeps adverse credit information; never less than the six"
        " months 《网络安全法》 art. 21 requires for network logs."
    ),
}


def partition(apps, schema_editor):
    """The period is data on every database (the admin shows it); only PostgreSQL partitions."""
    apps.get_model("directory", "RetentionPeriod").objects.update_or_create(
        table=TABLE, defaults=RETENTION
    )
    table_partition(schema_editor, table=TABLE, column="asked_at")


def unpartition(apps, schema_editor):
    apps.get_model("directory", "RetentionPeriod").objects.filter(table=TABLE).delete()
    table_unpartition(schema_editor, table=TABLE)


class Migration(migrations.Migration):

    dependencies = [
        ("credit", "0008_repair_notices_and_credit_reports"),
        ("directory", "0007_retention_periods_and_pg_partman"),
    ]

    operations = [migrations.RunPython(partition, unpartition, elidable=False)]
