# PostgreSQL: the other histories that grow with every commitment (its verification's
# exemption decision, details and evidence, its obligations' performance reports, bid pledges)
# partitioned by month of history_date like the lifecycle's (ADR 0035), with their retention
# period as data. On SQLite only the periods' rows are added. The catalogue's and the
# associations' histories stay plain: they are small.

from django.db import migrations

from directory.partitions.bases import archive_thirty_years
from directory.partitions.schema import partitioned_by_month

TABLES = (
    "commitments_historicalverificationexemption",
    "commitments_historicalverificationdetail",
    "commitments_historicalverificationevidence",
    "commitments_historicalperformancereport",
    "commitments_historicalbidpledge",
)
RETENTION = archive_thirty_years(
    kept_zh="已签署承诺的核查、履约报告和投标承诺的变更记录",
    kept_en="the changes of a signed commitment's verification, performance reports and bid pledges",
)


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0012_lifecycle_histories_partitioned_by_month"),
        ("directory", "0008_retention_legal_basis_in_two_languages"),
    ]

    operations = [
        partitioned_by_month(
            tables=TABLES, column="history_date", retention=RETENTION, key="history_id"
        )
    ]
