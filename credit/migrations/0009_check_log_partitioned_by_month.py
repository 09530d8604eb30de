# PostgreSQL: the check log partitioned by month of asked_at, managed by pg_partman, with its
# legal retention period as data (ADR 0035). On SQLite only the period's row is added.

from django.db import migrations

from directory.partitions.schema import partitioned_by_month

TABLE = "credit_checkquery"
RETENTION = {
    "months": 60,
    "legal_basis": (
        "Default pending the city's legal review: five years, the period for which"
        " 《征信业管理条例》 art. 16 keeps adverse credit information; never less than the six"
        " months 《网络安全法》 art. 21 requires for network logs."
    ),
}


class Migration(migrations.Migration):
    dependencies = [
        ("credit", "0008_repair_notices_and_credit_reports"),
        ("directory", "0007_retention_periods_and_pg_partman"),
    ]

    operations = [partitioned_by_month(tables=(TABLE,), column="asked_at", retention=RETENTION)]
