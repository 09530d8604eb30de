# PostgreSQL: the credit record's histories (breaches, measures, list entries) partitioned by
# month of history_date (ADR 0035), with their retention period as data. On SQLite only the
# periods' rows are added. The rule catalogue's histories stay plain: they are small.

from django.db import migrations

from directory.partitions.bases import archive_thirty_years
from directory.partitions.schema import partitioned_by_month

TABLES = (
    "credit_historicalbreach",
    "credit_historicalmeasure",
    "credit_historicallistentry",
)
RETENTION = archive_thirty_years(
    kept_zh="信用记录（失信行为、惩戒措施和名单）的变更记录",
    kept_en="the changes of a credit record (breaches, measures and list entries)",
)


class Migration(migrations.Migration):
    dependencies = [
        ("credit", "0012_open_data_subject_withheld"),
        ("directory", "0008_retention_legal_basis_in_two_languages"),
    ]

    operations = [
        partitioned_by_month(
            tables=TABLES, column="history_date", retention=RETENTION, key="history_id"
        )
    ]
