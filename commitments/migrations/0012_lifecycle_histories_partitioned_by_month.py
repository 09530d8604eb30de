# PostgreSQL: the histories that grow with every commitment (the commitment's, its
# obligations', its verification's and its signing requests') partitioned by month of
# history_date, managed by pg_partman, with their legal retention period as data (ADR 0035).
# On SQLite only the periods' rows are added. The catalogue's histories stay plain: they are
# small.

from django.db import migrations

from directory.partitions.schema import partitioned_by_month

TABLES = (
    "commitments_historicalcommitment",
    "commitments_historicalobligation",
    "commitments_historicalverification",
    "commitments_historicalsigningrequest",
)
RETENTION = {
    "months": 360,
    "legal_basis": (
        "Default pending the city's legal review: thirty years, the longer fixed term of"
        " 《机关文件材料归档范围和文书档案保管期限规定》（国家档案局令第8号）, for the changes"
        " of a signed commitment kept as long as the commitment's own archive."
    ),
}


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0011_exemption_rules_and_exempt_status"),
        ("directory", "0007_retention_periods_and_pg_partman"),
    ]

    operations = [
        partitioned_by_month(
            tables=TABLES, column="history_date", retention=RETENTION, key="history_id"
        )
    ]
